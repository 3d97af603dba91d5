using System.Text.Json;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// Reads a collection's items page by page as it states it takes them: by cursor (100 items a page at most, as Wix's
/// SDK documents), or by offset where a collection takes only that, never past its <c>maxPageSize</c>; drafts and app
/// options as <see cref="WixApi.QueryAsync"/> asks for them. A page that fails is asked for again with the same cursor,
/// so no item is lost or read twice; by offset, items written while the collection is read may shift between pages
/// (which is why cursor paging is used wherever a collection takes it). Each page's multi-references are read for the
/// whole page at once (<see cref="ReferencesAsync"/>).
/// </summary>
internal static class WixReader
{
    /// <summary>Calls <paramref name="onPage"/> with each page's items' <c>data</c>, in the order Wix returns them.</summary>
    public static async Task ReadAsync(WixClient client, WixCollection collection, Func<IReadOnlyList<JsonElement>, Task> onPage, CancellationToken cancellationToken)
    {
        string? cursor = null;
        int offset = 0;
        while (true)
        {
            using var page = await WixApi.QueryAsync(client, collection, cursor, offset, cancellationToken);
            var items = new List<JsonElement>();
            if (page.RootElement.TryGetProperty("dataItems", out var dataItems) && dataItems.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in dataItems.EnumerateArray())
                {
                    if (!item.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                        throw new BackupException(BackupError.SiteUnreachable, $"The Wix Data API answered a query of '{collection.Id}' with an item that has no data.", collection.Id);
                    items.Add(data);
                }
            }
            await onPage(items);
            if (collection.ByCursor)
            {
                cursor = WixApi.NextCursor(page);
                if (cursor is null) return;
            }
            else
            {
                // Offset paging goes on while the answer says more follows; an answer that does not say stops at the
                // first page shorter than asked for.
                offset += items.Count;
                bool? more = page.RootElement.TryGetProperty("pagingMetadata", out var paging) && paging.TryGetProperty("hasNext", out var next)
                    && next.ValueKind is JsonValueKind.True or JsonValueKind.False ? next.ValueKind == JsonValueKind.True : null;
                if (items.Count == 0 || more == false || (more is null && items.Count < collection.PageSize(client.Options.QueryPageSize))) return;
            }
        }
    }

    /// <summary>
    /// The ids the <paramref name="field"/> of each of <paramref name="itemIds"/> refers to, in the order Wix gives
    /// them (the order they were referenced), drafts and references Wix cannot resolve included (those come as their
    /// id). An item that refers to nothing is not in the map.
    /// </summary>
    public static async Task<Dictionary<string, List<string>>> ReferencesAsync(WixClient client, WixCollection collection, IReadOnlyList<string> itemIds, string field, CancellationToken cancellationToken)
    {
        var references = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (itemIds.Count == 0) return references;
        string? cursor = null;
        do
        {
            using var page = await WixApi.QueryReferencedAsync(client, collection, itemIds, field, cursor, cancellationToken);
            if (page.RootElement.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
            {
                foreach (var result in results.EnumerateArray())
                {
                    var unresolved = result.TryGetProperty("unresolvedReference", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
                    string? referring = WixJson.Text(result, "referringItemId") ?? WixJson.Text(unresolved, "referringItemId") ?? (itemIds.Count == 1 ? itemIds[0] : null);
                    string? referenced = result.TryGetProperty("dataItem", out var item) && item.TryGetProperty("data", out var data)
                        ? WixJson.ItemId(data) ?? WixJson.Text(item, "id")
                        : WixJson.Text(unresolved, "referencedItemId");
                    if (referring is null || referenced is null)
                        throw new BackupException(BackupError.SiteUnreachable,
                            $"The Wix Data API answered a query of the references in '{collection.Id}'.'{field}' with a result that names no referring or referenced item.", collection.Id);
                    if (!references.TryGetValue(referring, out var ids)) references[referring] = ids = [];
                    ids.Add(referenced);
                }
            }
            cursor = WixApi.NextCursor(page);
        }
        while (cursor is not null);
        return references;
    }
}
