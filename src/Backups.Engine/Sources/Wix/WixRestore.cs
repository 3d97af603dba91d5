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
/// back to see which system fields Wix set itself (<see cref="NotKept"/>).
/// <para>
/// Multi-references are not item data to Wix: they are written last, once every collection of the restore holds its
/// items (<c>bulk/items/insert-references</c>), because truncating a collection clears the references any collection
/// holds to it, and a reference needs both its items. A collection outside the restore that refers to a restored one
/// would lose those references to the truncate: they are read before anything is emptied and put back with the rest,
/// for the referenced items the backup gives back.
/// </para>
/// </summary>
internal sealed class WixRestore : ISiteRestore
{
    private readonly WixClient client;
    private readonly IReadOnlyList<WixCollection> site;
    private readonly List<RefusedItem> refused = [];
    private readonly List<string> warnings = [];
    /// <summary>The references of the restored items, from the archive, by destination.</summary>
    private readonly Dictionary<string, List<WixReference>> restoredReferences = new(StringComparer.Ordinal);
    /// <summary>The references collections outside the restore hold to restored ones, read before the truncates.</summary>
    private readonly Dictionary<string, List<WixReference>> keptReferences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> notKept = new(StringComparer.Ordinal);

    /// <summary>The system fields a write may not keep: Wix sets the dates itself (its SDK documents them as read only),
    /// and its documentation does not say what becomes of <c>_owner</c>.</summary>
    private static readonly string[] SystemFields = ["_createdDate", "_updatedDate", "_owner"];

    public WixRestore(WixClient client, IReadOnlyList<WixCollection> site)
    {
        this.client = client;
        this.site = site;
        Collections = site.Select(c => c.Info).ToList();
    }

    public IReadOnlyList<CollectionInfo> Collections { get; }
    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>
    /// Refuses, before anything is written, a restore into a collection whose capabilities do not allow what a
    /// restore does to it: empty it (TRUNCATE), write its items (BULK_SAVE) and, when it has multi-reference fields,
    /// write those (INSERT_REFERENCE). A destination the site lacks is left to the plan, which names it.
    /// </summary>
    public static void CheckWritable(IReadOnlyList<WixCollection> site, IEnumerable<string> destinations, string siteId)
    {
        foreach (string destination in destinations)
        {
            if (site.FirstOrDefault(c => c.Id == destination) is not { } collection) continue;
            string[] needed = collection.MultiReferences.Count > 0 ? ["TRUNCATE", "BULK_SAVE", "INSERT_REFERENCE"] : ["TRUNCATE", "BULK_SAVE"];
            var missing = needed.Where(op => !collection.Allows(op)).ToList();
            if (missing.Count > 0)
                throw new BackupException(BackupError.CollectionNotWritable,
                    $"The Wix collection '{destination}' of '{siteId}' ({collection.Type}) cannot be restored into: its capabilities do not allow {string.Join(", ", missing)}. Nothing was written.",
                    destination);
        }
    }

    private WixCollection Collection(string id) => site.First(c => c.Id == id);
    public bool IsTransactional => false;
    public IReadOnlyList<RefusedItem> RefusedItems => refused;
    public long? ItemsWritten(string collectionId) => written.TryGetValue(collectionId, out long count) ? count : null;
    public IReadOnlyList<string> NotKept(string collectionId) => notKept.GetValueOrDefault(collectionId, []);

