using System.Buffers;
using System.Text.Json;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// A collection as Wix lists it: <see cref="Type"/> is NATIVE, WIX_APP, BLOCKS_APP or EXTERNAL; <see cref="Operations"/>
/// the data operations its capabilities allow (null when the listing states none: a native collection allows all);
/// <see cref="MaxPageSize"/> and <see cref="PagingModes"/> as it states them; <see cref="MultiReferences"/> its
/// multi-reference fields (key, referenced collection).
/// </summary>
internal sealed record WixCollection(string Id, string DisplayName, string Type, IReadOnlySet<string>? Operations,
    int? MaxPageSize, IReadOnlyList<string> PagingModes, IReadOnlyList<(string Field, string Referenced)> MultiReferences)
{
    public bool Allows(string operation) => Operations is null || Operations.Contains(operation);

    /// <summary>Cursor paging unless the collection states it takes offset paging only.</summary>
    public bool ByCursor => PagingModes.Count == 0 || PagingModes.Contains("CURSOR");

    /// <summary>The page to ask for: the SDK's caps (100 by cursor, 1000 by offset) or the collection's own, if smaller.</summary>
    public int PageSize(int cursorCap) => Math.Max(1, Math.Min(ByCursor ? cursorCap : 1000, MaxPageSize ?? int.MaxValue));

    /// <summary>The app options that make a query return every item (Wix Stores leaves hidden products out unless
    /// asked). Null for a collection that needs none.</summary>
    public IReadOnlyDictionary<string, bool>? AppOptions => Id == "Stores/Products" ? StoresProducts : null;

    private static readonly Dictionary<string, bool> StoresProducts = new() { ["includeHiddenProducts"] = true };

    public CollectionInfo Info => new(Id, DisplayName);
}

/// <summary>One multi-reference: <see cref="ItemId"/>'s <see cref="Field"/> refers to <see cref="Referenced"/>.</summary>
internal sealed record WixReference(string Field, string ItemId, string Referenced);

/// <summary>The Wix Data API calls the source makes (paths relative to <see cref="WixOptions.ApiBase"/>).</summary>
internal static class WixApi
{
    private const int CollectionPage = 50;

    /// <summary>The most referenced items a query includes for one item and field (the SDK documents "up to 50");
    /// an item with that many is asked for the rest with <c>items/query-referenced</c>.</summary>
    public const int IncludedReferences = 50;

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
        string name = Text(collection, "displayName") ?? id;
        string type = Text(collection, "collectionType") ?? "NATIVE";
        HashSet<string>? operations = collection.TryGetProperty("capabilities", out var capabilities) && capabilities.ValueKind == JsonValueKind.Object
            && capabilities.TryGetProperty("dataOperations", out var ops) && ops.ValueKind == JsonValueKind.Array
            ? ops.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!).ToHashSet(StringComparer.Ordinal)
            : null;
        int? maxPage = collection.TryGetProperty("maxPageSize", out var m) && m.TryGetInt32(out int max) && max > 0 ? max : null;
        var modes = collection.TryGetProperty("pagingModes", out var pm) && pm.ValueKind == JsonValueKind.Array
            ? pm.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!).ToList()
            : [];
        var references = new List<(string, string)>();
        if (collection.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Array)
        {
            foreach (var field in fields.EnumerateArray())
            {
                if (Text(field, "type") != "MULTI_REFERENCE" || Text(field, "key") is not { } key) continue;
                string referenced = field.TryGetProperty("typeMetadata", out var meta) && meta.ValueKind == JsonValueKind.Object
                    && meta.TryGetProperty("multiReference", out var multi) && Text(multi, "referencedCollectionId") is { } r ? r : "";
                references.Add((key, referenced));
            }
        }
        return new WixCollection(id, name, type, operations, maxPage, modes, references);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

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
    /// too (<c>publishPluginOptions.includeDraftItems</c>: a site's content is its drafts as well), for the collection's
    /// multi-reference fields (<c>includeReferences</c>, which a query otherwise leaves out) and with the app options
    /// that return every item.
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
            if (collection.MultiReferences.Count > 0)
            {
                json.WriteStartArray("includeReferences");
                foreach (var (field, _) in collection.MultiReferences)
                {
                    json.WriteStartObject();
                    json.WriteString("field", field);
                    json.WriteNumber("limit", IncludedReferences);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
        }), collection.Id, cancellationToken);

    /// <summary>Drafts, and the collection's app options.</summary>
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

    /// <summary>One page of the items <paramref name="field"/> of one item refers to (<c>items/query-referenced</c>), by
    /// cursor, 100 a page.</summary>
    public static Task<JsonDocument> QueryReferencedAsync(WixClient client, WixCollection collection, string itemId, string field, string? cursor, CancellationToken cancellationToken) =>
        client.PostAsync("items/query-referenced", Body(json =>
        {
            json.WriteString("dataCollectionId", collection.Id);
            if (cursor is null)
            {
                json.WriteStartArray("referringItemIds");
                json.WriteStringValue(itemId);
                json.WriteEndArray();
                json.WriteString("referringItemFieldName", field);
            }
            json.WriteStartObject("cursorPaging");
            json.WriteNumber("limit", client.Options.QueryPageSize);
            if (cursor is not null) json.WriteString("cursor", cursor);
            json.WriteEndObject();
            json.WriteBoolean("consistentRead", true);
        }), collection.Id, cancellationToken);

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

    /// <summary>Adds multi-references (<c>bulk/items/insert-references</c>): each the referring item's field, its id
    /// and the referenced item's id.</summary>
    public static Task<JsonDocument> InsertReferencesAsync(WixClient client, string collectionId, IReadOnlyList<WixReference> references, CancellationToken cancellationToken) =>
        client.PostAsync("bulk/items/insert-references", Body(json =>
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
