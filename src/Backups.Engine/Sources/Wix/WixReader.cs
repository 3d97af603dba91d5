using System.Text.Json;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// Reads a collection's items page by page as it states it takes them: by cursor (100 items a page at most, as Wix's
/// SDK documents), or by offset where a collection takes only that, never past its <c>maxPageSize</c>; drafts, app
/// options and multi-references as <see cref="WixApi.QueryAsync"/> asks for them. A page that fails is asked for again
/// with the same cursor, so no item is lost or read twice.
/// </summary>
internal static class WixReader
{
    /// <summary>Calls <paramref name="onItem"/> with each item's <c>data</c>, in the order Wix returns them.</summary>
    public static async Task ReadAsync(WixClient client, WixCollection collection, Func<JsonElement, Task> onItem, CancellationToken cancellationToken)
    {
        string? cursor = null;
        int offset = 0;
        while (true)
        {
            using var page = await WixApi.QueryAsync(client, collection, cursor, offset, cancellationToken);
            int count = 0;
            if (page.RootElement.TryGetProperty("dataItems", out var dataItems) && dataItems.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in dataItems.EnumerateArray())
                {
                    if (!item.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                        throw new BackupException(BackupError.SiteUnreachable, $"The Wix Data API answered a query of '{collection.Id}' with an item that has no data.", collection.Id);
                    await onItem(data);
                    count++;
                }
            }
            if (collection.ByCursor)
            {
                cursor = WixApi.NextCursor(page);
                if (cursor is null) return;
            }
            else
            {
                // Offset paging has no cursor: a page shorter than asked for, or one that says nothing follows, is the last.
                offset += count;
                if (count < collection.PageSize(client.Options.QueryPageSize) || !HasNext(page)) return;
            }
        }
    }

    private static bool HasNext(JsonDocument page) =>
        !(page.RootElement.TryGetProperty("pagingMetadata", out var paging) && paging.TryGetProperty("hasNext", out var next) && next.ValueKind == JsonValueKind.False);

    /// <summary>The ids an item's multi-reference field refers to: those the query included (<paramref name="included"/>),
    /// or, when it included as many as a query can, all of them, asked for with <c>items/query-referenced</c>.</summary>
    public static async Task<List<string>> ReferencedIdsAsync(WixClient client, WixCollection collection, string? itemId, string field, JsonElement included, CancellationToken cancellationToken)
    {
        var ids = included.ValueKind == JsonValueKind.Array ? included.EnumerateArray().Select(ReferencedId).OfType<string>().ToList() : [];
        if (ids.Count < WixApi.IncludedReferences || itemId is null) return ids;
        ids.Clear();
        string? cursor = null;
        do
        {
            using var page = await WixApi.QueryReferencedAsync(client, collection, itemId, field, cursor, cancellationToken);
            if (page.RootElement.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
                foreach (var result in results.EnumerateArray())
                    if (result.TryGetProperty("dataItem", out var item) && item.TryGetProperty("data", out var data) && ReferencedId(data) is { } id)
                        ids.Add(id);
            cursor = WixApi.NextCursor(page);
        }
        while (cursor is not null);
        return ids;
    }

    /// <summary>A referenced item as Wix gives it (its data, or its id), or as an archive holds it (its id).</summary>
    public static string? ReferencedId(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("_id", out var id) && id.ValueKind == JsonValueKind.String => id.GetString(),
        _ => null,
    };

    public static string? ItemId(JsonElement data) =>
        data.TryGetProperty("_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
}
