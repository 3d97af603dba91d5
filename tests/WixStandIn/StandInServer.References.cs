using System.Text;
using System.Text.Json.Nodes;

namespace SiteBackup.WixStandIn;

/// <summary>One request the stand-in received: method, path under <c>/wix-data/v2/</c>, query string and body.</summary>
public sealed record RecordedRequest(string Method, string Path, string QueryString, string? Body);

/// <summary>Collections as the Collections API describes them, multi-references, and app options.</summary>
public sealed partial class StandInServer
{
    /// <summary>The most referenced items a query includes for one item and field: the SDK documents "up to 50".</summary>
    public const int MaxIncludedReferences = 50;

    /// <summary>A collection as <c>GET collections</c> lists it.</summary>
    private static JsonObject Describe(StandInCollection c)
    {
        var fields = new JsonArray(c.Fields.Select(f =>
        {
            var field = new JsonObject { ["key"] = f.Key, ["displayName"] = f.Key, ["type"] = f.Type, ["systemField"] = false };
            if (f.Type == "MULTI_REFERENCE")
                field["typeMetadata"] = new JsonObject
                {
                    ["multiReference"] = f.ReferencingFieldKey is null
                        ? new JsonObject { ["referencedCollectionId"] = f.ReferencedCollectionId }
                        : new JsonObject { ["referencedCollectionId"] = f.ReferencedCollectionId, ["referencingFieldKey"] = f.ReferencingFieldKey },
                };
            else if (f.Type == "REFERENCE")
                field["typeMetadata"] = new JsonObject { ["reference"] = new JsonObject { ["referencedCollectionId"] = f.ReferencedCollectionId } };
            return (JsonNode)field;
        }).ToArray());
        var described = new JsonObject
        {
            ["id"] = c.Id,
            ["displayName"] = c.DisplayName,
            ["collectionType"] = c.Type,
            ["fields"] = fields,
            ["capabilities"] = new JsonObject
            {
                ["dataOperations"] = new JsonArray(c.Operations.Order(StringComparer.Ordinal).Select(o => (JsonNode)o).ToArray()),
                ["collectionOperations"] = new JsonArray(),
            },
            ["pagingModes"] = new JsonArray(c.PagingModes.Select(m => (JsonNode)m).ToArray()),
        };
        if (c.MaxPageSize is { } max) described["maxPageSize"] = max;
        return described;
    }

    /// <summary>The app options a request sets to true (<c>appOptions</c>).</summary>
    private static HashSet<string> AppOptions(JsonObject body) =>
        body["appOptions"] is JsonObject options
            ? options.Where(o => o.Value is JsonValue v && v.TryGetValue(out bool on) && on).Select(o => o.Key).ToHashSet(StringComparer.Ordinal)
            : [];

    /// <summary>The multi-reference fields a query asks to include (<c>includeReferences: [{field, limit}]</c>), or null
    /// and a 400 for a field that is no multi-reference (WDE0020) or a limit past 50.</summary>
    private static List<(string Field, int Limit)>? Included(StandInCollection collection, JsonObject body, out (int, JsonObject) refused)
    {
        refused = default;
        var included = new List<(string, int)>();
        if (body["includeReferences"] is not JsonArray asked) return included;
        foreach (var entry in asked)
        {
            string field = entry?["field"]?.GetValue<string>() ?? throw new InvalidOperationException("includeReferences[].field is required");
            int limit = entry["limit"]?.GetValue<int>() ?? MaxIncludedReferences;
            if (collection.MultiReference(field) is null)
            {
                refused = (400, ErrorBody($"Provided property [{field}] is not a multi-reference field.", "WDE0020"));
                return null;
            }
            if (limit < 1 || limit > MaxIncludedReferences)
            {
                refused = (400, ErrorBody($"includeReferences limit must be between 1 and {MaxIncludedReferences}", "INVALID_ARGUMENT"));
                return null;
            }
            included.Add((field, limit));
        }
        return included;
    }

