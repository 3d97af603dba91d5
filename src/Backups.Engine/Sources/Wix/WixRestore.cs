using System.Buffers;
using System.Text.Json;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// Restores into a Wix site, which has no transactions. The restore operation checks the archive entries whole
/// before this is called. Each collection is then emptied (<c>items/truncate</c>) only when its turn comes, and its
/// items are written with bulk save, at most 1000 (and 4 MB) a call, each under its own <c>_id</c>, a call Wix answers
/// 413 split in halves. Save rather than insert: a bulk call repeated after a lost answer writes the same items again
/// instead of failing on them, so a retry can neither double an item nor report a false error. Items Wix refuses one
/// by one are collected in <see cref="RefusedItems"/>; a call that fails for good stops the restore, and
/// <see cref="ItemsWritten"/> says how far each collection got. Once a collection is written, its first page is read
/// back to see which system fields Wix set itself (<see cref="NotKept"/>). Multi-references, which Wix keeps apart
/// from items, are written by <see cref="WixReferenceWriter"/> as soon as both their collections are done.
/// </summary>
internal sealed class WixRestore : ISiteRestore
{
    private readonly WixClient client;
    private readonly IReadOnlyList<WixCollection> site;
    private readonly Dictionary<string, IReadOnlyList<WixMultiReference>>? definitions;
    private readonly Dictionary<string, string> sources = new(StringComparer.Ordinal);
    private readonly List<RefusedItem> refused = [];
    private readonly List<string> warnings = [];
    private readonly Dictionary<string, long> written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> notKept = new(StringComparer.Ordinal);
    private readonly WixReferenceWriter references;

    /// <summary>The system fields a write may not keep: Wix sets the dates itself (its SDK documents them as read only),
    /// and its documentation does not say what becomes of <c>_owner</c>.</summary>
    private static readonly string[] SystemFields = ["_createdDate", "_updatedDate", "_owner"];

    /// <param name="client">The site's client, which the restore owns from here on.</param>
    /// <param name="site">The site's collections as listed when the restore began.</param>
    /// <param name="targets">Each archive collection restored, and its destination.</param>
    /// <param name="definitions">The backup's multi-reference fields by collection; null for an archive without them.</param>
    public WixRestore(WixClient client, IReadOnlyList<WixCollection> site, IReadOnlyList<(string Source, string Destination)> targets,
        Dictionary<string, IReadOnlyList<WixMultiReference>>? definitions)
    {
        this.client = client;
        this.site = site;
        this.definitions = definitions;
        references = new WixReferenceWriter(client, site, refused);
        Collections = site.Select(c => c.Info).ToList();
        foreach (var (source, destination) in targets)
        {
            sources[destination] = source;
            if (site.FirstOrDefault(c => c.Id == destination) is not { } collection) continue;
            foreach (var field in definitions?.GetValueOrDefault(source) ?? [])
                if (collection.MultiReference(field.Field) is null)
                    warnings.Add($"The backup's references in '{field.Field}' of '{source}' (to items of '{field.Referenced}') go into '{destination}' as a plain array of ids: '{destination}' has no multi-reference field '{field.Field}'.");
        }
    }

    public IReadOnlyList<CollectionInfo> Collections { get; }
    public bool IsTransactional => false;
    public IReadOnlyList<RefusedItem> RefusedItems => refused;
    public long? ItemsWritten(string collectionId) => written.TryGetValue(collectionId, out long count) ? count : null;
    public IReadOnlyList<string> NotKept(string collectionId) => notKept.GetValueOrDefault(collectionId, []);

    /// <summary>What the restore will not give back as the backup had it, and, once it has stopped, the references it
    /// left unwritten.</summary>
    public IReadOnlyList<string> Warnings => [.. warnings, .. references.Warnings, .. references.Unwritten()];

    /// <summary>The fields of <paramref name="destination"/>'s items that are references, with the collection each
    /// refers to: the backup's multi-reference fields that the destination has as such (for an archive without
    /// definitions, the destination's own).</summary>
    private static List<WixMultiReference> ReferenceFields(WixCollection destination, string source, Dictionary<string, IReadOnlyList<WixMultiReference>>? definitions) =>
        definitions is null
            ? [.. destination.MultiReferences]
            : (definitions.GetValueOrDefault(source) ?? []).Select(f => destination.MultiReference(f.Field)).OfType<WixMultiReference>().ToList();

