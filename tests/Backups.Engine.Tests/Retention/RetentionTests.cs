using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Retention;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Retention;

public class RetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_fourth_on_demand_backup_removes_the_oldest_and_only_after_it_is_ready()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var clock = new ManualClock(Start);
        var ids = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            ids.Add((await TestEngine.BackupAsync(site, store, clock: clock)).Id);
            clock.Advance(TimeSpan.FromHours(1));
        }

        var ready = BackupCatalog.List(store, new BackupQuery());
        Assert.Equal(ids.Skip(1).Reverse(), ready.Select(b => b.Id));
        var oldest = store.FindBackup(ids[0])!;
        Assert.Equal(BackupStatus.Deleted, oldest.Status);
        Assert.Equal(Start + TimeSpan.FromHours(3), oldest.DeletedDate);
        Assert.Throws<BackupException>(() => store.OpenArchive(ids[0]));
        Assert.Equal(3, Directory.GetFiles(folder.Combine("store", "archives")).Length);
    }

    [Fact]
    public async Task A_failed_backup_removes_nothing_and_one_refused_before_it_started_leaves_no_record()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        for (int i = 0; i < 3; i++) await TestEngine.BackupAsync(site, store);

        // Refused before any item is read: the site is no database any more; a collection that does not exist.
        File.WriteAllText(site.Path, "garbage that is not a database file at all, long enough to be read");
        await Assert.ThrowsAsync<BackupException>(() => TestEngine.BackupAsync(site, store));
        var good = SqliteSite.CreateSample(folder, "other.db");
        var missing = await Assert.ThrowsAsync<BackupException>(() => TestEngine.BackupAsync(good, store, collections: ["nope"]));
        Assert.Contains("'nope'", missing.Message, StringComparison.Ordinal);
        // Fails once it has started: a table whose pages do not read back.
        var damaged = SqliteSite.CreateLarge(folder);
        damaged.Damage();
        await Assert.ThrowsAsync<BackupException>(() => TestEngine.BackupAsync(damaged, store));

        Assert.Equal(3, BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Ready] }).Count);
        Assert.DoesNotContain(store.ListBackups(), b => b.SiteId == good.Path);
        Assert.Equal(4, store.ListBackups().Count);
        var failed = store.ListBackups().Single(b => b.SiteId == damaged.Path);
        Assert.Equal(BackupStatus.Failed, failed.Status);
        Assert.Contains("damaged", failed.Error, StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(folder.Combine("store", "archives")).Length);
    }

    [Fact]
    public async Task An_auto_backup_is_taken_only_when_the_newest_ready_auto_backup_is_old_enough()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var clock = new ManualClock(Start);
        Task<BackupOutcome> Auto(bool force = false) => BackupOperation.RunAsync(new BackupRequest
        {
            Site = SiteKinds.Open(site.Path), Store = store, Type = BackupType.Auto, Clock = clock, Force = force,
        });

        Assert.NotNull((await Auto()).Backup); // none yet: due
        await TestEngine.BackupAsync(site, store, clock: clock); // on-demand backups do not count
        clock.Advance(TimeSpan.FromDays(6.9));
        var skipped = await Auto();
        Assert.Null(skipped.Backup);
        Assert.Contains("No automatic backup is due", skipped.SkippedReason, StringComparison.Ordinal);
        Assert.NotNull((await Auto(force: true)).Backup);

        clock.Advance(TimeSpan.FromDays(7));
        Assert.NotNull((await Auto()).Backup);
        Assert.Equal(3, BackupCatalog.List(store, new BackupQuery { Types = [BackupType.Auto] }).Count);
    }

    [Fact]
    public async Task An_automatic_backup_another_process_is_taking_now_makes_this_one_skip()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var clock = new ManualClock(Start);
        Task<BackupOutcome> Auto() => BackupOperation.RunAsync(new BackupRequest
        {
            Site = SiteKinds.Open(site.Path), Store = store, Type = BackupType.Auto, Clock = clock,
        });
        // Another runbook started a moment earlier: its backup is Pending and its operation held.
        string other = Guid.CreateVersion7().ToString();
        var held = store.HoldOperation(other);
        store.SaveBackup(new BackupRecord { Id = other, SiteId = site.Path, Type = BackupType.Auto, Status = BackupStatus.Pending, RequestedDate = clock.GetUtcNow() });

        var skipped = await Auto();
        Assert.Null(skipped.Backup);
        Assert.Contains("is being taken now", skipped.SkippedReason, StringComparison.Ordinal);
        Assert.Contains(other, skipped.SkippedReason, StringComparison.Ordinal);

        held.Dispose(); // that process died: its record is abandoned, and an automatic backup is due again
        Assert.NotNull((await Auto()).Backup);
    }

    [Fact]
    public async Task Limits_are_per_store_and_per_site_and_auto_backups_are_bounded_too()
    {
        using var folder = new TempFolder();
        var a = SqliteSite.CreateSample(folder, "a.db");
        var b = SqliteSite.CreateSample(folder, "b.db");
        var store = TestEngine.Store(folder);
        store.WriteRetention(new RetentionPolicy { MaxOnDemandBackups = 1, MaxAutoBackups = 2 });
        var clock = new ManualClock(Start);

        for (int i = 0; i < 3; i++)
        {
            await TestEngine.BackupAsync(a, store, clock: clock);
            await TestEngine.BackupAsync(b, store, clock: clock);
            await TestEngine.BackupAsync(a, store, BackupType.Auto, clock);
            clock.Advance(TimeSpan.FromDays(8));
        }

        var ready = BackupCatalog.List(store, new BackupQuery());
        Assert.Single(ready, x => x.SiteId == a.Path && x.Type == BackupType.OnDemand);
        Assert.Single(ready, x => x.SiteId == b.Path && x.Type == BackupType.OnDemand);
        Assert.Equal(2, ready.Count(x => x.Type == BackupType.Auto));
        Assert.Equal(new RetentionPolicy { MaxOnDemandBackups = 1, MaxAutoBackups = 2, Store = store.Location }, store.ReadRetention());
    }

    [Fact]
    public void A_new_store_uses_the_documented_defaults()
    {
        using var folder = new TempFolder();
        var policy = TestEngine.Store(folder).ReadRetention();
        Assert.Equal(3, policy.MaxOnDemandBackups);
        Assert.Equal(4, policy.MaxAutoBackups);
        Assert.Equal(TimeSpan.FromDays(7), policy.AutoInterval);
    }
}