    /// <summary>Nothing is emptied ahead: a collection is emptied just before it is written, so a failure leaves
    /// the collections after it untouched. What is read first are the references that collections outside the
    /// restore hold to the restored ones, which the truncates would clear.</summary>
    public async Task<IReadOnlyList<string>> ClearAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken)
    {
        var restored = collectionIds.ToHashSet(StringComparer.Ordinal);
        foreach (var outside in site.Where(c => !restored.Contains(c.Id)))
        {
            var fields = outside.MultiReferences.Where(r => restored.Contains(r.Referenced)).ToList();
            if (fields.Count == 0) continue;
            if (!outside.Allows("FIND") || !outside.Allows("INSERT_REFERENCE"))
            {
                warnings.Add($"Emptying {string.Join(", ", fields.Select(f => $"'{f.Referenced}'").Distinct())} clears the references '{outside.Id}' holds to it in {string.Join(", ", fields.Select(f => $"'{f.Field}'"))}, and '{outside.Id}' does not let them be read and written back.");
                continue;
            }
            keptReferences[outside.Id] = await ReadReferencesAsync(outside with { MultiReferences = fields }, cancellationToken);
        }
        return collectionIds;
    }

    /// <summary>Every reference <paramref name="collection"/>'s items hold in its (multi-reference) fields.</summary>
    private async Task<List<WixReference>> ReadReferencesAsync(WixCollection collection, CancellationToken cancellationToken)
    {
        var references = new List<WixReference>();
        await WixReader.ReadAsync(client, collection, async data =>
        {
            if (WixReader.ItemId(data) is not { } id) return;
            foreach (var (field, _) in collection.MultiReferences)
                if (data.TryGetProperty(field, out var value))
                    foreach (string referenced in await WixReader.ReferencedIdsAsync(client, collection, id, field, value, cancellationToken))
                        references.Add(new WixReference(field, id, referenced));
        }, cancellationToken);
        return references;
    }

    public async Task<long> WriteAsync(string collectionId, ItemReader items, CancellationToken cancellationToken)
    {
        var destination = Collection(collectionId);
        var references = restoredReferences[collectionId] = [];
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
                string? id = root.TryGetProperty("_id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                if (id is not null && sample.Count < client.Options.QueryPageSize) sample[id] = SystemValues(root);
                json.WriteStartObject();
                if (id is not null) json.WriteString("id", id);
                json.WritePropertyName("data");
                if (destination.MultiReferences.Count == 0) json.WriteRawValue(root.GetRawText(), skipInputValidation: true);
                else WriteWithoutReferences(root, id, destination, json, references);
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
        if (sample.Count > 0) notKept[collectionId] = await CompareAsync(collectionId, sample, cancellationToken);
        return written[collectionId];
    }

    /// <summary>The item without its multi-reference fields, whose ids go to <paramref name="references"/>: Wix takes
    /// them only as references, written once every collection is.</summary>
    private static void WriteWithoutReferences(JsonElement item, string? id, WixCollection destination, Utf8JsonWriter json, List<WixReference> references)
    {
        json.WriteStartObject();
        foreach (var property in item.EnumerateObject())
        {
            if (!destination.MultiReferences.Any(r => r.Field == property.Name) || property.Value.ValueKind != JsonValueKind.Array)
            {
                property.WriteTo(json);
                continue;
            }
            if (id is null) continue;
            foreach (var value in property.Value.EnumerateArray())
                if (WixReader.ReferencedId(value) is { } referenced) references.Add(new WixReference(property.Name, id, referenced));
        }
        json.WriteEndObject();
    }

    private static string?[] SystemValues(JsonElement item) =>
        SystemFields.Select(f => item.TryGetProperty(f, out var v) ? v.GetRawText() : null).ToArray();

    /// <summary>Reads the first page of the written collection back and names the system fields whose values differ
    /// from the backup's on the items it finds there (one request: the same for every item, as Wix sets them).</summary>
    private async Task<IReadOnlyList<string>> CompareAsync(string collectionId, Dictionary<string, string?[]> sample, CancellationToken cancellationToken)
    {
        using var page = await WixApi.QueryAsync(client, Collection(collectionId) with { MultiReferences = [] }, null, 0, cancellationToken);
        var changed = new bool[SystemFields.Length];
        if (page.RootElement.TryGetProperty("dataItems", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                if (!item.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                    || !data.TryGetProperty("_id", out var id) || id.ValueKind != JsonValueKind.String
                    || !sample.TryGetValue(id.GetString()!, out var backedUp)) continue;
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
        if (!answer.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            throw new BackupException(BackupError.SiteUnreachable, $"The Wix Data API answered a bulk save into '{collectionId}' without per-item results.", collectionId);
        long saved = 0;
        foreach (var result in results.EnumerateArray())
        {
            var meta = result.TryGetProperty("itemMetadata", out var m) ? m : result;
            if (meta.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True)
            {
                saved++;
                continue;
            }
            string? id = meta.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()
                : meta.TryGetProperty("originalIndex", out var at) && at.TryGetInt32(out int index) && index < batch.Count ? batch[index].Id : null;
            var error = meta.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
            refused.Add(new RefusedItem(collectionId, id, Text(error, "code") ?? "UNKNOWN", Text(error, "description") ?? Text(error, "message") ?? "refused"));
        }
        written[collectionId] += saved;
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

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Writes the references, now that every restored collection holds its items: the restored items' own
    /// (one Wix refuses is a refused item), then those kept for collections outside the restore (one to an item the
    /// backup does not give back cannot be, and is counted in a warning). A reference Wix says is there already
    /// (WDE0074: a call repeated after a lost answer) is written.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        foreach (var (collectionId, references) in restoredReferences)
            await InsertAsync(collectionId, references, (reference, code, message) =>
                refused.Add(new RefusedItem(collectionId, reference.ItemId, code, $"its reference in '{reference.Field}' to '{reference.Referenced}': {message}")), cancellationToken);
        foreach (var (collectionId, references) in keptReferences)
        {
            int dropped = 0;
            await InsertAsync(collectionId, references, (_, _, _) => dropped++, cancellationToken);
            if (dropped > 0)
                warnings.Add($"{dropped} reference(s) that '{collectionId}' held to restored items were not written back: the backup does not hold the items they referred to.");
        }
    }

    private async Task InsertAsync(string collectionId, List<WixReference> references, Action<WixReference, string, string> onRefused, CancellationToken cancellationToken)
    {
        foreach (var chunk in references.Chunk(client.Options.BulkSize))
        {
            using var answer = await WixApi.InsertReferencesAsync(client, collectionId, chunk, cancellationToken);
            if (!answer.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
                throw new BackupException(BackupError.SiteUnreachable, $"The Wix Data API answered a reference insert into '{collectionId}' without per-reference results.", collectionId);
            int at = 0;
            foreach (var result in results.EnumerateArray())
            {
                var meta = result.TryGetProperty("referenceMetadata", out var m) ? m : result;
                int index = meta.TryGetProperty("originalIndex", out var i) && i.TryGetInt32(out int n) && n < chunk.Length ? n : at;
                at++;
                if (meta.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True) continue;
                var error = meta.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
                string code = Text(error, "code") ?? "UNKNOWN";
                if (code == "WDE0074") continue;
                onRefused(chunk[index], code, Text(error, "description") ?? Text(error, "message") ?? "refused");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
