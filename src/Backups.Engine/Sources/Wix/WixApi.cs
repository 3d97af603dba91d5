using System.Buffers;
using System.Text.Json;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>The Wix Data API calls the source makes (paths relative to <see cref="WixOptions.ApiBase"/>), with the
/// fields Wix's SDK sends for the same operations (WixSdkConformanceTests compares them).</summary>
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
                    collections.Add(Read(collection));
                    count++;
                }
            }
            long total = page.RootElement.TryGetProperty("pagingMetadata", out var paging) && paging.TryGetProperty("total", out var tt) && tt.TryGetInt64(out long t64) ? t64 : -1;
            if (count == 0 || (total >= 0 && collections.Count >= total) || (total < 0 && count < CollectionPage)) return collections;
        }
    }

    private static WixCollection Read(JsonElement collection)
    {
        string id = collection.GetProperty("id").GetString()!;
        string name = WixJson.Text(collection, "displayName") ?? id;
        string type = WixJson.Text(collection, "collectionType") ?? "NATIVE";
        HashSet<string>? operations = collection.TryGetProperty("capabilities", out var capabilities) && capabilities.ValueKind == JsonValueKind.Object
            && capabilities.TryGetProperty("dataOperations", out var ops) && ops.ValueKind == JsonValueKind.Array
            ? ops.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!).ToHashSet(StringComparer.Ordinal)
            : null;
        int? maxPage = collection.TryGetProperty("maxPageSize", out var m) && m.TryGetInt32(out int max) && max > 0 ? max : null;
        var modes = collection.TryGetProperty("pagingModes", out var pm) && pm.ValueKind == JsonValueKind.Array
            ? pm.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!).ToList()
            : [];
        var references = new List<WixMultiReference>();
        if (collection.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Array)
        {
            foreach (var field in fields.EnumerateArray())
            {
                if (WixJson.Text(field, "type") != "MULTI_REFERENCE" || WixJson.Text(field, "key") is not { } key) continue;
                var multi = field.TryGetProperty("typeMetadata", out var meta) && meta.ValueKind == JsonValueKind.Object
                    && meta.TryGetProperty("multiReference", out var mr) ? mr : default;
                references.Add(new WixMultiReference(key, WixJson.Text(multi, "referencedCollectionId") ?? "", WixJson.Text(multi, "referencingFieldKey")));
            }
        }
        return new WixCollection(id, name, type, operations, maxPage, modes, references);
    }

    /// <summary>The items a query returns (drafts and every app item included), for progress.</summary>
    public static async Task<long> CountAsync(WixClient client, WixCollection collection, CancellationToken cancellationToken)
    {
        using var answer = await client.PostAsync("items/count", Body(json =>
        {
            json.WriteString("dataCollectionId", collection.Id);
            json.WriteBoolean("consistentRead", true);
            ReadOptions(json, collection);
        }), collection.Id, cancellationToken);
        return answer.RootElement.GetProperty("totalCount").GetInt64();
    }

    /// <summary>
    /// One page of a query: by cursor (the first page without one, each next with the cursor the last page gave and
    /// nothing else of the query, as the SDK sends it) or, for a collection that takes offset paging only, by offset.
    /// Every page asks for a consistent read (<c>consistentRead</c>: an item written just before shows), for drafts
    /// too (<c>publishPluginOptions.includeDraftItems</c>: a site's content is its drafts as well) and with the app
    /// options that return every item. Multi-references are read apart (<see cref="QueryReferencedAsync"/>).
    /// </summary>
    public static Task<JsonDocument> QueryAsync(WixClient client, WixCollection collection, string? cursor, int offset, CancellationToken cancellationToken) =>
        client.PostAsync("items/query", Body(json =>
        {
            json.WriteString("dataCollectionId", collection.Id);
            json.WriteStartObject("query");
            json.WriteStartObject(collection.ByCursor ? "cursorPaging" : "paging");
            json.WriteNumber("limit", collection.PageSize(client.Options.QueryPageSize));
            if (collection.ByCursor && cursor is not null) json.WriteString("cursor", cursor);
            if (!collection.ByCursor) json.WriteNumber("offset", offset);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteBoolean("consistentRead", true);
            ReadOptions(json, collection);
        }), collection.Id, cancellationToken);

    /// <summary>Drafts, and the collection's app options (as the SDK sends its read options).</summary>
    private static void ReadOptions(Utf8JsonWriter json, WixCollection collection)
    {
        if (collection.AppOptions is { } options)
        {
            json.WriteStartObject("appOptions");
            foreach (var (name, value) in options) json.WriteBoolean(name, value);
            json.WriteEndObject();
        }
        json.WriteStartObject("publishPluginOptions");
        json.WriteBoolean("includeDraftItems", true);
        json.WriteEndObject();
    }

    /// <summary>
    /// One page of the items that the <paramref name="field"/> of the items <paramref name="itemIds"/> refer to
    /// (<c>items/query-referenced</c>, as the SDK's queryReferencedItems asks: every page with the referring items, the
    /// field and the cursor), drafts included. Each result names its referring item; a referenced item that does not
    /// resolve comes as its id.
    /// </summary>
    public static Task<JsonDocument> QueryReferencedAsync(WixClient client, WixCollection collection, IReadOnlyList<string> itemIds, string field, string? cursor, CancellationToken cancellationToken) =>
        client.PostAsync("items/query-referenced", Body(json =>
        {
            json.WriteString("dataCollectionId", collection.Id);
            json.WriteStartArray("referringItemIds");
            foreach (string id in itemIds) json.WriteStringValue(id);
            json.WriteEndArray();
            json.WriteString("referringItemFieldName", field);
            json.WriteStartObject("cursorPaging");
            // By cursor, as queries page, and never past the collection's own maxPageSize.
            json.WriteNumber("limit", Math.Max(1, Math.Min(client.Options.QueryPageSize, collection.MaxPageSize ?? int.MaxValue)));
            if (cursor is not null) json.WriteString("cursor", cursor);
            json.WriteEndObject();
            json.WriteBoolean("consistentRead", true);
            ReadOptions(json, collection);
        }), collection.Id, cancellationToken);

    /// <summary>The next page's cursor, or null after the last page (one that says nothing follows ends it, cursor
    /// or not).</summary>
    public static string? NextCursor(JsonDocument page) =>
        page.RootElement.TryGetProperty("pagingMetadata", out var paging) && paging.ValueKind == JsonValueKind.Object
        && !(paging.TryGetProperty("hasNext", out var more) && more.ValueKind == JsonValueKind.False)
        && paging.TryGetProperty("cursors", out var cursors) && cursors.ValueKind == JsonValueKind.Object
        && cursors.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String
        && next.GetString() is { Length: > 0 } text ? text : null;

    public static async Task TruncateAsync(WixClient client, string collectionId, CancellationToken cancellationToken)
    {
        using var _ = await client.PostAsync("items/truncate", Body(json => json.WriteString("dataCollectionId", collectionId)), collectionId, cancellationToken);
    }

    /// <summary>Adds multi-references (<c>bulk/items/insert-references</c>): each the referring item's field, its id
    /// and the referenced item's id. Null when Wix answers 413 (the call is larger than it takes): nothing was written.</summary>
    public static Task<JsonDocument?> InsertReferencesAsync(WixClient client, string collectionId, IReadOnlyList<WixReference> references, CancellationToken cancellationToken) =>
        client.PostUnlessTooLargeAsync("bulk/items/insert-references", Body(json =>
        {
            json.WriteString("dataCollectionId", collectionId);
            json.WriteStartArray("dataItemReferences");
            foreach (var reference in references)
            {
                json.WriteStartObject();
                json.WriteString("referringItemFieldName", reference.Field);
                json.WriteString("referringItemId", reference.ItemId);
                json.WriteString("referencedItemId", reference.Referenced);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }), collectionId, cancellationToken);

    /// <summary>
    /// Sends <paramref name="batch"/> in one bulk call (<paramref name="send"/> answers null when Wix answers 413:
    /// larger than it takes, nothing written); such a call is split in two halves sent one after the other, down to
    /// single entries, and an entry too large on its own goes to <paramref name="tooLarge"/>, as Wix refuses entries
    /// one by one. Each call Wix answered goes to <paramref name="answered"/> with its part of the batch. Nothing of a
    /// 413 call was written, so no entry is written twice.
    /// </summary>
    public static async Task SplitUntilItFitsAsync<T>(IReadOnlyList<T> batch, Func<IReadOnlyList<T>, Task<JsonDocument?>> send,
        Action<IReadOnlyList<T>, JsonDocument> answered, Action<T> tooLarge)
    {
        using var answer = await send(batch);
        if (answer is not null) answered(batch, answer);
        else if (batch.Count == 1) tooLarge(batch[0]);
        else
        {
            int half = batch.Count / 2;
            await SplitUntilItFitsAsync(batch.Take(half).ToList(), send, answered, tooLarge);
            await SplitUntilItFitsAsync(batch.Skip(half).ToList(), send, answered, tooLarge);
        }
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
