using System.Net;
using System.Text.Json.Nodes;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Sources.Wix;
using SiteBackup.Engine.Tests.Support;
using SiteBackup.WixStandIn;

namespace SiteBackup.Engine.Tests.Sources;

public sealed class WixSourceContractTests : SourceContractTests
{
    protected override ISiteFixture CreateFixture() => new WixFixture();
}

/// <summary>
/// The Wix source against the stand-in of the Wix Data API: paging and bulk limits, faults, lost answers, rate
/// limits and slow answers that lose or double nothing, errors told apart, and restores that say what they wrote.
/// </summary>
public sealed class WixSourceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Items of mixed shape: text, numbers (some whole, written 2.0), nested objects, arrays, dates.</summary>
    private static void Fill(StandInCollection collection, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var item = new JsonObject
            {
                ["_id"] = $"item-{i:D6}",
                ["_owner"] = "owner-" + (i % 7),
                ["_createdDate"] = new JsonObject { ["$date"] = $"2024-01-01T00:00:{i % 60:D2}.000Z" },
                ["title"] = new string('x', i % 300) + " \"quoted\" ☃",
                ["rank"] = i,
                ["tags"] = new JsonArray("a", i % 2 == 0 ? "even" : "odd"),
                ["nested"] = new JsonObject { ["n"] = null, ["deep"] = new JsonArray(1, 2) },
            };
            string text = item.ToJsonString().Replace("\"rank\":" + i + ",", "\"rank\":" + i + ".0,", StringComparison.Ordinal);
            collection.Save($"item-{i:D6}", text);
        }
    }

    private async Task<(BackupRecord Backup, SiteBackup.Engine.Stores.IBackupStore Store)> BackupAsync(WixFixture site, string? siteString = null)
    {
        var store = TestEngine.Store(_folder);
        var outcome = await BackupOperation.RunAsync(new BackupRequest { Site = site.Open(siteString), Store = store });
        return (outcome.Backup!, store);
    }

    [Fact]
    public async Task Pages_of_100_by_cursor_and_bulk_saves_of_1000_carry_every_item_once()
    {
        await using var site = new WixFixture();
        Fill(site.Add("big"), 2500);
        string before = await site.DumpAsync();

        var (backup, store) = await BackupAsync(site);

        Assert.Equal(2500, backup.Collections.Single().ItemCount);
        Assert.Equal(25, site.Server.Calls["items/query"]); // 100 a page, as Wix's SDK documents for cursor paging
        site.Collection("big").Truncate();
        Fill(site.Collection("big"), 10);

        var restoration = await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.Equal(3, site.Server.Calls["bulk/items/save"]);
        Assert.False(restoration.Transactional);
        Assert.Equal(2500, restoration.Collections.Single().ItemCount);
        Assert.Equal(before, await site.DumpAsync());
    }

    [Fact]
    public async Task Faults_before_and_after_the_work_and_lost_answers_neither_lose_nor_double_an_item()
    {
        // Every third request fails with a 503, alternately before the stand-in acts and after it (the answer lost,
        // the write done): the retried bulk save must not double items, the retried page must not skip any.
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0, FailEvery = 3, FaultTiming = FaultTiming.Alternate });
        Fill(site.Add("items"), 3500);
        site.Add("other");
        Fill(site.Collection("other"), 1200);
        string before = await site.DumpAsync();

        var (backup, store) = await BackupAsync(site);
        Assert.Equal([3500L, 1200L], backup.Collections.OrderBy(c => c.Id).Select(c => c.ItemCount));
        site.Collection("items").Truncate();
        var restoration = await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.True(site.Server.Faults >= 5, $"only {site.Server.Faults} faults were injected");
        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(3500, await site.CountAsync("items"));
        Assert.Equal(before, await site.DumpAsync());
    }

    [Fact]
    public async Task Past_the_rate_limit_the_client_waits_out_Retry_After_and_loses_nothing()
    {
        // An unpaced client against 5 requests a second: 429s with Retry-After, waited out, every item there.
        await using var site = new WixFixture(new StandInOptions { RateLimit = 5, RateWindow = TimeSpan.FromSeconds(1) },
            WixFixture.Fast with { MaxRetryDelay = TimeSpan.FromSeconds(2), MaxRetries = 20 });
        Fill(site.Add("items"), 6000);
        string before = await site.DumpAsync();

        var (backup, store) = await BackupAsync(site);
        site.Collection("items").Truncate();
        await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.True(site.Server.Throttled > 0, "the stand-in never answered 429");
        Assert.Equal(before, await site.DumpAsync());
    }

    [Fact]
    public async Task A_paced_client_stays_under_the_limit_and_close_to_it()
    {
        // 20 requests a second at the stand-in, the client paced at 90% of that: at most one 429 (the time between
        // a request leaving and the stand-in counting it varies, which can put one extra request into a window; that
        // one waits out its Retry-After), and a sustained rate near the limit. Pages of 100 keep each request light, so the pace and not the machine sets the rate;
        // the lower bound is loose (half the limit) so a busy CI machine cannot fail it. What it guards against is a
        // client that waits far more than the limit asks, or runs into it.
        await using var site = new WixFixture(new StandInOptions { RateLimit = 20, RateWindow = TimeSpan.FromSeconds(1) },
            WixFixture.Fast with { RequestsPerMinute = 1080, BulkSize = 100 });
        Fill(site.Add("items"), 8_000);

        var (backup, _) = await BackupAsync(site);

        Assert.Equal(8_000, backup.Collections.Single().ItemCount);
        Assert.InRange(site.Server.Throttled, 0, 1);
        var served = site.Server.Served;
        double perSecond = (served.Count - 1) / (served[^1] - served[0]).TotalSeconds;
        Assert.True(perSecond is > 10 and <= 20, $"{served.Count} requests at {perSecond:F1} a second against a limit of 20");
    }

    [Fact]
    public async Task Slow_answers_time_out_and_are_asked_again()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0, SlowEvery = 2, SlowDelay = TimeSpan.FromSeconds(5) },
            WixFixture.Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(500) });
        Fill(site.Add("items"), 2100);
        string before = await site.DumpAsync();

        var (backup, store) = await BackupAsync(site);
        site.Collection("items").Truncate();
        await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.True(site.Server.Slowed >= 3, $"only {site.Server.Slowed} slow answers");
        Assert.Equal(before, await site.DumpAsync());
    }

    [Fact]
    public async Task A_wrong_key_an_unknown_site_a_bad_site_string_and_an_API_that_stays_down_are_told_apart()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 });
        await site.CreateSampleAsync();
        async Task<BackupError> Fails(string siteString, NetworkCredential? credential) =>
            (await Assert.ThrowsAsync<BackupException>(() => site.Open(siteString, credential).ListCollectionsAsync(CancellationToken.None))).Error;

        Assert.Equal(BackupError.AuthenticationFailed, await Fails(site.Site, new NetworkCredential("", "wrong-key")));
        var unknown = Guid.NewGuid().ToString();
        Assert.Equal(BackupError.SiteNotFound, await Fails($"wix://{unknown}", site.Credential));
        var bad = Assert.Throws<BackupException>(() => SiteKinds.Open("wix://secret-key@not-a-guid", site.Credential));
        Assert.Equal(BackupError.InvalidArgument, bad.Error);
        Assert.DoesNotContain("secret", bad.Message, StringComparison.Ordinal);
        string? saved = Environment.GetEnvironmentVariable("WIX_API_KEY");
        Environment.SetEnvironmentVariable("WIX_API_KEY", null);
        try { Assert.Equal(BackupError.AuthenticationFailed, Assert.Throws<BackupException>(() => SiteKinds.Open(site.Site, null)).Error); }
        finally { Environment.SetEnvironmentVariable("WIX_API_KEY", saved); }

        site.Server.Options.FailFrom = 1;
        Assert.Equal(BackupError.SiteUnreachable, await Fails(site.Site, site.Credential));
        Assert.Equal(5, await site.CountAsync("people")); // nothing was touched
    }

    [Fact]
    public async Task The_stand_in_answers_403_without_wix_site_id_and_400_past_its_limits()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 });
        await site.CreateSampleAsync();
        using var http = new HttpClient { BaseAddress = site.Server.ApiBase };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", site.Server.Options.ApiKey);

        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("collections")).StatusCode);
        http.DefaultRequestHeaders.Add("wix-site-id", site.SiteId);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("collections")).StatusCode);
        var tooBig = new StringContent("""{"dataCollectionId":"people","query":{"cursorPaging":{"limit":101}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("items/query", tooBig)).StatusCode);
        var tooBigByOffset = new StringContent("""{"dataCollectionId":"people","query":{"paging":{"limit":1001}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("items/query", tooBigByOffset)).StatusCode);
        var bulk = new JsonObject { ["dataCollectionId"] = "people", ["dataItems"] = new JsonArray(Enumerable.Range(0, 1001).Select(i => (JsonNode)new JsonObject { ["data"] = new JsonObject() }).ToArray()) };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("bulk/items/save", new StringContent(bulk.ToJsonString()))).StatusCode);
    }

    [Fact]
    public async Task The_stand_in_takes_queries_as_the_SDK_sends_them_by_GET_and_pages_by_offset_or_cursor()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 });
        Fill(site.Add("big"), 250);
        using var http = new HttpClient { BaseAddress = site.Server.ApiBase };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", site.Server.Options.ApiKey);
        http.DefaultRequestHeaders.Add("wix-site-id", site.SiteId);
        async Task<JsonNode> Get(string query)
        {
            string r = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(query)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var answer = await http.GetAsync($"items/query?.r={r}");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        }

        // Offset paging: the page asked for, with the total, no cursor.
        var byOffset = await Get("""{"dataCollectionId":"big","query":{"paging":{"limit":100,"offset":200}},"consistentRead":true}""");
        Assert.Equal(50, byOffset["dataItems"]!.AsArray().Count);
        Assert.Equal("item-000200", (string?)byOffset["dataItems"]![0]!["id"]);
        Assert.Equal(250, (int)byOffset["pagingMetadata"]!["total"]!);
        // Cursor paging with the empty field list the SDK sends, across every page.
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Get(cursor is null
                ? """{"dataCollectionId":"big","query":{"cursorPaging":{"limit":100},"fields":[]}}"""
                : $$$"""{"dataCollectionId":"big","query":{"cursorPaging":{"limit":100,"cursor":"{{{cursor}}}"},"fields":[]}}""");
            ids.AddRange(page["dataItems"]!.AsArray().Select(i => (string)i!["id"]!));
            cursor = (string?)page["pagingMetadata"]!["cursors"]!["next"];
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"item-{i:D6}"), ids);
        // Bulk results carry the API's action enum.
        var saved = JsonNode.Parse(await (await http.PostAsync("bulk/items/save", new StringContent(
            """{"dataCollectionId":"big","dataItems":[{"id":"item-000001","data":{"v":1}},{"id":"new-one","data":{"v":2}}]}"""))).Content.ReadAsStringAsync())!;
        Assert.Equal(["UPDATE", "INSERT"], saved["results"]!.AsArray().Select(r => (string)r!["action"]!));
    }

    [Fact]
    public async Task A_bulk_save_Wix_answers_413_is_split_until_it_fits_and_an_item_too_large_alone_is_refused_by_itself()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0, MaxRequestBytes = 64 * 1024 });
        var items = site.Add("notes");
        for (int i = 0; i < 12; i++) items.Save($"n{i:D2}", new JsonObject { ["_id"] = $"n{i:D2}", ["text"] = new string((char)('a' + i), 20_000) }.ToJsonString());
        items.Save("huge", new JsonObject { ["_id"] = "huge", ["text"] = new string('z', 100_000) }.ToJsonString());
        string before = await site.DumpAsync();
        var (backup, store) = await BackupAsync(site);
        items.Truncate();

        var restore = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id));
        Assert.Equal(BackupError.OperationFailed, restore.Error);
        Assert.Contains("'notes' item 'huge': WDE0109", restore.Message, StringComparison.Ordinal);
        var notes = restore.Restoration!.Collections.Single();
        Assert.Equal((RestorationCollectionStatus.Partial, 12L, 1L), (notes.Status, notes.ItemCount, notes.RefusedItemCount));
        Assert.True(site.Server.TooLarge > 0);
        // Every other item is there once, as it was.
        Assert.Equal(12, site.Collection("notes").Count);
        Assert.Equal(before.Split('\n').Where(l => !l.Contains("\"huge\"", StringComparison.Ordinal)), (await site.DumpAsync()).Split('\n'));
    }

    [Fact]
    public async Task Drafts_are_backed_up_and_restored_with_the_published_items()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 });
        var posts = site.Add("posts");
        for (int i = 0; i < 250; i++)
            posts.Save($"p{i:D3}", new JsonObject { ["_id"] = $"p{i:D3}", ["title"] = $"post {i}", ["_publishStatus"] = i % 5 == 0 ? "DRAFT" : "PUBLISHED" }.ToJsonString());
        string before = await site.DumpAsync();

        var (backup, store) = await BackupAsync(site);
        Assert.Equal(250, backup.Collections.Single().ItemCount);
        posts.Truncate();
        await TestEngine.RestoreAsync(site, store, backup.Id);
        Assert.Equal(before, await site.DumpAsync());
    }

    [Fact]
    public async Task The_dates_Wix_sets_itself_on_a_write_are_named_in_the_restoration_and_a_warning()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 });
        Fill(site.Add("posts"), 150);
        var (backup, store) = await BackupAsync(site);
        var backedUp = site.Collection("posts").Items().Single(i => (string?)i["_id"] == "item-000003");

        var warnings = new List<string>();
        var restoration = await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = site.Open(), Warnings = new SynchronousWarnings(warnings.Add),
        });

        var posts = restoration.Collections.Single(c => c.Id == "posts");
        Assert.Equal(["_createdDate", "_updatedDate"], posts.NotKept);
        Assert.Contains("not kept: _createdDate, _updatedDate", posts.ToString(), StringComparison.Ordinal);
        Assert.Contains(warnings, w => w.Contains("'posts'", StringComparison.Ordinal) && w.Contains("_createdDate", StringComparison.Ordinal));
        var restored = site.Collection("posts").Items().Single(i => (string?)i["_id"] == "item-000003");
        Assert.NotEqual(backedUp["_createdDate"]!.ToJsonString(), restored["_createdDate"]!.ToJsonString());
        Assert.Equal(backedUp["_owner"]!.ToJsonString(), restored["_owner"]!.ToJsonString());
        // The record in the store says it too.
        Assert.Equal(["_createdDate", "_updatedDate"], store.ListRestorations().Single().Collections.Single(c => c.Id == "posts").NotKept);
    }

    [Fact]
    public async Task The_dates_Wix_sets_are_named_for_a_destination_nothing_can_read_back()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 });
        Fill(site.Add("posts"), 30);
        var (backup, store) = await BackupAsync(site);
        // Items can be written into it and it can be emptied, but not queried: the check reads what Wix answered the
        // save with, not a page of the collection.
        site.Add("inbox").Operations.Remove("FIND");

        var restoration = await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = site.Open(), Collections = ["posts"],
            Destinations = new Dictionary<string, string> { ["posts"] = "inbox" },
        });

        var inbox = restoration.Collections.Single(c => c.Destination == "inbox");
        Assert.Equal(30, inbox.ItemCount);
        Assert.Equal(["_createdDate", "_updatedDate"], inbox.NotKept);
    }

    [Fact]
    public async Task Items_the_site_refuses_are_reported_one_by_one_and_the_rest_are_written()
    {
        await using var site = new WixFixture();
        await site.CreateSampleAsync();
        site.Collection("people").Save("big", new JsonObject { ["_id"] = "big", ["blob"] = new string('z', 20_000) }.ToJsonString());
        var (backup, store) = await BackupAsync(site);
        site.Server.Options.MaxItemBytes = 10_000;

        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id));

        Assert.Equal(BackupError.OperationFailed, e.Error);
        Assert.Contains("'people' item 'big': ITEM_TOO_LARGE", e.Message, StringComparison.Ordinal);
        var people = e.Restoration!.Collections.Single(c => c.Id == "people");
        Assert.Equal((RestorationCollectionStatus.Partial, 5L, 1L), (people.Status, people.ItemCount, people.RefusedItemCount));
        Assert.Equal(RestorationCollectionStatus.Restored, e.Restoration.Collections.Single(c => c.Id == "orders").Status);
        Assert.Equal(5, await site.CountAsync("people"));
        var stored = store.ListRestorations().Single();
        Assert.Equal((RestorationStatus.Failed, false), (stored.Status, stored.Transactional));
    }

    [Fact]
    public async Task A_restore_that_fails_part_way_says_exactly_what_each_collection_holds()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 }, WixFixture.Fast with { BulkSize = 2, MaxRetries = 2 });
        await site.CreateSampleAsync();
        var (backup, store) = await BackupAsync(site);
        await site.ChangeAsync();
        // Once the restore reaches people (empty, orders, people), the API goes down after the truncate and two
        // bulk saves of 2 items: people then holds 4 of its 5.
        var progress = new SynchronousProgress(p =>
        {
            if (p.CollectionId == "people" && p.ItemsDone == 0 && site.Server.Options.FailFrom == 0)
                site.Server.Options.FailFrom = site.Server.Counted + 4;
        });

        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = site.Open(),
        }, progress));

        Assert.Equal(BackupError.SiteUnreachable, e.Error);
        var record = store.ListRestorations().Single();
        Assert.Equal((RestorationStatus.Failed, false), (record.Status, record.Transactional));
        Assert.Equal(
            [("empty", RestorationCollectionStatus.Restored, 0L), ("orders", RestorationCollectionStatus.Restored, 3L), ("people", RestorationCollectionStatus.Partial, 4L)],
            record.Collections.Select(c => (c.Id, c.Status, c.ItemCount)));
        Assert.Contains("'people' emptied and 4 items written", record.Error, StringComparison.Ordinal);
        Assert.Equal(4, await site.CountAsync("people"));
        Assert.Equal(3, await site.CountAsync("orders"));
    }

    [Fact]
    public async Task App_collections_are_backed_up_only_when_asked_for_and_external_ones_never()
    {
        await using var site = new WixFixture();
        await site.CreateSampleAsync();
        Fill(site.Add("Stores/Products", "WIX_APP"), 3);
        Fill(site.Add("external", "EXTERNAL"), 3);

        var (own, _) = await BackupAsync(site);
        var (withApps, _) = await BackupAsync(site, site.Site + "?apps=include");

        Assert.Equal(["empty", "orders", "people"], own.Collections.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["Stores/Products", "empty", "orders", "people"], withApps.Collections.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal(own.SiteId, withApps.SiteId);
    }


    private sealed class SynchronousProgress(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }
}
