using System.Text.Json.Nodes;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Tests.Support;
using SiteBackup.WixStandIn;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// What a Wix site holds beyond plain items: multi-references (a collection referring to itself, two referring to
/// each other, an item with more references than a query includes, references from collections a partial restore
/// leaves alone) and app collections with capabilities, paging and app options of their own. Judged by the stand-in's
/// own data (<see cref="WixFixture.DumpAsync"/>, references included), never by SiteBackup's reader.
/// </summary>
public sealed class WixContentTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Id(string prefix, int i) => $"{prefix}{i:D3}";

    private static void Items(StandInCollection collection, string prefix, int count)
    {
        for (int i = 0; i < count; i++)
            collection.Save(Id(prefix, i), new JsonObject { ["_id"] = Id(prefix, i), ["title"] = $"{prefix} {i}", ["_owner"] = "o" }.ToJsonString());
    }

    /// <summary>people.friends refers to people; authors.books to books and books.authors to authors; p000 has 120
    /// friends, more than the 50 a query includes.</summary>
    private static void Shelves(WixFixture site)
    {
        var people = site.Add("people").WithReferences("friends", "people");
        var authors = site.Add("authors").WithReferences("books", "books");
        var books = site.Add("books").WithReferences("authors", "authors");
        Items(people, "p", 150);
        Items(authors, "a", 20);
        Items(books, "b", 40);
        people.SetReferences("friends", "p000", Enumerable.Range(1, 120).Select(i => Id("p", i)));
        for (int i = 1; i < 150; i++) people.SetReferences("friends", Id("p", i), [Id("p", (i * 7) % 150), Id("p", i)]);
        for (int i = 0; i < 20; i++) authors.SetReferences("books", Id("a", i), [Id("b", i), Id("b", (i + 20) % 40)]);
        for (int i = 0; i < 40; i++) books.SetReferences("authors", Id("b", i), [Id("a", i % 20)]);
    }

    /// <summary>The shelves backed up, every collection truncated (which also clears the references others hold to it),
    /// and restored: everything must be back as it was, references included.</summary>
    private async Task ShelvesRoundTripAsync(WixFixture site)
    {
        string before = await site.DumpAsync();
        var (backup, store) = await BackupAsync(site);
        foreach (string collection in new[] { "people", "books", "authors" }) site.Server.Data.Truncate(site.SiteId, site.Collection(collection));

        var restoration = await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(before, await site.DumpAsync());
    }

    private async Task<(BackupRecord Backup, SiteBackup.Engine.Stores.IBackupStore Store)> BackupAsync(WixFixture site, string? siteString = null, List<string>? warnings = null, string[]? collections = null)
    {
        var store = TestEngine.Store(_folder);
        var outcome = await BackupOperation.RunAsync(new BackupRequest
        {
            Site = site.Open(siteString), Store = store, Warnings = warnings is null ? null : new SynchronousWarnings(warnings.Add),
            Collections = collections ?? [],
        });
        return (outcome.Backup!, store);
    }

    [Fact]
    public async Task Multi_references_come_back_for_a_collection_referring_to_itself_and_two_referring_to_each_other()
    {
        await using var site = new WixFixture();
        Shelves(site);
        string before = await site.DumpAsync();
        Assert.Contains("ref authors b007 -> a007", before, StringComparison.Ordinal);

        var (backup, store) = await BackupAsync(site);
        Assert.True(site.Server.Calls["items/query-referenced"] >= 1); // p000's 120 friends take more than the query includes
        // The site loses everything: truncating a collection clears the references others hold to it.
        foreach (string collection in new[] { "people", "books", "authors" }) site.Server.Data.Truncate(site.SiteId, site.Collection(collection));
        Items(site.Collection("books"), "x", 3);

        var restoration = await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(before, await site.DumpAsync());
        Assert.Equal(120, site.Collection("people").References("friends", "p000").Count);
    }

    [Fact]
    public async Task References_Wix_answers_413_for_are_split_until_they_fit_and_all_come_back_once()
    {
        // Requests of at most 8 KB: the restore's reference inserts (about 110 bytes a reference, 120 of p000's in one
        // call) are too large until split, as its item saves are.
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0, MaxRequestBytes = 8 * 1024 });
        Shelves(site);

        await ShelvesRoundTripAsync(site);

        Assert.True(site.Server.TooLargeCalls.GetValueOrDefault("bulk/items/insert-references") > 0);
        Assert.True(site.Server.Calls["bulk/items/insert-references"] > 3, "one call a collection would have been too large");
    }

    [Fact]
    public async Task References_past_what_a_query_includes_are_read_in_pages_no_larger_than_the_collection_takes()
    {
        // people states pages of at most 20 items: its query-referenced pages too (p000 has 120 friends).
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 });
        Shelves(site);
        site.Collection("people").MaxPageSize = 20;

        await ShelvesRoundTripAsync(site);

        Assert.True(site.Server.Calls["items/query-referenced"] >= 6); // 120 friends, 20 a page
    }

    [Fact]
    public async Task A_partial_restore_puts_back_the_references_collections_outside_it_hold_to_the_restored_one()
    {
        await using var site = new WixFixture();
        Shelves(site);
        var (backup, store) = await BackupAsync(site);
        // After the backup: a new book that an author refers to, and a changed title.
        Items(site.Collection("books"), "n", 1);
        site.Collection("authors").AddReference("books", "a003", "n000");
        var b005 = site.Collection("books").Item("b005")!;
        b005["title"] = "changed";
        site.Collection("books").Save("b005", b005.ToJsonString());
        string authorsBefore = Section(await site.DumpAsync(), "authors").Replace(",n000", "", StringComparison.Ordinal);

        var warnings = new List<string>();
        var restoration = await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = site.Open(), Collections = ["books"], Warnings = new SynchronousWarnings(warnings.Add),
        });

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal("b 5", site.Collection("books").Item("b005")!["title"]!.GetValue<string>());
        // authors was not restored: its references to books are as they were, but for the one to the book the backup
        // does not hold, which the warning counts.
        Assert.Equal(authorsBefore, Section(await site.DumpAsync(), "authors"));
        Assert.Contains(warnings, w => w.Contains("1 reference(s) that 'authors' held", StringComparison.Ordinal));
        Assert.Equal(["a005"], site.Collection("books").References("authors", "b005"));
    }

    private static string Section(string dump, string collection)
    {
        int start = dump.IndexOf("-- " + collection + "\n", StringComparison.Ordinal);
        int end = dump.IndexOf("\n-- ", start + 1, StringComparison.Ordinal);
        return end < 0 ? dump[start..] : dump[start..(end + 1)];
    }

    [Fact]
    public async Task App_collections_are_read_as_their_capabilities_say_hidden_products_included_and_what_cannot_be_read_is_named()
    {
        await using var site = new WixFixture();
        var products = site.Add("Stores/Products", "WIX_APP");
        products.HiddenUnlessAppOption = "includeHiddenProducts";
        products.MaxPageSize = 25;
        for (int i = 0; i < 120; i++)
            products.Save(Id("sku", i), new JsonObject { ["_id"] = Id("sku", i), ["name"] = $"product {i}", ["visible"] = i % 4 != 0 }.ToJsonString());
        var log = site.Add("Legacy/Log", "BLOCKS_APP");
        log.PagingModes.Remove("CURSOR");
        log.MaxPageSize = 40;
        log.Operations.Remove("COUNT");
        Items(log, "l", 130);
        var locked = site.Add("Locked/Events", "WIX_APP");
        locked.Operations.Remove("FIND");
        Items(locked, "e", 3);
        Items(site.Add("warehouse", "EXTERNAL"), "w", 2);
        string before = await site.DumpAsync();

        var warnings = new List<string>();
        var (backup, store) = await BackupAsync(site, site.Site + "?apps=include", warnings);

        Assert.Equal([("Legacy/Log", 130L), ("Stores/Products", 120L)], backup.Collections.Select(c => (c.Id, c.ItemCount)).Order());
        Assert.Equal(["Locked/Events", "warehouse"], backup.Omissions.Select(o => o.Collection).Order());
        Assert.Contains("FIND", backup.Omissions.Single(o => o.Collection == "Locked/Events").Reason, StringComparison.Ordinal);
        Assert.Contains(warnings, w => w.Contains("'warehouse'", StringComparison.Ordinal));
        foreach (string collection in new[] { "Stores/Products", "Legacy/Log" }) site.Collection(collection).Truncate();

        await TestEngine.RestoreAsync(site, store, backup.Id);
        Assert.Equal(before, await site.DumpAsync());
    }

    [Fact]
    public async Task A_restore_into_a_collection_that_cannot_be_emptied_is_refused_before_anything_is_written()
    {
        await using var site = new WixFixture();
        await site.CreateSampleAsync();
        var orders = site.Add("Stores/Orders", "WIX_APP");
        Items(orders, "o", 5);
        var (backup, store) = await BackupAsync(site, site.Site + "?apps=include");
        orders.Operations.Remove("TRUNCATE");
        await site.ChangeAsync();
        string changed = await site.DumpAsync();

        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id));

        Assert.Equal(BackupError.CollectionNotWritable, e.Error);
        Assert.Contains("'Stores/Orders'", e.Message, StringComparison.Ordinal);
        Assert.Contains("TRUNCATE", e.Message, StringComparison.Ordinal);
        Assert.Equal(changed, await site.DumpAsync());
        Assert.Empty(store.ListRestorations());
        Assert.False(site.Server.Calls.ContainsKey("items/truncate"));
    }

    [Fact]
    public async Task A_collection_a_restore_cannot_write_back_is_backed_up_and_named_in_the_record_when_selected()
    {
        await using var site = new WixFixture();
        await site.CreateSampleAsync();
        var reviews = site.Add("Reviews/Items", "WIX_APP");
        reviews.Operations.Remove("TRUNCATE");
        reviews.Operations.Remove("BULK_SAVE");
        Items(reviews, "r", 4);

        var (backup, _) = await BackupAsync(site, site.Site + "?apps=include");
        Assert.Equal(4, backup.Collections.Single(c => c.Id == "Reviews/Items").ItemCount);
        var named = backup.Omissions.Single(o => o.Collection == "Reviews/Items");
        Assert.Contains("TRUNCATE, BULK_SAVE", named.Reason, StringComparison.Ordinal);
        Assert.Contains("-Destination", named.Reason, StringComparison.Ordinal);

        // A backup that does not take it does not name it.
        var (people, _) = await BackupAsync(site, site.Site + "?apps=include", collections: ["people"]);
        Assert.Empty(people.Omissions);
    }

    /// <summary>authors.books and books.authors as the two sides of one relation: each author refers to two books.</summary>
    private static void TwoWayShelves(WixFixture site)
    {
        Items(site.Add("authors"), "a", 10);
        Items(site.Add("books"), "b", 20);
        site.Server.Data.TwoWay(site.SiteId, "authors", "books", "books", "authors");
        for (int i = 0; i < 10; i++)
            site.Server.Data.SetReferences(site.SiteId, site.Collection("authors"), "books", Id("a", i), [Id("b", i), Id("b", i + 10)]);
    }

    [Fact]
    public async Task A_partial_restore_gives_a_two_way_relation_back_as_the_backup_had_it_on_both_sides()
    {
        await using var site = new WixFixture();
        TwoWayShelves(site);
        string before = await site.DumpAsync();
        Assert.Contains("ref authors b003 -> a003", before, StringComparison.Ordinal); // the other side
        var (backup, store) = await BackupAsync(site);
        // After the backup the relation changes, from the authors' side: one pair more, one less.
        site.Server.Data.AddReference(site.SiteId, site.Collection("authors"), "books", "a001", "b005");
        site.Server.Data.SetReferences(site.SiteId, site.Collection("authors"), "books", "a002", [Id("b", 2)]);
        Assert.NotEqual(before, await site.DumpAsync());

        var restoration = await TestEngine.RestoreAsync(site, store, backup.Id, ["books"]);

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(before, await site.DumpAsync());
    }

    [Fact]
    public async Task References_survive_faults_before_and_after_the_work_and_lost_answers()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0, FailEvery = 3, FaultTiming = FaultTiming.Alternate });
        Shelves(site);

        await ShelvesRoundTripAsync(site);

        Assert.True(site.Server.Faults > 10);
    }

    [Fact]
    public async Task A_restore_that_stops_before_writing_references_names_those_only_it_held()
    {
        await using var site = new WixFixture(new StandInOptions { RateLimit = 0 }, WixFixture.Fast with { MaxRetries = 1 });
        Shelves(site);
        var (backup, store) = await BackupAsync(site);
        site.Server.Options.FailPaths.Add("bulk/items/insert-references");

        var warnings = new List<string>();
        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = site.Open(), Collections = ["books"], Warnings = new SynchronousWarnings(warnings.Add),
        }));

        Assert.Equal(BackupError.SiteUnreachable, e.Error);
        // The authors' references to books were cleared by emptying books, and nothing else holds them: the warning
        // lists them, as it does the restored books' own (which the archive holds).
        Assert.Contains(warnings, w => w.Contains("40 reference(s) that 'authors' (not restored) held", StringComparison.Ordinal)
            && w.Contains("a000.books → b000", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("reference(s) of the items restored into 'books'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task References_into_a_destination_without_the_field_are_said_to_go_in_as_plain_arrays()
    {
        await using var site = new WixFixture();
        Shelves(site);
        var (backup, store) = await BackupAsync(site);
        site.Add("plain");

        var warnings = new List<string>();
        await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = site.Open(), Collections = ["authors"],
            Destinations = new Dictionary<string, string> { ["authors"] = "plain" }, Warnings = new SynchronousWarnings(warnings.Add),
        });

        Assert.Contains(warnings, w => w.Contains("'books' of 'authors'", StringComparison.Ordinal) && w.Contains("plain array", StringComparison.Ordinal));
        Assert.Equal("[\"b003\",\"b023\"]", site.Collection("plain").Item("a003")!["books"]!.ToJsonString());
    }

    [Fact]
    public async Task References_to_drafts_come_back_and_those_to_items_already_gone_are_named()
    {
        await using var site = new WixFixture();
        var notes = site.Add("notes").WithReferences("links", "notes");
        for (int i = 0; i < 6; i++)
            notes.Save(Id("n", i), new JsonObject { ["_id"] = Id("n", i), ["_publishStatus"] = i % 2 == 0 ? "DRAFT" : "PUBLISHED" }.ToJsonString());
        notes.SetReferences("links", "n001", ["n000", "n002", "gone", "n004"]);
        var (backup, store) = await BackupAsync(site);
        notes.Truncate();

        var warnings = new List<string>();
        var restoration = await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = site.Open(), Warnings = new SynchronousWarnings(warnings.Add),
        });

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(["n000", "n002", "n004"], site.Collection("notes").References("links", "n001"));
        Assert.Contains(warnings, w => w.Contains("1 reference(s) of the items restored into 'notes' could not be written", StringComparison.Ordinal)
            && w.Contains("n001.links → gone", StringComparison.Ordinal));
    }
}
