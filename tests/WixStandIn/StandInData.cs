using System.Text.Json.Nodes;

namespace SiteBackup.WixStandIn;

/// <summary>A field of a collection as the Collections API describes it; <see cref="ReferencedCollectionId"/> for a
/// MULTI_REFERENCE (or REFERENCE) field, and <see cref="ReferencingFieldKey"/> for one side of a two-way relation
/// (the field of the referenced collection that shows the same relation from there).</summary>
public sealed record StandInField(string Key, string Type, string? ReferencedCollectionId = null, string? ReferencingFieldKey = null);

/// <summary>
/// One collection: items in the order they were first written (a cursor is the position of the last item a page
/// returned, so items written while someone pages through are neither skipped nor returned twice), the collection's
/// fields, capabilities and paging, and the multi-references its items hold. Multi-references are kept apart from
/// the items, as Wix keeps them: a query returns them only when asked (<c>includeReferences</c>), a save writes them
/// only when asked (<c>saveReferences</c>). Each field keeps its referring items' referenced ids in the order they were
/// added; a two-way relation (<see cref="StandInData.TwoWay"/>) is kept on both sides, each change to one side made
/// to the other too. Wix's documentation does not say more about how it stores them.
/// </summary>
public sealed class StandInCollection(string id, string displayName, string type)
{
    /// <summary>Every data operation of the Collections API's enum: what a native collection allows.</summary>
    public static readonly IReadOnlyList<string> AllOperations =
    [
        "AGGREGATE", "BULK_INSERT", "BULK_REMOVE", "BULK_SAVE", "BULK_UPDATE", "COUNT", "DISTINCT", "FIND", "GET", "INSERT",
        "INSERT_REFERENCE", "IS_REFERENCED", "QUERY_REFERENCED", "REMOVE", "REMOVE_REFERENCE", "REPLACE_REFERENCES", "SAVE",
        "TRUNCATE", "UPDATE", "PATCH", "BULK_PATCH",
    ];