    /// <summary>A page as <c>dataItems</c>, each included multi-reference field an array of the referenced items'
    /// data: those that exist, drafts only when the query asks for drafts (the SDK does not say how Wix treats a draft
    /// referenced item here: the stand-in leaves it out, the stricter).</summary>
    private JsonArray Items(string siteId, StandInCollection collection, List<(long Sequence, string Data)> page, IReadOnlyList<(string Field, int Limit)> included, bool drafts) =>
        new(page.Select(p =>
        {
            var data = JsonNode.Parse(p.Data)!.AsObject();
            string id = data["_id"]!.GetValue<string>();
            foreach (var (field, limit) in included)
                data[field] = new JsonArray(Resolve(siteId, collection, field, collection.References(field, id), drafts)
                    .OfType<JsonObject>().Take(limit).Select(r => (JsonNode)r).ToArray());
            return (JsonNode)new JsonObject { ["id"] = id, ["dataCollectionId"] = collection.Id, ["data"] = data };
        }).ToArray());

    /// <summary>Each referenced item in reference order: its data, or null where it does not resolve (it is gone, or
    /// a draft and drafts were not asked for).</summary>
    private IEnumerable<JsonObject?> Resolve(string siteId, StandInCollection collection, string field, List<string> ids, bool drafts)
    {
        var target = Data.Collection(siteId, collection.MultiReference(field)!.ReferencedCollectionId!);
        foreach (string id in ids)
            yield return target?.Item(id) is { } item && (drafts || !StandInCollection.IsDraft(item.ToJsonString())) ? item : null;
    }

    /// <summary>A multi-reference value as a save gives it: item ids, or items with an <c>_id</c>.</summary>
    private static IEnumerable<string> ReferencedIds(JsonArray values) =>
        values.Select(v => v is JsonObject o ? o["_id"]?.GetValue<string>() : v?.GetValue<string>()).OfType<string>();

    /// <summary><c>bulk/items/insert-references</c>: at most 1000 references a call, a result for each (WDE0073 for an
    /// item that does not exist). A reference that
    /// is already there is refused with WDE0074: the SDK does not say what Wix does, so the stand-in takes the
    /// stricter answer (a client that retries must count it as done).</summary>
    private (int, JsonObject) InsertReferences(string siteId, JsonObject body)
    {
        if (Find(siteId, body, "INSERT_REFERENCE", out var refused) is not { } collection) return refused;
        var references = body["dataItemReferences"]?.AsArray() ?? throw new InvalidOperationException("dataItemReferences is required");
        if (references.Count > Options.MaxBulk)
            return (400, ErrorBody($"A bulk request takes at most {Options.MaxBulk} references", "INVALID_ARGUMENT"));
        // A field that is no multi-reference refuses the whole call: the SDK does not say whether Wix refuses it per
        // reference or whole, and the whole is the stricter.
        if (references.Select(r => r?["referringItemFieldName"]?.GetValue<string>() ?? "").FirstOrDefault(f => collection.MultiReference(f) is null) is { } notReference)
            return (400, ErrorBody($"Provided property [{notReference}] is not a multi-reference field.", "WDE0020"));
        var results = new JsonArray();
        int successes = 0, failures = 0;
        for (int i = 0; i < references.Count; i++)
        {
            string field = references[i]?["referringItemFieldName"]?.GetValue<string>() ?? "";
            string referring = references[i]?["referringItemId"]?.GetValue<string>() ?? "";
            string referenced = references[i]?["referencedItemId"]?.GetValue<string>() ?? "";
            (string Code, string Message)? error = null;
            var definition = collection.MultiReference(field)!;
            if (!collection.Contains(referring))
                error = ("WDE0073", $"Item [{referring}] does not exist in collection [{collection.Id}].");
            else if (Data.Collection(siteId, definition.ReferencedCollectionId!) is not { } target || !target.Contains(referenced))
                error = ("WDE0073", $"Item [{referenced}] does not exist in collection [{definition.ReferencedCollectionId}].");
            else if (!Data.AddReference(siteId, collection, field, referring, referenced))
                error = ("WDE0074", $"Item [{referring}] already refers to [{referenced}] in [{field}].");
            var meta = new JsonObject { ["id"] = referring, ["originalIndex"] = i, ["success"] = error is null };
            if (error is { } e) meta["error"] = new JsonObject { ["code"] = e.Code, ["description"] = e.Message };
            results.Add(new JsonObject { ["action"] = error is null ? "INSERT" : "UNKNOWN_ACTION_TYPE", ["referenceMetadata"] = meta });
            if (error is null) successes++; else failures++;
        }
        return (200, new JsonObject
        {
            ["results"] = results,
            ["bulkActionMetadata"] = new JsonObject { ["totalSuccesses"] = successes, ["totalFailures"] = failures },
        });
    }

