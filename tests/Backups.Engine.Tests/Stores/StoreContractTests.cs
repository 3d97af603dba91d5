using System.Net;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Retention;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Stores.AzureBlob;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Stores;

/// <summary>
/// What every store must do, run against a folder and against Azure Blob Storage (Azurite): uploads invisible until
/// committed, records listed without archives, archives read back with random access, ids that never become paths,
/// a lock that excludes another taker until released, operations marked as running, and a whole backup and restore.
/// </summary>
public abstract class StoreContractTests : IDisposable
{
    protected TempFolder Folder { get; } = new();

    /// <summary>A new, empty store; <see cref="OpenAgain"/> opens the same one as another process would.</summary>
    protected abstract IBackupStore CreateStore();

    protected abstract IBackupStore OpenAgain(IBackupStore store);

    public virtual void Dispose()
    {
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }

    private static BackupRecord Record(string id, BackupStatus status = BackupStatus.Ready) => new()
    {
        Id = id, SiteId = "/sites/a.db", Status = status, RequestedDate = DateTimeOffset.UnixEpoch,
        Collections = [new BackupCollection { Id = "people", DisplayName = "People", ItemCount = 5 }],
    };

    [Fact]
    public void A_new_store_does_not_exist_until_something_is_written()
    {
        var store = CreateStore();
        Assert.False(store.Exists);
        Assert.Empty(store.ListBackups());
        Assert.Equal(BackupError.StoreNotFound, Assert.Throws<BackupException>(() => StoreKinds.Open(store.Location, mustExist: true, Credential)).Error);
        store.SaveBackup(Record("b1"));
        Assert.True(OpenAgain(store).Exists);
    }

    /// <summary>What StoreKinds.Open needs to open this kind of store.</summary>
    protected virtual NetworkCredential? Credential => null;

    [Fact]
    public void An_upload_is_invisible_until_committed_and_leaves_nothing_when_abandoned()
    {
        var store = CreateStore();
        using (var upload = store.BeginArchive("a1"))
        {
            upload.Stream.Write("partial"u8);
            Assert.Equal(BackupError.BackupNotFound, Assert.Throws<BackupException>(() => store.OpenArchive("a1")).Error);
        }
        Assert.Equal(BackupError.BackupNotFound, Assert.Throws<BackupException>(() => store.OpenArchive("a1")).Error);

        // Larger than one Azure block (4 MB), to cross block boundaries; read back with seeks.
        var data = new byte[9 * 1024 * 1024 + 17];
        new Random(7).NextBytes(data);
        using (var upload = store.BeginArchive("a2"))
        {
            for (int at = 0; at < data.Length; at += 100_000) upload.Stream.Write(data, at, Math.Min(100_000, data.Length - at));
            Assert.Equal(data.Length, upload.Commit());
        }
        using var read = OpenAgain(store).OpenArchive("a2");
        Assert.True(read.CanSeek);
        Assert.Equal(data.Length, read.Length);
        read.Seek(data.Length - 1000, SeekOrigin.Begin);
        var tail = new byte[1000];
        read.ReadExactly(tail);
        Assert.Equal(data[^1000..], tail);
        read.Seek(0, SeekOrigin.Begin);
        var all = new MemoryStream();
        read.CopyTo(all);
        Assert.Equal(data, all.ToArray());

        store.DeleteArchive("a2");
        store.DeleteArchive("a2"); // twice is fine
        Assert.Equal(BackupError.BackupNotFound, Assert.Throws<BackupException>(() => store.OpenArchive("a2")).Error);
    }

    [Fact]
    public void Records_are_replaced_whole_listed_without_archives_and_carry_their_store()
    {
        var store = CreateStore();
        store.SaveBackup(Record("b1"));
        store.SaveBackup(Record("b2", BackupStatus.Failed));
        store.SaveBackup(Record("b1") with { SizeInBytes = 42 });
        var backup = store.FindBackup("b1")!;
        store.SaveRestoration(new RestorationRecord { Id = "r1", Backup = backup, SiteId = backup.SiteId, Status = RestorationStatus.Completed });

        var other = OpenAgain(store);
        var listed = other.ListBackups().OrderBy(b => b.Id).ToList();
        Assert.Equal(["b1", "b2"], listed.Select(b => b.Id));
        Assert.Equal(42, listed[0].SizeInBytes);
        Assert.Equal("People", listed[0].Collections.Single().DisplayName);
        Assert.All(listed, b => Assert.Equal(store.Location, b.Store));
        Assert.Null(other.FindBackup("missing"));
        var restoration = other.ListRestorations().Single();
        Assert.Equal(("r1", store.Location, store.Location), (restoration.Id, restoration.Store, restoration.Backup.Store));
    }

