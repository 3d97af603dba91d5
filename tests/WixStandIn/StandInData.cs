using System.Text.Json.Nodes;

namespace SiteBackup.WixStandIn;

/// <summary>One collection: items in the order they were first written (a cursor is the position of the last item a
/// page returned, so items written while someone pages through are neither skipped nor returned twice).</summary>
public sealed class StandInCollection(string id, string displayName, string type)
{
    private long sequence;
    private readonly SortedDictionary<long, string> bySequence = [];
    private readonly Dictionary<string, long> sequenceOf = new(StringComparer.Ordinal);

    public string Id => id;
    public string DisplayName => displayName;
    public string Type => type;
    public object Gate { get; } = new();

    public int Count { get { lock (Gate) return bySequence.Count; } }

    /// <summary>Inserts or replaces the item with this id, as Wix holds it: with its <c>_id</c>, and with
    /// <c>_createdDate</c> and <c>_updatedDate</c> set to now when it carries none. True when it was new.</summary>
    public bool Save(string itemId, string json)
    {
        var item = JsonNode.Parse(json)!.AsObject();
        item["_id"] = itemId;
        string now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        item["_createdDate"] ??= new JsonObject { ["$date"] = now };
        item["_updatedDate"] ??= new JsonObject { ["$date"] = now };
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

    private static bool IsDraft(string data) =>
        data.Contains("\"_publishStatus\":\"DRAFT\"", StringComparison.Ordinal);

    /// <summary>The <c>_createdDate</c> of the item with this id, or null when there is none.</summary>
    public JsonNode? CreatedDate(string itemId)
    {
        lock (Gate)
            return sequenceOf.TryGetValue(itemId, out long at) ? JsonNode.Parse(bySequence[at])!["_createdDate"] : null;
    }

    public bool Contains(string itemId) { lock (Gate) return sequenceOf.ContainsKey(itemId); }

    public void Truncate()
    {
        lock (Gate)
        {
            bySequence.Clear();
            sequenceOf.Clear();
        }
    }

    /// <summary>Up to <paramref name="limit"/> items after position <paramref name="after"/>, and the position of the
    /// last one returned; <paramref name="more"/> says whether any item follows it. Drafts only when
    /// <paramref name="drafts"/>: Wix's documentation does not say how a draft shows in an item's data, so the
    /// stand-in marks one with <c>"_publishStatus": "DRAFT"</c>.</summary>
    public List<(long Sequence, string Data)> Page(long after, int limit, out bool more, bool drafts = true)
    {
        lock (Gate)
        {
            var page = bySequence.Where(p => p.Key > after && (drafts || !IsDraft(p.Value))).Take(limit + 1).Select(p => (p.Key, p.Value)).ToList();
            more = page.Count > limit;
            if (more) page.RemoveAt(limit);
            return page;
        }
    }

    public List<JsonObject> Items()
    {
        lock (Gate) return bySequence.Values.Select(v => JsonNode.Parse(v)!.AsObject()).ToList();
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
}