    /// <summary>
    /// Refuses, before anything is written, a restore into a collection whose capabilities do not allow what a
    /// restore does to it: empty it (TRUNCATE), write its items (BULK_SAVE) and, when the backup's items of it hold
    /// references, write those (INSERT_REFERENCE). A destination the site lacks is left to the plan, which names it.
    /// </summary>
    public static void CheckWritable(IReadOnlyList<WixCollection> site, IReadOnlyList<(string Source, string Destination)> targets,
        Dictionary<string, IReadOnlyList<WixMultiReference>>? definitions, string siteId)
    {
        foreach (var (source, destination) in targets)
        {
            if (site.FirstOrDefault(c => c.Id == destination) is not { } collection) continue;
            string[] needed = ReferenceFields(collection, source, definitions).Count > 0 ? ["TRUNCATE", "BULK_SAVE", "INSERT_REFERENCE"] : ["TRUNCATE", "BULK_SAVE"];
            var missing = needed.Where(op => !collection.Allows(op)).ToList();
            if (missing.Count > 0)
                throw new BackupException(BackupError.CollectionNotWritable,
                    $"The Wix collection '{destination}' of '{siteId}' ({collection.Type}) cannot be restored into: its capabilities do not allow {string.Join(", ", missing)}. Nothing was written.",
                    destination);
        }
    }

    private WixCollection Collection(string id) => site.First(c => c.Id == id);

