using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Operations;

/// <summary>A copy that does not read back as it was written never lists as Ready, and the next run makes it again.</summary>
public sealed class CopyOperationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A destination whose reads give back one byte changed, as a faulty disk or share would.</summary>
    private sealed class ReadsBackChanged(IBackupStore inner) : DelegatingStore(inner)
    {
        public override Stream OpenArchive(string id)
        {
            using var stored = base.OpenArchive(id);
            var bytes = new MemoryStream();
            stored.CopyTo(bytes);
            bytes.GetBuffer()[bytes.Length / 2] ^= 0x01;
            bytes.Position = 0;
            return bytes;
        }
    }

    [Fact]
    public async Task A_copy_that_reads_back_changed_is_Failed_without_an_archive_and_is_made_again_later()
    {
        var site = SqliteSite.CreateSample(_folder);
        var source = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(site, source);
        var target = StoreKinds.Open(_folder.Combine("copy"), mustExist: false);

        var e = await Assert.ThrowsAsync<BackupException>(() => CopyOperation.RunAsync(new CopyRequest { Source = source, Target = new ReadsBackChanged(target), BackupId = backup.Id }));
        Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
        var failed = target.FindBackup(backup.Id)!;
        Assert.Equal(BackupStatus.Failed, failed.Status);
        Assert.Contains("SHA-256 differs", failed.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.Combine("copy", "archives", backup.Id + ".zip")));

        var outcome = await CopyOperation.RunAsync(new CopyRequest { Source = source, Target = target, BackupId = backup.Id });
        Assert.Equal(BackupStatus.Ready, outcome.Copy!.Status);
        Assert.Equal(BackupStatus.Ready, target.FindBackup(backup.Id)!.Status);
        Assert.True(VerifyOperation.Run(target, outcome.Copy).IsValid);
        Assert.Equal(source.Location, outcome.Copy.CopiedFrom!.Store);
    }

    [Fact]
    public async Task A_copy_killed_while_it_ran_is_made_again_and_one_retention_would_drop_at_once_is_not_made()
    {
        var site = SqliteSite.CreateSample(_folder);
        var source = TestEngine.Store(_folder);
        var older = await TestEngine.BackupAsync(site, source);
        var newer = await TestEngine.BackupAsync(site, source);
        var target = StoreKinds.Open(_folder.Combine("copy"), mustExist: false);
        // What a copy killed before it finished leaves: a Pending record nobody holds.
        target.SaveBackup(newer with { Status = BackupStatus.Pending });

        var again = await CopyOperation.RunAsync(new CopyRequest { Source = source, Target = target, BackupId = newer.Id });
        Assert.Equal(BackupStatus.Ready, again.Copy!.Status);

        target.WriteRetention(target.ReadRetention() with { MaxOnDemandBackups = 1 });
        var dropped = await CopyOperation.RunAsync(new CopyRequest { Source = source, Target = target, BackupId = older.Id });
        Assert.Null(dropped.Copy);
        Assert.Contains("would remove it at once", dropped.SkippedReason, StringComparison.Ordinal);
        Assert.Null(target.FindBackup(older.Id));
    }

    [Fact]
    public async Task Only_a_ready_backup_is_copied_the_others_passed_over_and_never_into_its_own_store()
    {
        var site = SqliteSite.CreateSample(_folder);
        var source = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(site, source);
        BackupCatalog.Remove(source, backup.Id, TimeSpan.FromSeconds(5), TimeProvider.System);
        var target = StoreKinds.Open(_folder.Combine("copy"), mustExist: false);
        var skipped = await CopyOperation.RunAsync(new CopyRequest { Source = source, Target = target, BackupId = backup.Id });
        Assert.Null(skipped.Copy);
        Assert.Contains("only a Ready backup is copied", skipped.SkippedReason, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.Combine("copy", "backups")));
        Assert.Equal(BackupError.InvalidArgument,
            (await Assert.ThrowsAsync<BackupException>(() => CopyOperation.RunAsync(new CopyRequest { Source = source, Target = source, BackupId = backup.Id }))).Error);
    }
}
