using System.Net;
using System.Text.Json.Nodes;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Tests.Operations;
using SiteBackup.Engine.Stores.WixPlatform;
using SiteBackup.Engine.Tests.Support;
using SiteBackup.WixStandIn;

namespace SiteBackup.Engine.Tests.Stores;

/// <summary>
/// Wix's own backups of a site as a store (<c>wix://&lt;site-id&gt;</c>), against the stand-in's Backups API: backups
/// and restorations that take their time, the 3 on-demand limit, deletion, failures, the time limit and cancellation;
/// restores judged by the stand-in's own data, system dates and references included.
/// </summary>
public sealed class WixPlatformStoreTests
{
    private static WixPlatformStore Store(WixFixture site, TimeSpan? timeout = null) =>
        WixPlatformStoreKind.Open(site.Site, site.Credential, site.ClientOptions with
        {
            PollDelay = TimeSpan.FromMilliseconds(20), MaxPollDelay = TimeSpan.FromMilliseconds(100), WaitTimeout = timeout ?? TimeSpan.FromSeconds(20),
        });

    private static BackupRequest Request(WixFixture site, WixPlatformStore store) => new() { Site = site.Open(), Store = store };

    /// <summary>Every item of every collection with its system dates, then every reference.</summary>
    private static string Everything(WixFixture site) => string.Concat(site.Server.Data.Collections(site.SiteId).Select(c =>
        $"-- {c.Id}\n" + string.Concat(c.Items().OrderBy(i => (string)i["_id"]!, StringComparer.Ordinal).Select(i => i.ToJsonString() + "\n"))
        + string.Concat(c.AllReferences().OrderBy(r => r.ItemId, StringComparer.Ordinal).Select(r => $"ref {r.Field} {r.ItemId} -> {string.Join(',', r.Referenced)}\n"))));

    private static async Task<WixFixture> SiteAsync()
    {
        var site = new WixFixture();
        await site.CreateSampleAsync();
        var people = site.Collection("people").WithReferences("friends", "people");
        people.SetReferences("friends", "1", ["2", "3"]);
        return site;
    }

    [Fact]
    public async Task A_backup_is_waited_for_until_Ready_and_a_restore_gives_back_everything_system_dates_and_references_too()
    {
        await using var site = await SiteAsync();
        var store = Store(site);
        string before = Everything(site);

        var progress = new List<BackupProgress>();
        var backup = await PlatformOperation.BackupAsync(store, Request(site, store), wait: true, new SynchronousProgress(progress.Add));

        Assert.Equal((BackupStatus.Ready, BackupType.OnDemand, site.Site), (backup.Status, backup.Type, backup.SiteId));
        Assert.True(backup.SizeInBytes > 0); // Wix gives it as a string
        Assert.Equal(["empty", "orders", "people"], backup.Collections.Select(c => c.Id).Order());
        Assert.Contains(progress, p => p.Activity.Contains("(Pending)", StringComparison.Ordinal));
        await site.ChangeAsync();
        site.Collection("people").SetReferences("friends", "1", []);
        Assert.NotEqual(before, Everything(site));

        var restoration = await PlatformOperation.RestoreAsync(store, new RestoreRequest { BackupId = backup.Id, Store = store, Site = site.Open() });

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(before, Everything(site));
        Assert.Equal(["empty", "orders", "people"], restoration.Collections.Select(c => c.Destination).Order());
        Assert.Equal(restoration.Id, BackupCatalog.ListRestorations(store).Single().Id);
    }

    [Fact]
    public async Task Some_collections_go_into_others_and_the_restoration_says_where()
    {
        await using var site = await SiteAsync();
        var store = Store(site);
        var backup = await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);
        var peopleBefore = site.Collection("people").Items().Select(i => i.ToJsonString()).Order().ToList();