    /// <summary>
    /// <c>items/query-referenced</c>: the items <c>referringItemFieldName</c> of the referring items
    /// (<c>referringItemIds</c>, or the older <c>referringItemId</c>) refers to, referring item by referring item, each
    /// result naming its <c>referringItemId</c>; a referenced item that is gone, or a draft when drafts are not asked for
    /// (<c>publishPluginOptions.includeDraftItems</c>), comes as an <c>unresolvedReference</c> with its id, as the SDK
    /// reads it. Pages by cursor (the cursor carries the rest of the request, as the SDK's query of referenced items
    /// sends it again anyway) or offset, at most 100 a page and never past the referring collection's maxPageSize: the
    /// SDK states no cap, the stand-in takes the cursor cap of queries and the collection's own (the stricter).
    /// </summary>
    private (int, JsonObject) QueryReferenced(string siteId, JsonObject body)
    {
        if (Find(siteId, body, "QUERY_REFERENCED", out var refused) is not { } collection) return refused;
        int offset = 0;
        var cursorPaging = body["cursorPaging"];
        string field;
        List<string> referring;
        bool drafts;
        if (cursorPaging?["cursor"]?.GetValue<string>() is { } cursor)
        {
            string[] parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split('\n');
            if (parts.Length < 4 || parts[0] != collection.Id) return (400, ErrorBody("Invalid cursor", "INVALID_CURSOR"));
            offset = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            drafts = parts[2] == "drafts";
            field = parts[3];
            referring = parts.Skip(4).ToList();
        }
        else
        {
            field = body["referringItemFieldName"]?.GetValue<string>() ?? throw new InvalidOperationException("referringItemFieldName is required");
            referring = body["referringItemIds"] is JsonArray ids ? ids.Select(i => i!.GetValue<string>()).ToList()
                : body["referringItemId"]?.GetValue<string>() is { } one ? [one] : throw new InvalidOperationException("referringItemIds is required");
            offset = body["paging"]?["offset"]?.GetValue<int>() ?? 0;
            drafts = body["publishPluginOptions"]?["includeDraftItems"]?.GetValue<bool>() ?? false;
        }
        int limit = cursorPaging?["limit"]?.GetValue<int>() ?? body["paging"]?["limit"]?.GetValue<int>() ?? Options.DefaultPage;
        int most = Math.Min(Options.MaxCursorPage, collection.MaxPageSize ?? int.MaxValue);
        if (limit < 1 || limit > most)
            return (400, ErrorBody($"The page limit must be between 1 and {most}", "INVALID_ARGUMENT"));
        if (collection.MultiReference(field) is not { } definition)
            return (400, ErrorBody($"Provided property [{field}] is not a multi-reference field.", "WDE0020"));
        var all = referring.SelectMany(r =>
        {
            var ids = collection.References(field, r);
            return ids.Zip(Resolve(siteId, collection, field, ids, drafts), (id, item) => (Referring: r, Id: id, Item: item));
        }).ToList();
        var page = all.Skip(offset).Take(limit).ToList();
        bool more = offset + page.Count < all.Count;
        var cursors = new JsonObject();
        if (more)
            cursors["next"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\n',
                new[] { collection.Id, (offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture), drafts ? "drafts" : "live", field }.Concat(referring))));
        return (200, new JsonObject
        {
            ["results"] = new JsonArray(page.Select(r => (JsonNode)(r.Item is { } item
                ? new JsonObject
                {
                    ["referringItemId"] = r.Referring,
                    ["dataItem"] = new JsonObject { ["id"] = r.Id, ["dataCollectionId"] = definition.ReferencedCollectionId, ["data"] = item },
                }
                : new JsonObject
                {
                    ["referringItemId"] = r.Referring,
                    ["unresolvedReference"] = new JsonObject { ["referringItemId"] = r.Referring, ["referringItemFieldName"] = field, ["referencedItemId"] = r.Id },
                })).ToArray()),
            ["pagingMetadata"] = new JsonObject { ["count"] = page.Count, ["cursors"] = cursors, ["hasNext"] = more },
        });
    }
}
