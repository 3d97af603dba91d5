using System.Text.Json;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// A backup's read of a Wix site (<see cref="WixReader"/>), keeping each item's <c>data</c> exactly as the API returns
/// it, system fields (<c>_id</c>, <c>_owner</c>, <c>_createdDate</c>, ...) and <c>$date</c> values included. A
/// multi-reference field, which Wix keeps apart from the item and returns only when asked, is kept in the item as the
/// array of the referenced items' ids, all of them (a restore puts them back as references). Wix has no snapshots:
/// each collection is read as it is while it is read, and items written meanwhile may or may not be in the backup.
/// </summary>
internal sealed class WixSnapshot(WixClient client, IReadOnlyList<WixCollection> collections, IReadOnlyList<Omission> omissions) : ISiteSnapshot
{
    public IReadOnlyList<CollectionInfo> Collections { get; } = collections.Select(c => c.Info).ToList();

    /// <summary>The site's collections a backup does not take for a reason of the site's own (EXTERNAL ones, those that
    /// allow no query), named whenever the selection would have taken them.</summary>
    public IReadOnlyList<Omission> Omissions(IReadOnlyList<CollectionInfo> selected) => omissions;

    private WixCollection Find(CollectionInfo collection) => collections.First(c => c.Id == collection.Id);

    /// <summary>For progress only; a collection whose capabilities allow no count is counted as it is read.</summary>
    public Task<long> CountAsync(CollectionInfo collection, CancellationToken cancellationToken) =>
        Find(collection).Allows("COUNT") ? WixApi.CountAsync(client, Find(collection), cancellationToken) : Task.FromResult(0L);

    public Task ExportAsync(CollectionInfo info, ItemWriter items, CancellationToken cancellationToken)
    {
        var collection = Find(info);
        return WixReader.ReadAsync(client, collection, async data =>
        {
            if (collection.MultiReferences.Count == 0) items.Json.WriteRawValue(data.GetRawText(), skipInputValidation: true);
            else await WriteWithReferencesAsync(collection, data, items.Json, cancellationToken);
            items.EndItem();
        }, cancellationToken);
    }

    /// <summary>The item as Wix returned it, but each multi-reference field as the array of the referenced ids.</summary>
    private async Task WriteWithReferencesAsync(WixCollection collection, JsonElement data, Utf8JsonWriter json, CancellationToken cancellationToken)
    {
        string? id = WixReader.ItemId(data);
        json.WriteStartObject();
        foreach (var property in data.EnumerateObject())
        {
            if (!collection.MultiReferences.Any(r => r.Field == property.Name) || property.Value.ValueKind != JsonValueKind.Array)
            {
                property.WriteTo(json);
                continue;
            }
            var ids = await WixReader.ReferencedIdsAsync(client, collection, id, property.Name, property.Value, cancellationToken);
            json.WriteStartArray(property.Name);
            foreach (string referenced in ids) json.WriteStringValue(referenced);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
