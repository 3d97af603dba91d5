using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Stores;

public class FolderStoreTests
{
    private static BackupRecord Record(string id, BackupStatus status = BackupStatus.Ready) => new()
    {
        Id = id, SiteId = "/sites/a.db", Status = status, RequestedDate = DateTimeOffset.UnixEpoch,
        Collections = [new BackupCollection { Id = "people", DisplayName = "People", ItemCount = 5 }],
    };

    [Fact]
    public void An_upload_is_invisible_until_committed_and_leaves_nothing_when_abandoned()
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        string archives = folder.Combine("store", "archives");

        using (var upload = store.BeginArchive("a1"))
        {
            upload.Stream.Write("partial"u8);
            Assert.Throws<BackupException>(() => store.OpenArchive("a1"));
        }
        Assert.Empty(Directory.GetFiles(archives));

        using (var upload = store.BeginArchive("a2"))
        {
            upload.Stream.Write("complete"u8);
            Assert.Equal(8, upload.Commit());
        }
        Assert.Equal(["a2.zip"], Directory.GetFiles(archives).Select(Path.GetFileName));
        using var read = new StreamReader(store.OpenArchive("a2"));
        Assert.Equal("complete", read.ReadToEnd());
    }

    [Fact]
    public void Records_list_without_archives_and_carry_their_store()
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        store.SaveBackup(Record("b1"));
        store.SaveBackup(Record("b2", BackupStatus.Failed));
        store.SaveBackup(Record("b1") with { SizeInBytes = 42 }); // replaces, not duplicates

        var listed = store.ListBackups().OrderBy(b => b.Id).ToList();
        Assert.Equal(["b1", "b2"], listed.Select(b => b.Id));
        Assert.Equal(42, listed[0].SizeInBytes);
        Assert.Equal("People", listed[0].Collections.Single().DisplayName);
        Assert.All(listed, b => Assert.Equal(store.Location, b.Store));
        Assert.Empty(Directory.GetFiles(folder.Combine("store", "backups"), "*.tmp"));
    }

    [Fact]
    public void A_damaged_record_is_skipped_rather_than_breaking_the_listing()
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        store.SaveBackup(Record("good"));
        File.WriteAllText(folder.Combine("store", "backups", "bad.json"), "{ truncated");
        Assert.Equal(["good"], store.ListBackups().Select(b => b.Id));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Ids_that_are_not_plain_never_reach_the_file_system(string id)
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        Assert.Null(store.FindBackup(id));
        Assert.Equal(BackupError.InvalidArgument, Assert.Throws<BackupException>(() => store.SaveBackup(Record(id))).Error);
    }

    [Fact]
    public void A_held_lock_makes_another_taker_fail_with_StoreLocked_after_the_timeout_and_is_free_once_released()
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        var other = StoreKinds.Open(store.Location, mustExist: false);

        using (store.Lock(TimeSpan.FromSeconds(1), CancellationToken.None))
        {
            var e = Assert.Throws<BackupException>(() => other.Lock(TimeSpan.FromMilliseconds(200), CancellationToken.None));
            Assert.Equal(BackupError.StoreLocked, e.Error);
        }
        using (other.Lock(TimeSpan.FromMilliseconds(200), CancellationToken.None)) { }
    }

    [Fact]
    public void A_store_named_explicitly_must_exist_to_be_read_and_the_default_comes_from_the_environment()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<BackupException>(() => StoreKinds.Open(folder.Combine("missing"), mustExist: true));
        Assert.Equal(BackupError.StoreNotFound, e.Error);

        string? saved = Environment.GetEnvironmentVariable(StoreKinds.StoreVariable);
        try
        {
            Environment.SetEnvironmentVariable(StoreKinds.StoreVariable, folder.Combine("from-env"));
            Assert.Equal(folder.Combine("from-env"), StoreKinds.Open(null, mustExist: true).Location);
        }
        finally
        {
            Environment.SetEnvironmentVariable(StoreKinds.StoreVariable, saved);
        }
    }
}
