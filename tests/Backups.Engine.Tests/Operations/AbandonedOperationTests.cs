using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Operations;

/// <summary>Records left Pending by a process that died. Its lock files are released by the operating system, so
/// a dead process is simulated by records and files with nobody holding them.</summary>
public class AbandonedOperationTests
{
    private static BackupRecord Pending(string id, string site) => new()
    {
        Id = id, SiteId = site, Status = BackupStatus.Pending, RequestedDate = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_pending_backup_nobody_holds_lists_as_Failed_and_the_next_backup_cleans_it_up()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        await TestEngine.BackupAsync(site, store);
        store.SaveBackup(Pending("dead-backup", site.Path));
        using (var partial = store.BeginArchive("dead-backup")) { partial.Stream.Write("half an archive"u8); }
        File.WriteAllText(folder.Combine("store", "archives", "dead-backup.zip.partial"), "left by a killed process");
        Directory.CreateDirectory(folder.Combine("store", "running"));
        File.WriteAllText(folder.Combine("store", "running", "dead-backup.lock"), "");

        var seen = BackupCatalog.Get(store, "dead-backup");
        Assert.Equal(BackupStatus.Failed, seen.Status);
        Assert.StartsWith("Abandoned", seen.Error, StringComparison.Ordinal);
        Assert.Equal(BackupStatus.Pending, store.FindBackup("dead-backup")!.Status); // listing wrote nothing

        await TestEngine.BackupAsync(site, store);
        Assert.Equal(BackupStatus.Failed, store.FindBackup("dead-backup")!.Status);
        Assert.False(File.Exists(folder.Combine("store", "archives", "dead-backup.zip.partial")));
        Assert.Equal(2, BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Ready] }).Count);
    }

    [Fact]
    public void A_pending_backup_a_live_process_holds_stays_Pending_and_cannot_be_removed()
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        using (store.HoldOperation("live-backup"))
        {
            store.SaveBackup(Pending("live-backup", "/x.db"));
            Assert.Equal(BackupStatus.Pending, BackupCatalog.Get(store, "live-backup").Status);
            var e = Assert.Throws<Errors.BackupException>(() => BackupCatalog.Remove(store, "live-backup", TimeSpan.FromSeconds(1), TimeProvider.System));
            Assert.Equal(Errors.BackupError.BackupNotReady, e.Error);
        }
        Assert.Equal(BackupStatus.Failed, BackupCatalog.Get(store, "live-backup").Status);
        Assert.Equal(BackupStatus.Deleted, BackupCatalog.Remove(store, "live-backup", TimeSpan.FromSeconds(1), TimeProvider.System).Status);
    }

    [Fact]
    public async Task A_pending_restoration_nobody_holds_lists_as_Failed_with_what_is_known_of_the_site()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        store.SaveRestoration(new RestorationRecord
        {
            Id = "dead-restore", Backup = backup, SiteId = site.Path, Status = RestorationStatus.Pending,
        });

        var seen = BackupCatalog.ListRestorations(store).Single();
        Assert.Equal(RestorationStatus.Failed, seen.Status);
        Assert.Contains("either all of its old content or all of the backup's", seen.Error, StringComparison.Ordinal);
    }
}
