using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Stores;
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

/// <summary>
/// An operation that ends between another process's listing and its probe of the hold: the record it read says
/// Pending, the hold is gone, yet nothing was abandoned. The operation saved its outcome before letting go, and
/// that outcome must stay.
/// </summary>
public class OperationEndingWhileRecoveredTests
{
    [Fact]
    public async Task A_restoration_that_completes_while_a_backup_recovers_the_store_stays_Completed()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        var pending = new RestorationRecord { Id = "live-restore", Backup = backup, SiteId = site.Path, Status = RestorationStatus.Pending };
        var hold = store.HoldOperation(pending.Id);
        store.SaveRestoration(pending);
        var racing = new EndsWhenProbed(store, pending.Id, () =>
        {
            store.SaveRestoration(pending with { Status = RestorationStatus.Completed, FinishedDate = DateTimeOffset.UtcNow });
            hold.Dispose();
        });

        Abandoned.Recover(racing, DateTimeOffset.UtcNow);

        Assert.True(racing.Probed);
        var after = store.ListRestorations().Single();
        Assert.Equal(RestorationStatus.Completed, after.Status);
        Assert.Null(after.Error);
    }

    [Fact]
    public void A_restoration_that_completes_while_it_is_listed_lists_as_Completed()
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        var backup = new BackupRecord { Id = "b", SiteId = "/x.db", Status = BackupStatus.Ready, RequestedDate = DateTimeOffset.UtcNow };
        var pending = new RestorationRecord { Id = "live-restore", Backup = backup, SiteId = "/x.db", Status = RestorationStatus.Pending };
        var hold = store.HoldOperation(pending.Id);
        store.SaveRestoration(pending);
        var racing = new EndsWhenProbed(store, pending.Id, () =>
        {
            store.SaveRestoration(pending with { Status = RestorationStatus.Completed });
            hold.Dispose();
        });

        Assert.Equal(RestorationStatus.Completed, BackupCatalog.ListRestorations(racing).Single().Status);
        Assert.True(racing.Probed);
    }

    [Fact]
    public void A_backup_that_fails_while_the_store_is_recovered_keeps_its_own_error()
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        var pending = new BackupRecord { Id = "live-backup", SiteId = "/x.db", Status = BackupStatus.Pending, RequestedDate = DateTimeOffset.UtcNow };
        var hold = store.HoldOperation(pending.Id);
        store.SaveBackup(pending);
        var racing = new EndsWhenProbed(store, pending.Id, () =>
        {
            store.SaveBackup(pending with { Status = BackupStatus.Failed, Error = "The site went away." });
            hold.Dispose();
        });

        Abandoned.Recover(racing, DateTimeOffset.UtcNow);

        Assert.True(racing.Probed);
        Assert.Equal("The site went away.", store.FindBackup(pending.Id)!.Error);
    }

    /// <summary>A store whose operation <paramref name="id"/> ends (runs <paramref name="end"/>) just before the
    /// first probe of its hold, as it would in another process at the worst moment.</summary>
    private sealed class EndsWhenProbed(IBackupStore inner, string id, Action end) : DelegatingStore(inner)
    {
        public bool Probed { get; private set; }

        public override bool IsOperationRunning(string probed)
        {
            if (probed == id && !Probed)
            {
                Probed = true;
                end();
            }
            return base.IsOperationRunning(probed);
        }
    }
}

/// <summary>A removal (by Remove-SiteBackup or by retention) that stops between its two writes, as a killed process
/// does: whichever write it stops at, no Ready record is left without its archive, and what it leaves behind is
/// swept by the next operation in the store.</summary>
public class InterruptedRemovalTests
{
    /// <summary>A store that fails the first call of one kind, as a process killed at that moment would.</summary>
    private sealed class DiesAt(IBackupStore inner, string call) : DelegatingStore(inner)
    {
        private bool _died;

        private void Maybe(string what)
        {
            if (_died || what != call) return;
            _died = true;
            throw new IOException($"killed at {what}");
        }

        public override void SaveBackup(BackupRecord backup)
        {
            if (backup.Status == BackupStatus.Deleted) Maybe("record");
            base.SaveBackup(backup);
        }

        public override void DeleteArchive(string id)
        {
            Maybe("archive");
            base.DeleteArchive(id);
        }
    }

    [Theory]
    [InlineData("record")]
    [InlineData("archive")]
    public async Task Leaves_no_ready_record_without_its_archive_and_the_next_operation_sweeps_what_is_left(string diesAt)
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);

        Assert.ThrowsAny<Exception>(() => BackupCatalog.Remove(new DiesAt(store, diesAt), backup.Id, TimeSpan.FromSeconds(5), TimeProvider.System));

        string archive = folder.Combine("store", "archives", backup.Id + ".zip");
        var left = store.FindBackup(backup.Id)!;
        if (left.Status == BackupStatus.Ready)
            Assert.True(File.Exists(archive), "a Ready record's archive is gone");
        Assert.True(VerifyOperation.Run(store, left).IsValid ?? true, "a backup that lists as Ready does not verify");

        await TestEngine.BackupAsync(site, store);   // the next operation in the store
        if (store.FindBackup(backup.Id)!.Status != BackupStatus.Ready) Assert.False(File.Exists(archive), "the removed backup's archive was left behind");
    }
}
