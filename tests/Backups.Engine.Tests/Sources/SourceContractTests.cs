using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// What every collection source must do, run against each kind with a real site (the Wix one through the stand-in):
/// a round trip that the kind's own client cannot tell apart, partial restores that go where they are told, foreign
/// keys that never make order matter, and a missing collection or a damaged archive found before anything changes.
/// </summary>
public abstract class SourceContractTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();

    protected ISiteFixture Site { get; private set; } = null!;

    protected abstract ISiteFixture CreateFixture();

    public async Task InitializeAsync()
    {
        Site = CreateFixture();
        await Site.CreateSampleAsync();
    }

    public async Task DisposeAsync() => await Site.DisposeAsync();

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    protected SiteBackup.Engine.Stores.IBackupStore Store() => TestEngine.Store(_folder);

    [Fact]
    public async Task A_round_trip_gives_back_what_the_sites_own_client_shows()
    {
        string original = await Site.DumpAsync();
        var store = Store();
        var backup = await TestEngine.BackupAsync(Site, store);
        Assert.Equal([("empty", 0L), ("orders", 3L), ("people", 5L)], backup.Collections.Select(c => (c.Id, c.ItemCount)));

        await Site.ChangeAsync();
        await Site.AddPersonAsync(99, "new");
        Assert.NotEqual(original, await Site.DumpAsync());
        var restoration = await TestEngine.RestoreAsync(Site, store, backup.Id);

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.All(restoration.Collections, c => Assert.Equal(RestorationCollectionStatus.Restored, c.Status));
        Assert.Equal([0L, 3L, 5L], restoration.Collections.OrderBy(c => c.Id).Select(c => c.ItemCount));
        Assert.Equal(original, await Site.DumpAsync());
    }

    [Fact]
    public async Task Collections_restored_together_never_fail_on_their_foreign_keys_and_a_partial_restore_goes_where_it_is_told()
    {
        var store = Store();
        var backup = await TestEngine.BackupAsync(Site, store);
        string original = await Site.DumpAsync();
        await Site.DeleteAllAsync("orders");
        await Site.DeleteAllAsync("people");
        await TestEngine.RestoreAsync(Site, store, backup.Id, ["orders", "people"]);
        Assert.Equal(original, await Site.DumpAsync());

        await Site.CreatePeopleCopyAsync();
        var restoration = await TestEngine.RestoreAsync(Site, store, backup.Id, ["people"], new() { ["people"] = "people_copy" });
        Assert.Equal(5, restoration.Collections.Single().ItemCount);
        Assert.Equal("people_copy", restoration.Collections.Single().Destination);
        Assert.Equal(5, await Site.CountAsync("people_copy"));
        Assert.Equal(3, await Site.CountAsync("orders"));
    }

    [Fact]
    public async Task A_missing_collection_is_CollectionNotFound_before_anything_changes()
    {
        var store = Store();
        var backup = await TestEngine.BackupAsync(Site, store);
        await Site.ChangeAsync();
        await Site.DropAsync("empty");
        string before = await Site.DumpAsync();

        var missing = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(Site, store, backup.Id));

        Assert.Equal(BackupError.CollectionNotFound, missing.Error);
        Assert.Equal(before, await Site.DumpAsync());
    }

    [Fact]
    public async Task A_corrupt_collection_late_in_the_archive_leaves_every_collection_as_it_was()
    {
        var store = Store();
        var backup = await TestEngine.BackupAsync(Site, store);
        await Site.ChangeAsync();
        string changed = await Site.DumpAsync();
        string path = Path.Combine(store.Location, "archives", backup.Id + ".zip");
        using (var original = new MemoryStream(File.ReadAllBytes(path)))
        {
            var people = ArchiveFiles.Entries(original).Single(e => e.Name == "collections/2.jsonl").Data;
            people[people.Length - 3] ^= 0x01;
            File.WriteAllBytes(path, ArchiveFiles.ReplaceEntry(original, 2, people).ToArray());
        }

        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(Site, store, backup.Id));

        Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
        Assert.Equal(changed, await Site.DumpAsync());
    }
}

/// <summary>The contract's part that only a site with transactions can keep: one snapshot for every collection,
/// restores invisible until they commit and rolled back whole.</summary>
public abstract class TransactionalSourceContractTests : SourceContractTests
{
    private ISqlSiteFixture Sql => (ISqlSiteFixture)Site;

    private ISiteSource Source() => Site.Open();

    [Fact]
    public async Task Every_collection_is_read_from_one_snapshot()
    {
        await using var snapshot = await Source().OpenSnapshotAsync(CancellationToken.None);
        var people = snapshot.Collections.Single(c => c.Id == "people");
        Assert.Equal(5, await snapshot.CountAsync(people, CancellationToken.None)); // the snapshot has begun
        await Sql.ExecuteAsync("INSERT INTO people (id, name) VALUES (99, 'late'); DELETE FROM orders;");

        Assert.Equal(5, await snapshot.CountAsync(people, CancellationToken.None));
        Assert.Equal(3, await snapshot.CountAsync(snapshot.Collections.Single(c => c.Id == "orders"), CancellationToken.None));
        Assert.Equal(6, await Sql.ScalarAsync("SELECT count(*) FROM people"));
    }

    [Fact]
    public async Task A_restore_is_invisible_until_it_commits_and_rolls_back_whole()
    {
        var store = Store();
        var backup = await TestEngine.BackupAsync(Site, store);
        await Site.ChangeAsync();
        string changed = await Site.DumpAsync();

        using var archiveStream = store.OpenArchive(backup.Id);
        using var archive = ArchiveReader.Open(archiveStream, backup.Id);
        await using (var restore = await Source().BeginRestoreAsync(CancellationToken.None))
        {
            Assert.True(restore.IsTransactional);
            var order = await restore.ClearAsync(archive.Manifest.Collections.Select(c => c.Id).ToList(), CancellationToken.None);
            foreach (string id in order)
            {
                using var items = archive.OpenCollection(archive.Manifest.Collections.Single(c => c.Id == id));
                await restore.WriteAsync(id, items, CancellationToken.None);
            }
            // Another connection sees the old rows, or waits for the commit: never the restore's.
            string? seen = await Sql.DumpWithoutWaitingAsync();
            Assert.True(seen is null || seen == changed, "another connection saw a restore that had not committed");
        }
        Assert.Equal(changed, await Site.DumpAsync());
    }

    [Fact]
    public async Task A_dropped_column_is_InvalidArgument_with_the_site_unchanged()
    {
        var store = Store();
        var backup = await TestEngine.BackupAsync(Site, store);
        await Sql.ExecuteAsync("ALTER TABLE people DROP COLUMN photo; UPDATE people SET name = 'kept';");
        string before = await Site.DumpAsync();

        var shape = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(Site, store, backup.Id));

        Assert.Equal(BackupError.InvalidArgument, shape.Error);
        Assert.Contains("'photo'", shape.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Site.DumpAsync());
    }
}

public sealed class SqliteSourceContractTests : TransactionalSourceContractTests
{
    protected override ISiteFixture CreateFixture() => new SqliteFixture();
}

public sealed class PostgreSqlSourceContractTests : TransactionalSourceContractTests
{
    protected override ISiteFixture CreateFixture() => new PostgresFixture();
}
