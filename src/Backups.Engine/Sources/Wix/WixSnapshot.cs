using System.Buffers;
using System.Text.Json;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// A backup's read of a Wix site (<see cref="WixReader"/>), keeping each item's <c>data</c> exactly as the API returns
/// it, system fields (<c>_id</c>, <c>_owner</c>, <c>_createdDate</c>, ...) and <c>$date</c> values included. A
/// multi-reference field, which Wix keeps apart from the item, is kept in the item as the array of the ids it refers
/// to, all of them, in the order they were referenced (a restore puts them back as references), and the backup's
/// definitions name the collections' multi-reference fields, so that a restore knows them from plain arrays. Wix has no
/// snapshots: each collection is read as it is while it is read, and items written meanwhile may or may not be in the
/// backup.
/// </summary>
internal sealed class WixSnapshot(WixClient client, IReadOnlyList<WixCollection> collections, IReadOnlyList<Omission> omissions) : ISiteSnapshot
{
    public IReadOnlyList<CollectionInfo> Collections { get; } = collections.Select(c => c.Info).ToList();

    /// <summary>What the backup cannot take or a restore cannot give back, for a reason of the site's own (EXTERNAL
    /// collections, collections that allow no query, references that cannot be read, collections that cannot be
    /// written back into): of a collection the backup reads, when it is selected; of one it cannot read, whenever
    /// the selection would have taken it.</summary>
    public IReadOnlyList<Omission> Omissions(IReadOnlyList<CollectionInfo> selected) =>
        omissions.Where(o => !collections.Any(c => c.Id == o.Collection) || selected.Any(c => c.Id == o.Collection)).ToList();

    private WixCollection Find(CollectionInfo collection) => collections.First(c => c.Id == collection.Id);

    /// <summary>The multi-reference fields whose references the backup reads: all, where the collection lets them be read.</summary>
    private static IReadOnlyList<WixMultiReference> Kept(WixCollection collection) =>
        collection.Allows("QUERY_REFERENCED") ? collection.MultiReferences : [];

    /// <summary>For progress only; a collection whose capabilities allow no count is counted as it is read.</summary>
    public Task<long> CountAsync(CollectionInfo collection, CancellationToken cancellationToken) =>
        Find(collection).Allows("COUNT") ? WixApi.CountAsync(client, Find(collection), cancellationToken) : Task.FromResult(0L);

    public Task ExportAsync(CollectionInfo info, ItemWriter items, CancellationToken cancellationToken)
    {
        var collection = Find(info);
        var fields = Kept(collection);
        return WixReader.ReadAsync(client, collection, async page =>
        {
            var ids = page.Select(WixJson.ItemId).OfType<string>().ToList();
            var references = new List<Dictionary<string, List<string>>>();
            foreach (var field in fields) references.Add(await WixReader.ReferencesAsync(client, collection, ids, field.Field, cancellationToken));
            foreach (var data in page)
            {
                if (fields.Count == 0) items.Json.WriteRawValue(data.GetRawText(), skipInputValidation: true);
                else Write(data, fields, references, items.Json);
                items.EndItem();
            }
        }, cancellationToken);
    }

    /// <summary>The item as Wix returned it, with each multi-reference field the array of the ids it refers to (empty
    /// when it refers to nothing).</summary>
    private static void Write(JsonElement data, IReadOnlyList<WixMultiReference> fields, List<Dictionary<string, List<string>>> references, Utf8JsonWriter json)
    {
        string? id = WixJson.ItemId(data);
        json.WriteStartObject();
        foreach (var property in data.EnumerateObject())
            if (!fields.Any(f => f.Field == property.Name)) property.WriteTo(json);
        for (int f = 0; f < fields.Count; f++)
        {
            json.WriteStartArray(fields[f].Field);
            if (id is not null && references[f].TryGetValue(id, out var ids))
                foreach (string referenced in ids) json.WriteStringValue(referenced);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <summary><c>{"kind": "wix", "collections": [{"id", "multiReferences": [{"field", "referencedCollectionId",
    /// "referencingFieldKey"}]}]}</c>: the multi-reference fields whose references the backup holds.</summary>
    public Task<byte[]?> ReadDefinitionsAsync(IReadOnlyList<CollectionInfo> selected, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", WixDefinitions.Kind);
            json.WriteStartArray("collections");
            foreach (var collection in selected.Select(Find))
            {
                json.WriteStartObject();
                json.WriteString("id", collection.Id);
                json.WriteStartArray("multiReferences");
                foreach (var field in Kept(collection))
                {
                    json.WriteStartObject();
                    json.WriteString("field", field.Field);
                    json.WriteString("referencedCollectionId", field.Referenced);
                    if (field.ReferencingField is not null) json.WriteString("referencingFieldKey", field.ReferencingField);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Task.FromResult<byte[]?>(buffer.WrittenSpan.ToArray());
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A Wix backup's definitions, as <see cref="WixSnapshot.ReadDefinitionsAsync"/> writes them: each collection's
/// multi-reference fields. Null for an archive without them (taken before backups held references).</summary>
internal static class WixDefinitions
{
    public const string Kind = "wix";

    public static Dictionary<string, IReadOnlyList<WixMultiReference>>? Parse(byte[]? json)
    {
        if (json is null) return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || WixJson.Text(root, "kind") != Kind) return null;
            var parsed = new Dictionary<string, IReadOnlyList<WixMultiReference>>(StringComparer.Ordinal);
            foreach (var collection in root.GetProperty("collections").EnumerateArray())
                parsed[collection.GetProperty("id").GetString()!] = collection.GetProperty("multiReferences").EnumerateArray()
                    .Select(f => new WixMultiReference(f.GetProperty("field").GetString()!, f.GetProperty("referencedCollectionId").GetString()!, WixJson.Text(f, "referencingFieldKey")))
                    .ToList();
            return parsed;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new Errors.BackupException(Errors.BackupError.ArchiveCorrupt, $"The archive is corrupt: its Wix definitions do not read ({e.Message}).", null, e);
        }
    }
}
