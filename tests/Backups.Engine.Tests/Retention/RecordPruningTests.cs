using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Retention;

/// <summary>Records of backups with no archive (tombstones, failures) are pruned once they are older than the store
/// keeps them, so a store used every day for years stays the size of what it holds.</summary>
public class RecordPruningTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Four_months_of_daily_backups_keep_their_ready_backups_and_only_the_recent_tombstones()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        store.WriteRetention(store.ReadRetention() with { DeletedRecordRetention = TimeSpan.FromDays(30) });
        var clock = new ManualClock(Start);
        var failed = new BackupRecord { Id = "0-failed-long-ago", SiteId = site.Path, Status = BackupStatus.Failed, RequestedDate = Start, FinishedDate = Start };
        store.SaveBackup(failed);
        for (int day = 0; day < 120; day++)
        {
            await TestEngine.BackupAsync(site, store, clock: clock);
            clock.Advance(TimeSpan.FromDays(1));
        }

        var records = store.ListBackups();
        Assert.Equal(3, records.Count(b => b.Status == BackupStatus.Ready));
        var tombstones = records.Where(b => b.Status == BackupStatus.Deleted).ToList();
        // Removed within the last 30 days of the run: one a day (the 4th backup removes the oldest).
        Assert.InRange(tombstones.Count, 29, 31);
        Assert.All(tombstones, t => Assert.True(clock.GetUtcNow() - t.DeletedDate <= TimeSpan.FromDays(31), $"{t.Id} was removed {t.DeletedDate}"));
        Assert.Null(store.FindBackup(failed.Id));
        Assert.Equal(records.Count, Directory.GetFiles(folder.Combine("store", "backups")).Length);
        Assert.Equal(3, Directory.GetFiles(folder.Combine("store", "archives")).Length);
    }

    [Fact]
    public async Task Records_within_the_time_are_kept_and_a_pruned_one_leaves_no_archive()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var clock = new ManualClock(Start);
        var first = await TestEngine.BackupAsync(site, store, clock: clock);
        BackupCatalog.Remove(store, first.Id, TimeSpan.FromSeconds(5), clock);
        // A removal interrupted between its record and its archive.
        File.WriteAllText(folder.Combine("store", "archives", first.Id + ".zip"), "left behind");

        clock.Advance(TimeSpan.FromDays(89));
        await TestEngine.BackupAsync(site, store, clock: clock);
        Assert.Equal(BackupStatus.Deleted, store.FindBackup(first.Id)!.Status);

        clock.Advance(TimeSpan.FromDays(2));
        await TestEngine.BackupAsync(site, store, clock: clock);
        Assert.Null(store.FindBackup(first.Id));
        Assert.False(File.Exists(folder.Combine("store", "archives", first.Id + ".zip")));
    }
}
