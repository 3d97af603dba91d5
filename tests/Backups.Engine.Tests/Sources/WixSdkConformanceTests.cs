using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Tests.Support;
using SiteBackup.WixStandIn;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// Wix's official JavaScript SDK (<c>@wix/sdk</c>, <c>@wix/data</c>, pinned and installed by build.ps1 into
/// out/tools/wix-sdk, named in SITEBACKUP_TEST_WIXSDK) drives the stand-in (tests/WixSdk/conformance.cjs): every call
/// SiteBackup makes, with assertions on the SDK's own results, so a stand-in that strays from what the real client
/// expects fails here. Then SiteBackup's requests for the same operations are compared with the SDK's, path, query
/// string and body, field by field; the differences that are allowed are listed below, each with its reason.
/// </summary>
public sealed class WixSdkConformanceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string SdkFolder => Environment.GetEnvironmentVariable("SITEBACKUP_TEST_WIXSDK")
        ?? throw new InvalidOperationException("SITEBACKUP_TEST_WIXSDK is not set: run the tests through build.ps1 -Task Test, which installs Wix's SDK.");

    /// <summary>The site both runs see: people (250, every fifth a draft; friends refers to people, p000 to 120 of
    /// them), people_copy (empty), authors and books referring to each other, and App/Limited, an app collection of 30
    /// with a maxPageSize of 20, offset paging only and no TRUNCATE.</summary>
    private static void Seed(WixFixture site)
    {
        var people = site.Add("people").WithReferences("friends", "people");
        for (int i = 0; i < 250; i++)
            people.Save($"p{i:D3}", new JsonObject { ["_id"] = $"p{i:D3}", ["title"] = $"person {i}", ["_publishStatus"] = i % 5 == 4 ? "DRAFT" : "PUBLISHED" }.ToJsonString());
        people.SetReferences("friends", "p000", Enumerable.Range(1, 120).Select(i => $"p{i:D3}"));
        for (int i = 1; i < 250; i++) people.SetReferences("friends", $"p{i:D3}", [$"p{(i + 1) % 250:D3}", $"p{(i + 2) % 250:D3}"]);
        people.SetReferences("friends", "p010", ["p011", "p012", "gone"]); // a reference to an item that is gone
        site.Add("people_copy").WithReferences("friends", "people");
        var authors = site.Add("authors").WithReferences("books", "books");
        var books = site.Add("books").WithReferences("authors", "authors");
        for (int i = 0; i < 10; i++)
        {
            authors.Save($"a{i:D3}", new JsonObject { ["_id"] = $"a{i:D3}", ["title"] = $"author {i}" }.ToJsonString());
            books.Save($"b{i:D3}", new JsonObject { ["_id"] = $"b{i:D3}", ["title"] = $"book {i}" }.ToJsonString());
        }
        for (int i = 0; i < 10; i++)
        {
            authors.SetReferences("books", $"a{i:D3}", [$"b{i:D3}"]);
            books.SetReferences("authors", $"b{i:D3}", [$"a{i:D3}"]);
        }
        var limited = site.Add("App/Limited", "WIX_APP");
        limited.MaxPageSize = 20;
        limited.PagingModes.Remove("CURSOR");
        limited.Operations.Remove("TRUNCATE");
        for (int i = 0; i < 30; i++) limited.Save($"l{i:D2}", new JsonObject { ["_id"] = $"l{i:D2}" }.ToJsonString());
    }

    /// <summary>Runs the SDK script against a seeded stand-in; its checks and the requests it made.</summary>
    private async Task<JsonObject> RunSdkAsync()
    {
        await using var site = new WixFixture();
        Seed(site);
        string output = Path.Combine(_folder.Path, "sdk.json");
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "WixSdk", "conformance.cjs"), SdkFolder, site.ClientOptions.ApiBase.ToString(), site.SiteId, site.Server.Options.ApiKey, output },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}{await stdout}");
        return JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject();
    }

    [Fact]
    public async Task Wix_s_own_SDK_gets_from_the_stand_in_what_it_expects_for_every_call_SiteBackup_makes()
    {
        var run = await RunSdkAsync();
        var checks = run["checks"]!.AsArray();
        var failed = checks.Where(c => !(bool)c!["ok"]!).Select(c => $"{c!["name"]}: {c["detail"]}").ToList();
        Assert.True(failed.Count == 0, "The SDK's checks failed:\n" + string.Join("\n", failed));
        // Every check of the script ran (a step that throws reports itself as a failed check).
        Assert.Equal(40, checks.Count);
        // The SDK sent its queries as GET items/query?.r= (the form the stand-in had no answer for once), and POSTs.
        var methods = run["requests"]!.AsArray().Where(r => (string)r!["path"]! == "items/query").Select(r => (string)r!["method"]!).Distinct().ToList();
        Assert.Contains("GET", methods);
    }

    /// <summary>
    /// The paths of a request SiteBackup may send otherwise than the SDK, each with its reason; every other field of a
    /// body and every key of a query string must be the SDK's, with the same value where a value is not an id, a
    /// cursor or item data.
    /// </summary>
    private static readonly Dictionary<string, string> Allowed = new()
    {
        // The SDK asks for its first page by offset and follows the cursor the answer gives; SiteBackup asks for a
        // cursor from the first page on, so that no page of a collection that takes cursors is read by offset while
        // the site is written. The request type allows it (QueryV2.cursorPaging with a limit; its cursor is "not used
        // in the first request"); that Wix then answers with a cursor is the stand-in's reading, not documented.
        ["items/query first:query.cursorPaging.limit"] = "query.paging.limit",
        ["items/query first:query.paging.offset"] = "",
        // The SDK sends an empty projection and sort (every field, the collection's order): SiteBackup sends none,
        // which means the same.
        ["items/query first:query.fields[*]"] = "",
        ["items/query first:query.sort[*]"] = "",
        ["items/query next:query.fields[*]"] = "",
        ["items/query offset:query.fields[*]"] = "",
        ["items/query offset:query.sort[*]"] = "",
        // The SDK sends an empty list of references to include; SiteBackup sends none (it reads references with
        // items/query-referenced, a page at a time), which means the same.
        ["items/query first:includeReferences[*]"] = "",
        ["items/query next:includeReferences[*]"] = "",
        ["items/query offset:includeReferences[*]"] = "",
        // A collection's first bulk save asks for the items back as saved (a field of the request type the SDK's
        // bulkSave does not set), to see which system fields Wix set itself.
        ["bulk/items/save:returnEntity"] = "",
    };

    [Fact]
    public async Task SiteBackup_asks_the_API_what_Wix_s_own_SDK_asks_field_by_field()
    {
        var sdk = (await RunSdkAsync())["requests"]!.AsArray().Select(r => r!.AsObject()).ToList();

        await using var site = new WixFixture();
        Seed(site);
        var store = TestEngine.Store(_folder);
        var backup = (await BackupOperation.RunAsync(new BackupRequest { Site = site.Open(site.Site + "?apps=include"), Store = store })).Backup!;
        await TestEngine.RestoreAsync(site, store, backup.Id, ["people"]);
        // Wix's own backups, as Get-, New-, Restore- and Remove-SiteBackup ask for them.
        var platform = SiteBackup.Engine.Stores.WixPlatform.WixPlatformStoreKind.Open(site.Site, site.Credential,
            site.ClientOptions with { PollDelay = TimeSpan.FromMilliseconds(20), MaxPollDelay = TimeSpan.FromMilliseconds(50) });
        var taken = await PlatformOperation.BackupAsync(platform, new BackupRequest { Site = site.Open(), Store = platform }, wait: true);
        BackupCatalog.List(platform, new BackupQuery { Statuses = [BackupStatus.Ready, BackupStatus.Pending], Types = [BackupType.OnDemand] });
        await PlatformOperation.RestoreAsync(platform, new RestoreRequest { BackupId = taken.Id, Store = platform, Site = site.Open() });
        await PlatformOperation.RestoreAsync(platform, new RestoreRequest
        {
            BackupId = taken.Id, Store = platform, Site = site.Open(), Collections = ["people_copy"],
            Destinations = new Dictionary<string, string> { ["people_copy"] = "people_copy_restored" },
        });
        await PlatformOperation.RemoveAsync(platform, taken.Id);
        var ours = site.Server.Recorded.ToList();

        var pairs = new (string Kind, JsonObject Sdk, RecordedRequest Ours)[]
        {
            ("collections", First(sdk, "list-collections", "collections"), ours.First(r => r.Path == "collections")),
            ("items/query first", First(sdk, "query-cursor", "items/query"), ours.First(r => IsQuery(r, "people", cursor: false))),
            ("items/query next", sdk.Where(r => (string)r["operation"]! == "query-cursor").Skip(1).First(), ours.First(r => IsQuery(r, "people", cursor: true))),
            ("items/count", First(sdk, "count", "items/count"), ours.First(r => r.Path == "items/count" && Body(r)["dataCollectionId"]!.GetValue<string>() == "people")),
            ("items/query offset", First(sdk, "query-limited", "items/query"), ours.First(r => r.Path == "items/query" && Body(r)["dataCollectionId"]!.GetValue<string>() == "App/Limited")),
            ("items/query-referenced first", First(sdk, "query-referenced-items", "items/query-referenced"),
                ours.First(r => r.Path == "items/query-referenced" && Body(r)["cursorPaging"]?["cursor"] is null)),
            ("items/query-referenced next", sdk.Where(r => (string)r["operation"]! == "query-referenced-items" && r["body"]?["cursorPaging"]?["cursor"] is not null).First(),
                ours.First(r => r.Path == "items/query-referenced" && Body(r)["cursorPaging"]?["cursor"] is not null)),
            ("items/truncate", First(sdk, "truncate", "items/truncate"), ours.First(r => r.Path == "items/truncate")),
            ("bulk/items/save", First(sdk, "bulk-save", "bulk/items/save"), ours.First(r => r.Path == "bulk/items/save")),
            ("bulk/items/insert-references", First(sdk, "insert-references", "bulk/items/insert-references"), ours.First(r => r.Path == "bulk/items/insert-references")),
            ("backups create", First(sdk, "backups", "backups"), ours.First(r => r.Path == "backups" && r.Method == "POST")),
            ("backups list", First(sdk, "backups-list", "backups"), ours.First(r => r.Path == "backups" && r.Method == "GET" && r.QueryString.Contains("status=PENDING", StringComparison.Ordinal))),
            ("backups restore", sdk.First(r => (string)r["operation"]! == "backups-restore"), ours.First(r => r.Path.EndsWith("/restore", StringComparison.Ordinal))),
            ("backups partial-restore", sdk.First(r => (string)r["operation"]! == "backups-partial"), ours.First(r => r.Path.EndsWith("/partial-restore", StringComparison.Ordinal))),
            ("backups restorations", sdk.First(r => (string)r["path"]! == "backups/restorations"), ours.First(r => r.Path == "backups/restorations")),
            ("backups delete", sdk.First(r => (string)r["operation"]! == "backups-delete"), ours.First(r => r.Method == "DELETE")),
        };
        var differences = new List<string>();
        foreach (var (kind, theirs, mine) in pairs)
        {
            if (Shape((string)theirs["path"]!) != Shape(mine.Path))
                differences.Add($"{kind}: SiteBackup calls {mine.Path}, the SDK {theirs["path"]}");
            if ((string)theirs["method"]! is var method && method != mine.Method && !(kind.StartsWith("items/query ", StringComparison.Ordinal) && method == "GET"))
                differences.Add($"{kind}: SiteBackup sends {mine.Method}, the SDK {method}");
            Compare(kind, "query string", QueryKeys((string)theirs["query"]!), QueryKeys(mine.QueryString), differences, values: true);
            Compare(kind, "body", Flatten(theirs["body"]), Flatten(mine.Body is null ? null : JsonNode.Parse(mine.Body)), differences, values: true);
        }
        Assert.True(differences.Count == 0, "SiteBackup's requests differ from the SDK's:\n" + string.Join("\n", differences));
    }

    /// <summary>A path with its ids (GUIDs) as {id}.</summary>
    private static string Shape(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "{id}");

    private static JsonObject First(List<JsonObject> sdk, string operation, string path) =>
        sdk.First(r => (string)r["operation"]! == operation && (string)r["path"]! == path);

    private static JsonObject Body(RecordedRequest request) => JsonNode.Parse(request.Body!)!.AsObject();

    private static bool IsQuery(RecordedRequest r, string collection, bool cursor) =>
        r.Path == "items/query" && Body(r) is var body && body["dataCollectionId"]!.GetValue<string>() == collection
        && (body["query"]?["cursorPaging"]?["cursor"] is not null) == cursor;

    /// <summary>A query string's keys, each with its values where they are the request's meaning (the filters), in
    /// order of value; paging values and ids only by key.</summary>
    private static Dictionary<string, string?> QueryKeys(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p[0] != ".r")
            .GroupBy(p => Uri.UnescapeDataString(p[0]))
            .ToDictionary(g => g.Key, g => g.Key is "status" or "type" ? string.Join(",", g.Select(p => Uri.UnescapeDataString(p.ElementAtOrDefault(1) ?? "")).Order()) : null);

    /// <summary>Every leaf of a JSON body by path (array elements as [*]), with its value where the value is the
    /// request's meaning rather than an id, a cursor or an item's data (those only by kind).</summary>
    private static Dictionary<string, string?> Flatten(JsonNode? node)
    {
        var leaves = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Walk(JsonNode? n, string path)
        {
            switch (n)
            {
                case JsonObject o:
                    if (path.EndsWith(".data", StringComparison.Ordinal)) { leaves[path] = "object"; return; }
                    foreach (var (key, value) in o) Walk(value, path.Length == 0 ? key : $"{path}.{key}");
                    break;
                case JsonArray a:
                    if (a.Count == 0) leaves[path + "[*]"] = "empty";
                    foreach (var value in a) Walk(value, path + "[*]");
                    break;
                default:
                    string last = path[(path.LastIndexOf('.') + 1)..];
                    // Ids, cursors and names the two runs choose apart: compared by kind.
                    bool opaque = last is "cursor" or "id" or "referringItemId" or "referencedItemId" or "referringItemIds[*]"
                        or "dataCollectionId" or "referringItemFieldName" or "backupId";
                    leaves[path] = n is null ? "null" : opaque ? n.GetValueKind().ToString() : n.ToJsonString();
                    break;
            }
        }
        Walk(node, "");
        return leaves;
    }

    private static void Compare(string kind, string part, Dictionary<string, string?> sdk, Dictionary<string, string?> ours, List<string> differences, bool values)
    {
        foreach (var (path, value) in ours)
        {
            bool allowed = Allowed.TryGetValue($"{kind}:{path}", out var mapped);
            string theirs = allowed && mapped!.Length > 0 ? mapped : path;
            if (!sdk.TryGetValue(theirs, out var expected))
            {
                // An allowed path mapped to nothing may be on one side only.
                if (!(allowed && mapped!.Length == 0))
                    differences.Add($"{kind}: SiteBackup's {part} has {path}, the SDK's does not");
            }
            else if (values && expected != value)
                differences.Add($"{kind}: {part} {path} is {value} from SiteBackup, {expected} from the SDK");
        }
        foreach (var path in sdk.Keys)
        {
            bool mappedTo = Allowed.Any(a => a.Key.StartsWith(kind + ":", StringComparison.Ordinal) && (a.Value == path || (a.Value.Length == 0 && a.Key == $"{kind}:{path}")));
            if (!ours.ContainsKey(path) && !mappedTo)
                differences.Add($"{kind}: the SDK's {part} has {path}, SiteBackup's does not");
        }
    }
}