    private long sequence;
    private readonly SortedDictionary<long, string> bySequence = [];
    private readonly Dictionary<string, long> sequenceOf = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Field, string ItemId), List<string>> references = [];

    public string Id => id;
    public string DisplayName => displayName;
    public string Type => type;
    public object Gate { get; } = new();

    /// <summary>The collection's fields (only those a test declares; Wix lists every field).</summary>
    public List<StandInField> Fields { get; } = [];

    /// <summary>What the collection allows (<c>capabilities.dataOperations</c>); a request for anything else is refused.</summary>
    public HashSet<string> Operations { get; } = new(AllOperations, StringComparer.Ordinal);

    /// <summary>The collection's <c>maxPageSize</c>, or null when it states none (the API's own caps then hold).</summary>
    public int? MaxPageSize { get; set; }

    /// <summary>The paging modes the collection takes (<c>pagingModes</c>).</summary>
    public List<string> PagingModes { get; } = ["OFFSET", "CURSOR"];

    /// <summary>An app option without which the items whose <c>visible</c> field is false are left out of queries
    /// and counts, as Wix Stores leaves hidden products out unless asked for <c>includeHiddenProducts</c>.</summary>
    public string? HiddenUnlessAppOption { get; set; }

    public bool Allows(string operation) => Operations.Contains(operation);

    /// <summary>Declares a multi-reference field referring to <paramref name="referencedCollectionId"/>.</summary>
    public StandInCollection WithReferences(string field, string referencedCollectionId)
    {
        Fields.Add(new StandInField(field, "MULTI_REFERENCE", referencedCollectionId));
        return this;
    }

    public StandInField? MultiReference(string field) =>
        Fields.FirstOrDefault(f => f.Key == field && f.Type == "MULTI_REFERENCE");

    public int Count { get { lock (Gate) return bySequence.Count; } }

    /// <summary>Inserts or replaces the item with this id, as Wix holds it: with its <c>_id</c>, and with
    /// <c>_createdDate</c> and <c>_updatedDate</c> set to now when it carries none; its multi-reference fields are not
    /// item data and are dropped (<see cref="SetReferences"/> writes them). True when it was new.</summary>
    public bool Save(string itemId, string json)
    {
        var item = JsonNode.Parse(json)!.AsObject();
        item["_id"] = itemId;
        string now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        item["_createdDate"] ??= new JsonObject { ["$date"] = now };
        item["_updatedDate"] ??= new JsonObject { ["$date"] = now };
        foreach (var field in Fields.Where(f => f.Type == "MULTI_REFERENCE")) item.Remove(field.Key);
        string data = item.ToJsonString();
        lock (Gate)
        {
            if (sequenceOf.TryGetValue(itemId, out long at))
            {
                bySequence[at] = data;
                return false;
            }
            long next = ++sequence;
            sequenceOf[itemId] = next;
            bySequence[next] = data;
            return true;
        }
    }

    public static bool IsDraft(string data) =>
        data.Contains("\"_publishStatus\":\"DRAFT\"", StringComparison.Ordinal);

    private bool IsHidden(string data, IReadOnlySet<string> appOptions) =>
        HiddenUnlessAppOption is { } option && !appOptions.Contains(option) && data.Contains("\"visible\":false", StringComparison.Ordinal);

    /// <summary>The <c>_createdDate</c> of the item with this id, or null when there is none.</summary>
    public JsonNode? CreatedDate(string itemId)
    {
        lock (Gate)
            return sequenceOf.TryGetValue(itemId, out long at) ? JsonNode.Parse(bySequence[at])!["_createdDate"] : null;
    }

    public bool Contains(string itemId) { lock (Gate) return sequenceOf.ContainsKey(itemId); }

    /// <summary>The item with this id, or null.</summary>
    public JsonObject? Item(string itemId)
    {
        lock (Gate) return sequenceOf.TryGetValue(itemId, out long at) ? JsonNode.Parse(bySequence[at])!.AsObject() : null;
    }

    /// <summary>Empties the collection, its items' references with it (<see cref="StandInData.Truncate"/> also clears
    /// the references other collections hold to it).</summary>
    public void Truncate()
    {
        lock (Gate)
        {
            bySequence.Clear();
            sequenceOf.Clear();
            references.Clear();
        }
    }

    /// <summary>Up to <paramref name="limit"/> items after position <paramref name="after"/>, and the position of the
    /// last one returned; <paramref name="more"/> says whether any item follows it. Drafts only when
    /// <paramref name="drafts"/>: Wix's documentation does not say how a draft shows in an item's data, so the
    /// stand-in marks one with <c>"_publishStatus": "DRAFT"</c>.</summary>
    public List<(long Sequence, string Data)> Page(long after, int limit, out bool more, bool drafts = true, IReadOnlySet<string>? appOptions = null)
    {
        appOptions ??= new HashSet<string>();
        lock (Gate)
        {
            var page = bySequence.Where(p => p.Key > after && (drafts || !IsDraft(p.Value)) && !IsHidden(p.Value, appOptions))
                .Take(limit + 1).Select(p => (p.Key, p.Value)).ToList();
            more = page.Count > limit;
            if (more) page.RemoveAt(limit);
            return page;
        }
    }

    /// <summary>How many items a query with these options would return.</summary>
    public int CountVisible(bool drafts, IReadOnlySet<string> appOptions)
    {
        lock (Gate) return bySequence.Values.Count(v => (drafts || !IsDraft(v)) && !IsHidden(v, appOptions));
    }

    public List<JsonObject> Items()
    {
        lock (Gate) return bySequence.Values.Select(v => JsonNode.Parse(v)!.AsObject()).ToList();
    }

    /// <summary>The ids the item's <paramref name="field"/> refers to, in the order they were added.</summary>
    public List<string> References(string field, string itemId)
    {
        lock (Gate) return references.TryGetValue((field, itemId), out var ids) ? [.. ids] : [];
    }

    /// <summary>Replaces the item's references in <paramref name="field"/> (a save with <c>saveReferences</c>).</summary>
    public void SetReferences(string field, string itemId, IEnumerable<string> referencedIds)
    {
        lock (Gate)
        {
            var ids = referencedIds.Distinct(StringComparer.Ordinal).ToList();
            if (ids.Count == 0) references.Remove((field, itemId));
            else references[(field, itemId)] = ids;
        }
    }

    /// <summary>Adds one reference; false when the item already refers to that id.</summary>
    public bool AddReference(string field, string itemId, string referencedId)
    {
        lock (Gate)
        {
            if (!references.TryGetValue((field, itemId), out var ids)) references[(field, itemId)] = ids = [];
            if (ids.Contains(referencedId, StringComparer.Ordinal)) return false;
            ids.Add(referencedId);
            return true;
        }
    }

    public void RemoveReference(string field, string itemId, string referencedId)
    {
        lock (Gate)
            if (references.TryGetValue((field, itemId), out var ids) && ids.Remove(referencedId) && ids.Count == 0) references.Remove((field, itemId));
    }

    /// <summary>Drops every reference <paramref name="field"/> holds (the collection it refers to was truncated).</summary>
    public void ClearReferences(string field)
    {
        lock (Gate)
            foreach (var key in references.Keys.Where(k => k.Field == field).ToList()) references.Remove(key);
    }

    /// <summary>Every reference the collection holds: field, referring item, referenced ids.</summary>
    public List<(string Field, string ItemId, List<string> Referenced)> AllReferences()
    {
        lock (Gate) return references.Select(r => (r.Key.Field, r.Key.ItemId, r.Value.ToList())).ToList();
    }
}