        var restoration = await PlatformOperation.RestoreAsync(store, new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = site.Open(), Collections = ["people"],
            Destinations = new Dictionary<string, string> { ["people"] = "people_restored" },
        });

        var only = Assert.Single(restoration.Collections);
        Assert.Equal(("people", "people_restored", RestorationCollectionStatus.Restored), (only.Id, only.Destination, only.Status));
        Assert.Equal(peopleBefore, site.Collection("people_restored").Items().Select(i => i.ToJsonString()).Order());
        Assert.Equal(["2", "3"], site.Collection("people_restored").References("friends", "1"));
        Assert.Equal(3, site.Collection("orders").Count); // not touched
    }

    [Fact]
    public async Task Wix_keeps_three_on_demand_backups_and_lists_the_one_it_dropped_and_the_one_removed_as_Deleted()
    {
        await using var site = await SiteAsync();
        var store = Store(site);
        site.Server.AddAutoBackup(site.SiteId, DateTimeOffset.UtcNow.AddDays(-3));
        var taken = new List<BackupRecord>();
        for (int i = 0; i < 2; i++) taken.Add(await PlatformOperation.BackupAsync(store, Request(site, store), wait: true));
        Assert.Null(await PlatformOperation.OldestToGoAsync(store)); // room for a third
        taken.Add(await PlatformOperation.BackupAsync(store, Request(site, store), wait: true));
        Assert.Equal(taken[0].Id, (await PlatformOperation.OldestToGoAsync(store))!.Id);

        var fourth = await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);

        var dropped = BackupCatalog.Get(store, taken[0].Id);
        Assert.Equal(BackupStatus.Deleted, dropped.Status);
        Assert.NotNull(dropped.DeletedDate);
        Assert.Equal([fourth.Id, taken[2].Id, taken[1].Id], BackupCatalog.List(store, new BackupQuery { Types = [BackupType.OnDemand] }).Select(b => b.Id));
        Assert.Single(BackupCatalog.List(store, new BackupQuery { Types = [BackupType.Auto] }));
        Assert.Equal(fourth.Id, BackupCatalog.List(store, new BackupQuery { Last = 1 }).Single().Id);

        var removed = await PlatformOperation.RemoveAsync(store, taken[1].Id);
        Assert.Equal(BackupStatus.Deleted, removed.Status);
        Assert.Equal(new[] { taken[0].Id, taken[1].Id }.Order(), BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Deleted] }).Select(b => b.Id).Order());
        Assert.DoesNotContain(BackupCatalog.List(store, new BackupQuery()), b => b.Status == BackupStatus.Deleted); // as for other stores
        var restore = await Assert.ThrowsAsync<BackupException>(() => PlatformOperation.RestoreAsync(store, new RestoreRequest { BackupId = taken[1].Id, Store = store, Site = site.Open() }));
        Assert.Equal(BackupError.BackupNotReady, restore.Error);
    }

    [Fact]
    public async Task A_backup_or_restoration_whose_answer_is_lost_is_asked_for_once_and_found_in_Wix_s_lists()
    {
        await using var site = await SiteAsync();
        var store = Store(site);
        site.Server.Options.LoseAnswerOnce.Add("backups");

        var backup = await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);

        // One backup, not two: a second would have made Wix drop another old one.
        Assert.Equal(backup.Id, Assert.Single(site.Server.Backups(site.SiteId)).Id);
        site.Server.Options.LoseAnswerOnce.Add($"backups/{backup.Id}/restore");
        var restoration = await PlatformOperation.RestoreAsync(store, new RestoreRequest { BackupId = backup.Id, Store = store, Site = site.Open() });
        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(restoration.Id, Assert.Single(BackupCatalog.ListRestorations(store)).Id);
    }

    [Fact]
    public async Task More_backups_than_a_page_holds_are_all_listed_newest_first_with_the_filters_on_every_page()
    {
        await using var site = await SiteAsync();
        var store = Store(site);
        // 230 automatic backups (Wix's pages hold at most 100) and one on-demand one among them.
        var start = DateTimeOffset.UtcNow.AddDays(-300);
        for (int i = 0; i < 230; i++) site.Server.AddAutoBackup(site.SiteId, start.AddDays(i));
        var onDemand = await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);

        var all = store.ListBackups();
        var auto = await store.ListAsync([], [BackupType.Auto], CancellationToken.None);
        var ready = await store.ListAsync([BackupStatus.Ready], [BackupType.OnDemand], CancellationToken.None);

        Assert.Equal(231, all.Count);
        Assert.Equal(231, all.Select(b => b.Id).Distinct().Count());
        Assert.Equal(all.OrderByDescending(b => b.RequestedDate).Select(b => b.Id), all.Select(b => b.Id));
        Assert.Equal(230, auto.Count);
        Assert.All(auto, b => Assert.Equal(BackupType.Auto, b.Type));
        Assert.Equal(onDemand.Id, Assert.Single(ready).Id);
        var pages = site.Server.Recorded.Where(r => r.Path == "backups" && r.Method == "GET" && r.QueryString.Contains("type=AUTO", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count); // 100, 100, 30
    }

    [Fact]
    public async Task The_backup_Wix_drops_is_its_oldest_on_demand_one_whatever_its_status()
    {
        await using var site = await SiteAsync();
        var store = Store(site);
        site.Server.Options.FailNextBackup = true;
        await Assert.ThrowsAsync<BackupException>(() => PlatformOperation.BackupAsync(store, Request(site, store), wait: true));
        var failed = site.Server.Backups(site.SiteId).Single();
        await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);
        await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);

        Assert.Equal(failed.Id, (await PlatformOperation.OldestToGoAsync(store))!.Id);
        await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);
        Assert.Equal("DELETED", site.Server.Backups(site.SiteId).Single(b => b.Id == failed.Id).Status);
    }

    [Fact]
    public async Task Failures_the_time_limit_and_cancellation_are_told_apart_and_harm_nothing()
    {
        await using var site = await SiteAsync();
        var store = Store(site);

        site.Server.Options.FailNextBackup = true;
        var failed = await Assert.ThrowsAsync<BackupException>(() => PlatformOperation.BackupAsync(store, Request(site, store), wait: true));
        Assert.Equal(BackupError.OperationFailed, failed.Error);
        Assert.Contains("ended Failed", failed.Message, StringComparison.Ordinal);

        var backup = await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);
        string before = Everything(site);
        site.Server.Options.FailNextRestore = true;
        var restore = await Assert.ThrowsAsync<BackupException>(() => PlatformOperation.RestoreAsync(store, new RestoreRequest { BackupId = backup.Id, Store = store, Site = site.Open() }));
        Assert.Equal((BackupError.OperationFailed, RestorationStatus.Failed), (restore.Error, restore.Restoration!.Status));
        // Wix does not say what a failed restoration leaves: never "untouched".
        Assert.All(restore.Restoration.Collections, c => Assert.Equal(RestorationCollectionStatus.Partial, c.Status));
        Assert.Equal(before, Everything(site));

        // Slower than the time limit: a clear error, and Wix goes on.
        site.Server.Options.BackupDuration = TimeSpan.FromSeconds(2);
        var slow = Store(site, TimeSpan.FromMilliseconds(300));
        var late = await Assert.ThrowsAsync<BackupException>(() => PlatformOperation.BackupAsync(slow, Request(site, slow), wait: true));
        Assert.Equal(BackupError.WaitTimedOut, late.Error);
        Assert.Contains("still Pending", late.Message, StringComparison.Ordinal);
        Assert.Equal(site.Server.Backups(site.SiteId).Last().Id, late.Target); // the backup still Pending, to look for later
        // A restoration too: the error carries its Pending record.
        site.Server.Options.RestoreDuration = TimeSpan.FromSeconds(2);
        var lateRestore = await Assert.ThrowsAsync<BackupException>(() => PlatformOperation.RestoreAsync(slow, new RestoreRequest { BackupId = backup.Id, Store = slow, Site = site.Open() }));
        Assert.Equal((BackupError.WaitTimedOut, RestorationStatus.Pending), (lateRestore.Error, lateRestore.Restoration!.Status));
        Assert.Equal(lateRestore.Restoration.Id, lateRestore.Target);
        site.Server.Options.RestoreDuration = TimeSpan.FromMilliseconds(300);

        // -NoWait gives the Pending record at once; cancelling a wait stops only the waiting.
        var pending = await PlatformOperation.BackupAsync(store, Request(site, store), wait: false);
        Assert.Equal(BackupStatus.Pending, pending.Status);
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PlatformOperation.BackupAsync(store, Request(site, store), wait: true,
            new SynchronousProgress(p => { if (p.Activity.Contains("(Pending)", StringComparison.Ordinal)) cancel.Cancel(); }), cancel.Token));
        var asked = site.Server.Backups(site.SiteId).Last();
        Assert.Equal("PENDING", asked.Status); // the wait stopped, not the backup
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        Assert.Equal("READY", site.Server.Backups(site.SiteId).Single(b => b.Id == asked.Id).Status);
        Assert.Equal("READY", site.Server.Backups(site.SiteId).Single(b => b.Id == pending.Id).Status);
    }

    [Fact]
    public async Task What_needs_an_archive_is_refused_verification_says_why_not_and_errors_keep_their_ids()
    {
        await using var site = await SiteAsync();
        var store = Store(site);
        var backup = await PlatformOperation.BackupAsync(store, Request(site, store), wait: true);

        var verdict = VerifyOperation.Run(store, backup);
        Assert.False(verdict.Verified);
        Assert.Null(verdict.IsValid);
        Assert.Contains("holds no archive", verdict.Problems.Single().Message, StringComparison.Ordinal);
        Assert.Equal(BackupError.InvalidArgument, Assert.Throws<BackupException>(() => store.OpenArchive(backup.Id)).Error);
        Assert.Equal(BackupError.InvalidArgument, Assert.Throws<BackupException>(() => store.WriteRetention(store.ReadRetention())).Error);

        Assert.Equal(BackupError.BackupNotFound, (await Assert.ThrowsAsync<BackupException>(() => PlatformOperation.RemoveAsync(store, Guid.NewGuid().ToString()))).Error);
        Assert.Equal(BackupError.BackupNotFound, (await Assert.ThrowsAsync<BackupException>(() => store.DeleteAsync(Guid.NewGuid().ToString(), CancellationToken.None))).Error);
        var wrongKey = WixPlatformStoreKind.Open(site.Site, new NetworkCredential("", "not-the-key"), site.ClientOptions);
        Assert.Equal(BackupError.AuthenticationFailed, Assert.Throws<BackupException>(() => wrongKey.ListBackups()).Error);
        var other = $"wix://{Guid.NewGuid()}";
        Assert.Equal(BackupError.InvalidArgument, (await Assert.ThrowsAsync<BackupException>(() =>
            PlatformOperation.BackupAsync(store, new BackupRequest { Site = site.Open(other), Store = store }, wait: true))).Error);
        Assert.Equal(BackupError.InvalidArgument, (await Assert.ThrowsAsync<BackupException>(() =>
            PlatformOperation.BackupAsync(store, Request(site, store) with { Collections = ["people"] }, wait: true))).Error);
        Assert.Equal(BackupError.InvalidArgument, (await Assert.ThrowsAsync<BackupException>(() =>
            PlatformOperation.BackupAsync(store, Request(site, store) with { Type = BackupType.Auto }, wait: true))).Error);
    }
}
