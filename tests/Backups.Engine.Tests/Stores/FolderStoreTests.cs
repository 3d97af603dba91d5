using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Stores;

/// <summary>What only a folder store does; the rest is in <see cref="StoreContractTests"/>.</summary>
public class FolderStoreTests
{
    private static BackupRecord Record(string id, BackupStatus status = BackupStatus.Ready) => new()
    {
        Id = id, SiteId = "/sites/a.db", Status = status, RequestedDate = DateTimeOffset.UnixEpoch,
        Collections = [new BackupCollection { Id = "people", DisplayName = "People", ItemCount = 5 }],
    };

    [Fact]
    public void A_damaged_record_is_skipped_rather_than_breaking_the_listing()
    {
        using var folder = new TempFolder();
        var store = TestEngine.Store(folder);
        store.SaveBackup(Record("good"));
        File.WriteAllText(folder.Combine("store", "backups", "bad.json"), "{ truncated");
        Assert.Equal(["good"], store.ListBackups().Select(b => b.Id));
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
