using System.Buffers;
using System.Text.Json;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>A collection as Wix lists it; <see cref="Type"/> is NATIVE, WIX_APP, BLOCKS_APP or EXTERNAL.</summary>
internal sealed record WixCollection(string Id, string DisplayName, string Type);

/// <summary>The Wix Data API calls the source makes (paths relative to <see cref="WixOptions.ApiBase"/>).</summary>
internal static class WixApi
{
    private const int CollectionPage = 50;

    public static async Task<List<WixCollection>> ListCollectionsAsync(WixClient client, CancellationToken cancellationToken)
    {
        var collections = new List<WixCollection>();
        while (true)
        {
            using var page = await client.GetAsync($"collections?paging.limit={CollectionPage}&paging.offset={collections.Count}", cancellationToken);
            var listed = page.RootElement.TryGetProperty("collections", out var c) && c.ValueKind == JsonValueKind.Array ? c : default;
            int count = 0;
            if (listed.ValueKind == JsonValueKind.Array)
            {
                foreach (var collection in listed.EnumerateArray())
                {
                    string id = collection.GetProperty("id").GetString()!;
                    string name = collection.TryGetProperty("displayName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : id;
                    string type = collection.TryGetProperty("collectionType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "NATIVE";
                    collections.Add(new WixCollection(id, name, type));
                    count++;
                }
            }
            long total = page.RootElement.TryGetProperty("pagingMetadata", out var paging) && paging.TryGetProperty("total", out var tt) && tt.TryGetInt64(out long t64) ? t64 : -1;
            if (count == 0 || (total >= 0 && collections.Count >= total) || (total < 0 && count < CollectionPage)) return collections;
        }
    }

    public static async Task<long> CountAsync(WixClient client, string collectionId, CancellationToken cancellationToken)
    {
        using var answer = await client.PostAsync("items/count", Body(json => json.WriteString("dataCollectionId", collectionId)), collectionId, cancellationToken);
        return answer.RootElement.GetProperty("totalCount").GetInt64();
    }

    /// <summary>One page of a query by cursor: the first without a cursor, each next with only the cursor the last
    /// page gave. Reads are consistent (<c>consistentRead</c>), so an item written just before shows, and take
    /// drafts too (<c>publishPluginOptions.includeDraftItems</c>): a site's content is its drafts as well.</summary>
    public static Task<JsonDocument> QueryAsync(WixClient client, string collectionId, string? cursor, CancellationToken cancellationToken) =>
        client.PostAsync("items/query", Body(json =>
        {
            json.WriteString("dataCollectionId", collectionId);
            json.WriteStartObject("query");
            json.WriteStartObject("cursorPaging");
            json.WriteNumber("limit", client.Options.QueryPageSize);
            if (cursor is not null) json.WriteString("cursor", cursor);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteBoolean("consistentRead", true);
            json.WriteStartObject("publishPluginOptions");
            json.WriteBoolean("includeDraftItems", true);
            json.WriteEndObject();
        }), collectionId, cancellationToken);

    /// <summary>The next page's cursor, or null after the last page.</summary>
    public static string? NextCursor(JsonDocument page) =>
        page.RootElement.TryGetProperty("pagingMetadata", out var paging)
        && paging.TryGetProperty("cursors", out var cursors) && cursors.ValueKind == JsonValueKind.Object
        && cursors.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String
        && next.GetString() is { Length: > 0 } text ? text : null;

    public static async Task TruncateAsync(WixClient client, string collectionId, CancellationToken cancellationToken)
    {
        using var _ = await client.PostAsync("items/truncate", Body(json => json.WriteString("dataCollectionId", collectionId)), collectionId, cancellationToken);
    }

    /// <summary>A JSON object body written by <paramref name="write"/>.</summary>
    public static ReadOnlyMemory<byte> Body(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }
}