/// <summary>The sites the stand-in serves, each with its collections.</summary>
public sealed class StandInData
{
    private readonly Dictionary<string, Dictionary<string, StandInCollection>> sites = new(StringComparer.OrdinalIgnoreCase);

    public StandInCollection AddCollection(string siteId, string collectionId, string type = "NATIVE", string? displayName = null)
    {
        lock (sites)
        {
            if (!sites.TryGetValue(siteId, out var collections)) sites[siteId] = collections = new(StringComparer.Ordinal);
            return collections[collectionId] = new StandInCollection(collectionId, displayName ?? collectionId, type);
        }
    }

    public void RemoveCollection(string siteId, string collectionId)
    {
        lock (sites) if (sites.TryGetValue(siteId, out var collections)) collections.Remove(collectionId);
    }

    public bool HasSite(string siteId) { lock (sites) return sites.ContainsKey(siteId); }

    public IReadOnlyList<StandInCollection> Collections(string siteId)
    {
        lock (sites) return sites.TryGetValue(siteId, out var c) ? c.Values.OrderBy(x => x.Id, StringComparer.Ordinal).ToList() : [];
    }

    public StandInCollection? Collection(string siteId, string collectionId)
    {
        lock (sites) return sites.TryGetValue(siteId, out var c) && c.TryGetValue(collectionId, out var collection) ? collection : null;
    }

    /// <summary>Declares a two-way relation: <paramref name="field"/> of <paramref name="collection"/> refers to
    /// <paramref name="target"/>, whose <paramref name="otherField"/> shows the same relation from its side.</summary>
    public void TwoWay(string siteId, string collection, string field, string target, string otherField)
    {
        var one = Collection(siteId, collection)!;
        var other = Collection(siteId, target)!;
        one.Fields.Add(new StandInField(field, "MULTI_REFERENCE", target, otherField));
        if (!ReferenceEquals(one, other) || field != otherField) other.Fields.Add(new StandInField(otherField, "MULTI_REFERENCE", collection, field));
    }

    /// <summary>The other side of <paramref name="field"/> of <paramref name="collection"/>, when it is one side of a
    /// two-way relation.</summary>
    private (StandInCollection Collection, string Field)? OtherSide(string siteId, StandInCollection collection, string field) =>
        collection.MultiReference(field) is { ReferencingFieldKey: { } other, ReferencedCollectionId: { } target } && Collection(siteId, target) is { } c
            ? (c, other) : null;

    /// <summary>Replaces an item's references (a save with <c>saveReferences</c>), on both sides of a two-way relation.</summary>
    public void SetReferences(string siteId, StandInCollection collection, string field, string itemId, IEnumerable<string> referencedIds)
    {
        var ids = referencedIds.Distinct(StringComparer.Ordinal).ToList();
        if (OtherSide(siteId, collection, field) is { } other)
        {
            foreach (string gone in collection.References(field, itemId).Except(ids)) other.Collection.RemoveReference(other.Field, gone, itemId);
            foreach (string id in ids) other.Collection.AddReference(other.Field, id, itemId);
        }
        collection.SetReferences(field, itemId, ids);
    }

    /// <summary>Adds one reference, on both sides of a two-way relation; false when it is there already.</summary>
    public bool AddReference(string siteId, StandInCollection collection, string field, string itemId, string referencedId)
    {
        if (!collection.AddReference(field, itemId, referencedId)) return false;
        if (OtherSide(siteId, collection, field) is { } other) other.Collection.AddReference(other.Field, referencedId, itemId);
        return true;
    }

    /// <summary>Truncates a collection as Wix does: its items go, and so do the multi-references that any collection
    /// of the site (itself included) holds to it.</summary>
    public void Truncate(string siteId, StandInCollection collection)
    {
        collection.Truncate();
        foreach (var other in Collections(siteId))
            foreach (var field in other.Fields.Where(f => f.Type == "MULTI_REFERENCE" && f.ReferencedCollectionId == collection.Id))
                other.ClearReferences(field.Key);
    }
}
