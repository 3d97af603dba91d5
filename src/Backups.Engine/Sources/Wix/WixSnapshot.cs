using System.Text.Json;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// Reads collections with cursor paging, 100 items a page (the most Wix's SDK documents), drafts included, keeping each item's <c>data</c>
/// exactly as the API returns it, system fields (<c>_id</c>, <c>_owner</c>, <c>_createdDate</c>, ...) and
/// <c>$date</c> values included. Wix has no snapshots: each collection is read as it is while it is read, and items
/// written meanwhile may or may not be in the backup. A page that fails is asked for again with the same cursor,
/// so no item is lost or read twice.
/// </summary>
internal sealed class WixSnapshot(WixClient client, IReadOnlyList<CollectionInfo> collections) : ISiteSnapshot
{
    public IReadOnlyList<CollectionInfo> Collections => collections;

    public Task<long> CountAsync(CollectionInfo collection, CancellationToken cancellationToken) =>
        WixApi.CountAsync(client, collection.Id, cancellationToken);

    public async Task ExportAsync(CollectionInfo collection, ItemWriter items, CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            using var page = await WixApi.QueryAsync(client, collection.Id, cursor, cancellationToken);
            if (page.RootElement.TryGetProperty("dataItems", out var dataItems) && dataItems.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in dataItems.EnumerateArray())
                {
                    if (!item.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                        throw new BackupException(BackupError.SiteUnreachable, $"The Wix Data API answered a query of '{collection.Id}' with an item that has no data.", collection.Id);
                    items.Json.WriteRawValue(data.GetRawText(), skipInputValidation: true);
                    items.EndItem();
                }
            }
            cursor = WixApi.NextCursor(page);
        }
        while (cursor is not null);
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
