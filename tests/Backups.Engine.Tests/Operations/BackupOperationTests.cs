using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Operations;

public class BackupOperationTests
{
    [Fact]
    public async Task A_backup_records_its_collections_counts_size_and_dates()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var before = DateTimeOffset.UtcNow;

        var backup = await TestEngine.BackupAsync(site, store);

        Assert.Equal(BackupStatus.Ready, backup.Status);
        Assert.Equal(site.Path, backup.SiteId);
        Assert.Equal(BackupType.OnDemand, backup.Type);
        Assert.Equal([("empty", 0L), ("orders", 3L), ("people", 5L)], backup.Collections.Select(c => (c.Id, c.ItemCount)));
        Assert.Equal(new FileInfo(folder.Combine("store", "archives", backup.Id + ".zip")).Length, backup.SizeInBytes);
        Assert.True(before <= backup.RequestedDate && backup.RequestedDate <= backup.StartedDate && backup.StartedDate <= backup.FinishedDate);
        Assert.Equivalent(backup, store.FindBackup(backup.Id), strict: true);
        Assert.True(VerifyOperation.Run(store, backup).IsValid);
    }

    [Fact]
    public async Task Collections_are_chosen_with_wildcards_and_exclusions()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var outcome = await BackupOperation.RunAsync(new BackupRequest
        {
            Site = SiteKinds.Open(site.Path), Store = store, Collections = ["*e*"], ExcludeCollections = ["EMPTY"],
        });
        Assert.Equal(["orders", "people"], outcome.Backup!.Collections.Select(c => c.Id));
    }

    [Fact]
    public async Task Progress_reports_each_collection_and_ends_completed()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var reports = new List<BackupProgress>();
        await BackupOperation.RunAsync(
            new BackupRequest { Site = SiteKinds.Open(site.Path), Store = TestEngine.Store(folder) },
            new SynchronousProgress(reports.Add));

        Assert.Equal(["empty", "orders", "people"], reports.Where(r => r.CollectionId is not null).Select(r => r.CollectionId).Distinct());
        Assert.Contains(reports, r => r.CollectionId == "people" && r.ItemsDone == 5 && r.ItemsTotal == 5 && r.BytesDone > 0);
        Assert.True(reports[^1].Completed);
    }

    [Fact]
    public async Task A_canceled_backup_ends_Canceled_with_no_archive_and_earlier_backups_untouched()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder, "CREATE TABLE big (id INTEGER PRIMARY KEY, text TEXT);");
        site.Execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) INSERT INTO big SELECT i, 'item ' || i FROM n;");
        var store = TestEngine.Store(folder);
        var earlier = await TestEngine.BackupAsync(site, store);

        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.ItemsDone > 0) cancel.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BackupOperation.RunAsync(
            new BackupRequest { Site = SiteKinds.Open(site.Path), Store = store }, progress, cancel.Token));

        var canceled = BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Canceled] }).Single();
        Assert.NotNull(canceled.FinishedDate);
        Assert.Equal([earlier.Id + ".zip"], Directory.GetFiles(folder.Combine("store", "archives")).Select(Path.GetFileName));
        Assert.True(VerifyOperation.Run(store, store.FindBackup(earlier.Id)!).IsValid);
    }

    [Fact]
    public void A_store_path_that_is_a_file_is_an_invalid_argument_and_the_file_is_left_alone()
    {
        using var folder = new TempFolder();
        string blocker = folder.Combine("store-is-a-file");
        File.WriteAllText(blocker, "not a folder");

        foreach (bool mustExist in new[] { true, false })
        {
            var e = Assert.Throws<BackupException>(() => SiteBackup.Engine.Stores.StoreKinds.Open(blocker, mustExist));
            Assert.Equal(BackupError.InvalidArgument, e.Error);
            Assert.Contains("is a file, not a store folder", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal("not a folder", File.ReadAllText(blocker));
    }

    [Fact]
    public async Task A_store_below_a_file_is_an_invalid_argument_before_anything_is_written()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        string parent = folder.Combine("parent-is-a-file");
        File.WriteAllText(parent, "not a folder");

        var e = await Assert.ThrowsAnyAsync<BackupException>(() => TestEngine.BackupAsync(site, SiteBackup.Engine.Stores.StoreKinds.Open(Path.Combine(parent, "store"), false)));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("is a file", e.Message, StringComparison.Ordinal);
        Assert.Equal("not a folder", File.ReadAllText(parent));
    }
}

/// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress(Action<BackupProgress> report) : IProgress<BackupProgress>
{
    public void Report(BackupProgress value) => report(value);
}