    /// <summary>Nothing is emptied ahead: a collection is emptied just before it is written, so a failure leaves
    /// the collections after it untouched. What is read first are the references that collections outside the
    /// restore hold to the restored ones, which emptying those clears.</summary>
    public async Task<IReadOnlyList<string>> ClearAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken)
    {
        await references.ReadKeptAsync(collectionIds, cancellationToken);
        return collectionIds;
    }

    public async Task<long> WriteAsync(string collectionId, ItemReader items, CancellationToken cancellationToken)
    {
        var destination = Collection(collectionId);
        var fields = ReferenceFields(destination, sources.GetValueOrDefault(collectionId, collectionId), definitions);
        await WixApi.TruncateAsync(client, collectionId, cancellationToken);
        written[collectionId] = 0;
        var batch = new List<BatchItem>(client.Options.BulkSize);
        var sample = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        long bytes = 0;
        var item = new ArrayBufferWriter<byte>(4096);
        await using var json = new Utf8JsonWriter(item);
        while (items.Read() is { } document)
        {
            using (document)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var root = document.RootElement;
                string? id = WixJson.ItemId(root);
                if (id is not null && sample.Count < client.Options.QueryPageSize) sample[id] = SystemValues(root);
                json.WriteStartObject();
                if (id is not null) json.WriteString("id", id);
                json.WritePropertyName("data");
                if (fields.Count == 0) json.WriteRawValue(root.GetRawText(), skipInputValidation: true);
                else WriteWithoutReferences(root, id, collectionId, fields, json);
                json.WriteEndObject();
                json.Flush();
                batch.Add(new BatchItem(id, item.WrittenSpan.ToArray()));
                bytes += item.WrittenCount;
                item.ResetWrittenCount();
                json.Reset(item);
            }
            if (batch.Count >= client.Options.BulkSize || bytes >= client.Options.MaxBulkBytes)
            {
                await SaveAsync(batch, collectionId, cancellationToken);
                batch.Clear();
                bytes = 0;
            }
        }
        if (batch.Count > 0) await SaveAsync(batch, collectionId, cancellationToken);
        await references.WrittenAsync(collectionId, cancellationToken);
        if (sample.Count > 0 && destination.Allows("FIND")) notKept[collectionId] = await CompareAsync(destination, sample, cancellationToken);
        return written[collectionId];
    }

    /// <summary>The item without its multi-reference fields, whose ids go to the reference writer: Wix takes them only
    /// as references.</summary>
    private void WriteWithoutReferences(JsonElement item, string? id, string collectionId, List<WixMultiReference> fields, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        foreach (var property in item.EnumerateObject())
        {
            if (fields.FirstOrDefault(f => property.NameEquals(f.Field)) is not { } field || property.Value.ValueKind != JsonValueKind.Array)
            {
                property.WriteTo(json);
                continue;
            }
            if (id is null) continue;
            foreach (var value in property.Value.EnumerateArray())
            {
                string? referenced = value.ValueKind == JsonValueKind.String ? value.GetString() : WixJson.ItemId(value);
                if (referenced is not null) references.Add(collectionId, new WixReference(field.Field, id, referenced), field.Referenced);
            }
        }
        json.WriteEndObject();
    }

    private static string?[] SystemValues(JsonElement item) =>
        SystemFields.Select(f => item.TryGetProperty(f, out var v) ? v.GetRawText() : null).ToArray();

    /// <summary>Reads the first page of the written collection back and names the system fields whose values differ
    /// from the backup's on the items it finds there (one request: the same for every item, as Wix sets them).</summary>
    private async Task<IReadOnlyList<string>> CompareAsync(WixCollection collection, Dictionary<string, string?[]> sample, CancellationToken cancellationToken)
    {
        using var page = await WixApi.QueryAsync(client, collection, null, 0, cancellationToken);
        var changed = new bool[SystemFields.Length];
        if (page.RootElement.TryGetProperty("dataItems", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                if (!item.TryGetProperty("data", out var data) || WixJson.ItemId(data) is not { } id || !sample.TryGetValue(id, out var backedUp)) continue;
                var now = SystemValues(data);
                for (int f = 0; f < SystemFields.Length; f++) changed[f] |= backedUp[f] is not null && backedUp[f] != now[f];
            }
        }
        return SystemFields.Where((_, f) => changed[f]).ToList();
    }

    /// <summary>One item of a bulk save: its id and its <c>{"id", "data"}</c> JSON.</summary>
    private sealed record BatchItem(string? Id, byte[] Json);

    /// <summary>
    /// Saves <paramref name="batch"/> in one bulk call; a call Wix answers 413 (larger than it takes) is split in two
    /// halves saved one after the other, down to single items, and an item too large on its own is refused by itself,
    /// as Wix refuses items one by one. Nothing of a 413 call was written, so no item is doubled.
    /// </summary>
    private async Task SaveAsync(IReadOnlyList<BatchItem> batch, string collectionId, CancellationToken cancellationToken)
    {
        using var answer = await client.PostUnlessTooLargeAsync("bulk/items/save", Body(batch, collectionId), collectionId, cancellationToken);
        if (answer is null)
        {
            if (batch.Count == 1)
            {
                refused.Add(new RefusedItem(collectionId, batch[0].Id, "WDE0109",
                    $"Wix answered 413: the item alone ({batch[0].Json.Length} bytes of JSON) is larger than a request it takes."));
                return;
            }
            int half = batch.Count / 2;
            await SaveAsync(batch.Take(half).ToList(), collectionId, cancellationToken);
            await SaveAsync(batch.Skip(half).ToList(), collectionId, cancellationToken);
            return;
        }
        foreach (var result in WixJson.Results(answer, "itemMetadata", batch.Count, "a bulk save", collectionId))
        {
            if (result.Success) written[collectionId]++;
            else refused.Add(new RefusedItem(collectionId, batch[result.Index].Id, result.Code, result.Message));
        }
    }

    /// <summary>The body of a bulk save: <c>{"dataCollectionId", "dataItems": [...]}</c>.</summary>
    private static ReadOnlyMemory<byte> Body(IReadOnlyList<BatchItem> batch, string collectionId)
    {
        var body = new ArrayBufferWriter<byte>(batch.Sum(b => b.Json.Length + 1) + 256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("dataCollectionId", collectionId);
            json.WriteStartArray("dataItems");
            foreach (var item in batch) json.WriteRawValue(item.Json, skipInputValidation: true);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return body.WrittenMemory;
    }

    /// <summary>Every reference is written by now; this writes any left over.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => references.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