    [Fact]
    public void A_pruned_record_is_gone_for_every_reader_and_pruning_it_again_does_nothing()
    {
        var store = CreateStore();
        store.SaveBackup(Record("kept"));
        store.SaveBackup(Record("gone", BackupStatus.Deleted));
        store.DeleteBackupRecord("gone");
        store.DeleteBackupRecord("gone");

        var other = OpenAgain(store);
        Assert.Equal(["kept"], other.ListBackups().Select(b => b.Id));
        Assert.Null(other.FindBackup("gone"));
        Assert.Equal(BackupError.InvalidArgument, Assert.Throws<BackupException>(() => store.DeleteBackupRecord("../kept")).Error);
    }

    [Fact]
    public void Retention_has_defaults_until_written()
    {
        var store = CreateStore();
        Assert.Equal(RetentionPolicy.Default with { Store = store.Location }, store.ReadRetention());
        store.WriteRetention(RetentionPolicy.Default with { MaxOnDemandBackups = 7 });
        Assert.Equal(7, OpenAgain(store).ReadRetention().MaxOnDemandBackups);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Ids_that_are_not_plain_are_refused(string id)
    {
        var store = CreateStore();
        Assert.Null(store.FindBackup(id));
        Assert.Equal(BackupError.InvalidArgument, Assert.Throws<BackupException>(() => store.SaveBackup(Record(id))).Error);
        Assert.Equal(BackupError.InvalidArgument, Assert.Throws<BackupException>(() => store.BeginArchive(id)).Error);
        Assert.False(store.IsOperationRunning(id));
    }

    [Fact]
    public void A_held_lock_makes_another_taker_fail_with_StoreLocked_after_the_timeout_and_is_free_once_released()
    {
        var store = CreateStore();
        var other = OpenAgain(store);
        using (store.Lock(TimeSpan.FromSeconds(1), CancellationToken.None))
        {
            var e = Assert.Throws<BackupException>(() => other.Lock(TimeSpan.FromMilliseconds(500), CancellationToken.None));
            Assert.Equal(BackupError.StoreLocked, e.Error);
        }
        using (other.Lock(TimeSpan.FromSeconds(1), CancellationToken.None)) { }
    }

    [Fact]
    public void An_operation_runs_while_it_is_held()
    {
        var store = CreateStore();
        var other = OpenAgain(store);
        Assert.False(other.IsOperationRunning("op1"));
        using (store.HoldOperation("op1"))
        {
            Assert.True(other.IsOperationRunning("op1"));
        }
        Assert.False(other.IsOperationRunning("op1"));
    }

    [Fact]
    public async Task A_backup_and_a_partial_restore_go_through_the_store()
    {
        var site = SqliteSite.CreateSample(Folder);
        var store = CreateStore();
        string before = site.DumpData();
        var backup = (await BackupOperation.RunAsync(new BackupRequest { Site = SiteKinds.Open(site.Path), Store = store })).Backup!;
        site.Execute("DELETE FROM people; DELETE FROM orders;");

        var restoration = await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = OpenAgain(store), Site = SiteKinds.Open(site.Path), Collections = ["people", "orders"],
        });

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(before, site.DumpData());
        Assert.Equal(backup.SizeInBytes, OpenAgain(store).FindBackup(backup.Id)!.SizeInBytes);
    }
}

public sealed class FolderStoreContractTests : StoreContractTests
{
    protected override IBackupStore CreateStore() => StoreKinds.Open(Folder.Combine("store"), mustExist: false);
    protected override IBackupStore OpenAgain(IBackupStore store) => StoreKinds.Open(store.Location, mustExist: false);
}

public sealed class AzureBlobStoreContractTests : StoreContractTests
{
    private readonly AzuriteContainer _container = new();

    protected override NetworkCredential? Credential => _container.Credential;
    protected override IBackupStore CreateStore() => _container.Open();
    protected override IBackupStore OpenAgain(IBackupStore store) => _container.Open();

    public override void Dispose()
    {
        _container.Dispose();
        base.Dispose();
    }
}
