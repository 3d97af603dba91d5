using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Sources.Wix;
using SiteBackup.WixStandIn;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// A Wix site on the local stand-in of the Wix Data API (tests/WixStandIn), made, changed and read back through the
/// stand-in's own data, never through SiteBackup. Each fixture has its own server and a random site id.
/// </summary>
public sealed class WixFixture : ISiteFixture
{
    private readonly StandInServer _server;

    public WixFixture(StandInOptions? options = null, WixOptions? client = null)
    {
        _server = new StandInServer(options ?? new StandInOptions { RateLimit = 0 });
        _server.StartAsync().GetAwaiter().GetResult();
        ClientOptions = (client ?? Fast) with { ApiBase = _server.ApiBase };
    }

    /// <summary>The settings SiteBackup's Wix client is given for this fixture's stand-in.</summary>
    public WixOptions ClientOptions { get; }

    /// <summary>Opens <paramref name="site"/> (this fixture's by default) against this fixture's stand-in.</summary>
    public ISiteSource Open(string? site = null, NetworkCredential? credential = null) =>
        WixSiteKind.Open(site ?? Site, credential ?? Credential, ClientOptions);

    ISiteSource ISiteFixture.Open() => Open();

    /// <summary>Client options for tests: retries after milliseconds instead of seconds, no pacing.</summary>
    public static WixOptions Fast => new() { RetryDelay = TimeSpan.FromMilliseconds(5), MaxRetryDelay = TimeSpan.FromMilliseconds(200), RequestsPerMinute = 6_000_000 };

    public string SiteId { get; } = Guid.NewGuid().ToString();
    public StandInServer Server => _server;
    public string Site => $"wix://{SiteId}";
    public NetworkCredential? Credential => new("", _server.Options.ApiKey);

    public Task CreateSampleAsync()
    {
        var people = Add("people");
        string[] names = ["Ada", "Brian", "Chloé", "Dmitri", "名前"];
        string[] scores = ["9.5", "7.0", "null", "1e300", "-0.25"];
        for (int i = 1; i <= 5; i++)
        {
            string id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            people.Save(id, "{\"_id\":\"" + id + "\",\"_owner\":\"owner-1\",\"_createdDate\":{\"$date\":\"2024-02-0" + id + "T10:00:00.000Z\"}," +
                "\"_updatedDate\":{\"$date\":\"2024-03-01T00:00:00.000Z\"},\"name\":\"" + names[i - 1] + "\",\"score\":" + scores[i - 1] + "," +
                "\"tags\":[\"a\",\"b\"],\"address\":{\"city\":\"Kraków\",\"zip\":null}}");
        }
        var orders = Add("orders");
        orders.Save("o1", """{"_id":"o1","person":"1","total":10.0,"placed":{"$date":"2024-04-01T08:30:00.000Z"}}""");
        orders.Save("o2", """{"_id":"o2","person":"1","total":20.5}""");
        orders.Save("o3", """{"_id":"o3","person":"2","total":3.0,"items":[{"sku":"x","qty":2}]}""");
        Add("empty");
        return Task.CompletedTask;
    }

    public StandInCollection Add(string collection, string type = "NATIVE") => _server.Data.AddCollection(SiteId, collection, type);

    public StandInCollection Collection(string collection) =>
        _server.Data.Collection(SiteId, collection) ?? throw new InvalidOperationException($"no collection {collection}");

    public Task CreatePeopleCopyAsync()
    {
        Add("people_copy");
        return Task.CompletedTask;
    }

    public Task ChangeAsync()
    {
        Collection("orders").Truncate();
        var people = Collection("people");
        foreach (var person in people.Items())
        {
            person["name"] = "changed";
            people.Save(person["_id"]!.GetValue<string>(), person.ToJsonString());
        }
        return Task.CompletedTask;
    }

    public Task DeleteAllAsync(string collection)
    {
        Collection(collection).Truncate();
        return Task.CompletedTask;
    }

    public Task AddPersonAsync(int id, string name)
    {
        Collection("people").Save(id.ToString(System.Globalization.CultureInfo.InvariantCulture), new JsonObject { ["_id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["name"] = name }.ToJsonString());
        return Task.CompletedTask;
    }

    public Task<long> CountAsync(string collection) => Task.FromResult((long)Collection(collection).Count);

    public Task DropAsync(string collection)
    {
        _server.Data.RemoveCollection(SiteId, collection);
        return Task.CompletedTask;
    }

    /// <summary>Every item's JSON text as the stand-in holds it, by collection and then by _id, without the two
    /// fields Wix (and so the stand-in) sets itself on every write, <c>_createdDate</c> and <c>_updatedDate</c> (a
    /// restore cannot give them back, and its record says so: RestorationCollection.NotKept); then every multi-reference
    /// the collection holds, by field and item, with the referenced ids in the order they were added.</summary>
    public Task<string> DumpAsync()
    {
        var dump = new StringBuilder();
        foreach (var collection in _server.Data.Collections(SiteId))
        {
            dump.Append("-- ").Append(collection.Id).Append('\n');
            foreach (var item in collection.Items().OrderBy(i => i["_id"]!.GetValue<string>(), StringComparer.Ordinal))
            {
                item.Remove("_createdDate");
                item.Remove("_updatedDate");
                dump.Append(item.ToJsonString()).Append('\n');
            }
            foreach (var (field, item, referenced) in collection.AllReferences().OrderBy(r => r.Field, StringComparer.Ordinal).ThenBy(r => r.ItemId, StringComparer.Ordinal))
                dump.Append("ref ").Append(field).Append(' ').Append(item).Append(" -> ").AppendJoin(',', referenced).Append('\n');
        }
        return Task.FromResult(dump.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
    }
}
