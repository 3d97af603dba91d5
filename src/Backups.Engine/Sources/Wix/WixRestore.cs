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
/// <see cref="ItemsWritten"/> says how far each collection got. The first bulk save of a collection asks for the items
/// back as Wix saved them, to see which system fields Wix set itself (<see cref="NotKept"/>). Multi-references, which
/// Wix keeps apart from items, are written by <see cref="WixReferenceWriter"/> as soon as both their collections are done.
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
            var missing = Needed(ReferenceFields(collection, source, definitions).Count > 0).Where(op => !collection.Allows(op)).ToList();
            if (missing.Count > 0)
                throw new BackupException(BackupError.CollectionNotWritable,
                    $"The Wix collection '{destination}' of '{siteId}' ({collection.Type}) cannot be restored into: its capabilities do not allow {string.Join(", ", missing)}. Nothing was written.",
                    destination);
        }
    }

    /// <summary>The data operations a restore into a collection uses: empty it, save its items, and write its
    /// references when it has any.</summary>
    public static string[] Needed(bool references) => references ? ["TRUNCATE", "BULK_SAVE", "INSERT_REFERENCE"] : ["TRUNCATE", "BULK_SAVE"];

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
        // The first call of a collection asks for the items as Wix saved them, to see which system fields it kept.
        var check = new SystemCheck();
        long bytes = 0;
        var item = new ArrayBufferWriter<byte>(4096);
        await using var json = new Utf8JsonWriter(item);
        while (items.Read() is { } root)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? id = WixJson.ItemId(root);
            if (id is not null && check is not null) check.Sent[id] = SystemValues(root);
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
            if (batch.Count >= client.Options.BulkSize || bytes >= client.Options.MaxBulkBytes)
            {
                await SaveAsync(batch, collectionId, check, cancellationToken);
                check = Checked(collectionId, check);
                batch.Clear();
                bytes = 0;
            }
        }
        if (batch.Count > 0) await SaveAsync(batch, collectionId, check, cancellationToken);
        Checked(collectionId, check);
        await references.WrittenAsync(collectionId, cancellationToken);
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

    /// <summary>The system fields of the items a collection's first bulk call sent, and which of them Wix did not keep
    /// as sent, read from the items it answered with (<c>returnEntity</c>): no extra request, and no reliance on the
    /// order a query would return them in.</summary>
    private sealed class SystemCheck
    {
        public Dictionary<string, string?[]> Sent { get; } = new(StringComparer.Ordinal);
        public bool[] Changed { get; } = new bool[SystemFields.Length];
        public int Compared { get; set; }

        public void Compare(string? id, JsonElement saved)
        {
            if (id is null || saved.ValueKind != JsonValueKind.Object || !Sent.TryGetValue(id, out var sent)) return;
            var now = SystemValues(saved);
            for (int f = 0; f < SystemFields.Length; f++) Changed[f] |= sent[f] is not null && sent[f] != now[f];
            Compared++;
        }
    }

    /// <summary>Records what <paramref name="check"/> found for the collection (once its first call is done); a
    /// collection none of whose items came back to compare gets a warning, never a silent "kept".</summary>
    private SystemCheck? Checked(string collectionId, SystemCheck? check)
    {
        if (check is null) return null;
        notKept[collectionId] = SystemFields.Where((_, f) => check.Changed[f]).ToList();
        if (check.Compared == 0 && check.Sent.Count > 0)
            warnings.Add($"Whether Wix kept the system fields ({string.Join(", ", SystemFields)}) of the items written into '{collectionId}' is not known: Wix answered its first bulk save without the items as saved.");
        return null;
    }

    /// <summary>One item of a bulk save: its id and its <c>{"id", "data"}</c> JSON.</summary>
    private sealed record BatchItem(string? Id, byte[] Json);

    /// <summary>Saves <paramref name="batch"/> in one bulk call, split where Wix answers 413
    /// (<see cref="WixApi.SplitUntilItFitsAsync"/>).</summary>
    private Task SaveAsync(IReadOnlyList<BatchItem> batch, string collectionId, SystemCheck? check, CancellationToken cancellationToken) =>
        WixApi.SplitUntilItFitsAsync(batch,
            part => client.PostUnlessTooLargeAsync("bulk/items/save", Body(part, collectionId, returnEntity: check is not null), collectionId, cancellationToken),
            (part, answer) =>
            {
                foreach (var result in WixJson.Results(answer, "itemMetadata", part.Count, "a bulk save", collectionId))
                {
                    if (result.Success)
                    {
                        written[collectionId]++;
                        check?.Compare(part[result.Index].Id, result.Saved);
                    }
                    else refused.Add(new RefusedItem(collectionId, part[result.Index].Id, result.Code, result.Message));
                }
            },
            item => refused.Add(new RefusedItem(collectionId, item.Id, "WDE0109",
                $"Wix answered 413: the item alone ({item.Json.Length} bytes of JSON) is larger than a request it takes.")));

    /// <summary>The body of a bulk save: <c>{"dataCollectionId", "dataItems": [...]}</c>, with <c>"returnEntity": true</c>
    /// when the items are wanted back as saved.</summary>
    private static ReadOnlyMemory<byte> Body(IReadOnlyList<BatchItem> batch, string collectionId, bool returnEntity)
    {
        var body = new ArrayBufferWriter<byte>(batch.Sum(b => b.Json.Length + 1) + 256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("dataCollectionId", collectionId);
            json.WriteStartArray("dataItems");
            foreach (var item in batch) json.WriteRawValue(item.Json, skipInputValidation: true);
            json.WriteEndArray();
            if (returnEntity) json.WriteBoolean("returnEntity", true);
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
