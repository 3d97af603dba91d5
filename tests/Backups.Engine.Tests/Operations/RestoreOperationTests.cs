using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Operations;

public class RestoreOperationTests
{
    [Fact]
    public async Task A_full_restore_brings_every_collection_back_and_records_the_restoration()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        string original = site.DumpData();
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("DELETE FROM orders; UPDATE people SET name = 'x'; INSERT INTO empty VALUES ('new');");

        var restoration = await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.Equal(original, site.DumpData());
        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(backup.Id, restoration.Backup.Id);
        Assert.Equal(BackupStatus.Ready, restoration.Backup.Status);
        Assert.Equal([("empty", 0L), ("orders", 3L), ("people", 5L)], restoration.Collections.Select(c => (c.Id, c.ItemCount)));
        Assert.Equal(restoration.Id, BackupCatalog.ListRestorations(store, new RestorationQuery { SiteId = site.Path }).Single().Id);
    }

    [Fact]
    public async Task A_partial_restore_into_another_collection_touches_nothing_else()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("CREATE TABLE people_copy (id INTEGER PRIMARY KEY, name TEXT, score REAL, photo BLOB); DELETE FROM orders; UPDATE people SET name = 'changed';");

        var restoration = await TestEngine.RestoreAsync(site, store, backup.Id, ["people"], new() { ["people"] = "people_copy" });

        Assert.Equal(("people", "people_copy", 5L), restoration.Collections.Select(c => (c.Id, c.Destination, c.ItemCount)).Single());
        Assert.Equal(5, site.Scalar("SELECT count(*) FROM people WHERE name = 'changed'"));
        Assert.Equal(0, site.Scalar("SELECT count(*) FROM orders"));
        Assert.Equal("Ada", site.Shell("SELECT name FROM people_copy WHERE id = 1").Trim());
    }

    [Fact]
    public async Task Foreign_keys_between_restored_collections_do_not_depend_on_order_and_cascades_do_not_fire()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);

        // people is restored alone: with foreign keys enforced, deleting people would cascade into orders.
        await TestEngine.RestoreAsync(site, store, backup.Id, ["people"]);
        Assert.Equal(3, site.Scalar("SELECT count(*) FROM orders"));
        // orders comes before people alphabetically; the full restore still succeeds with keys enforced after it.
        await TestEngine.RestoreAsync(site, store, backup.Id);
        Assert.Equal("", site.Shell("PRAGMA foreign_keys = ON; PRAGMA foreign_key_check;"));
    }

    [Fact]
    public async Task Argument_errors_are_found_before_anything_is_written_or_recorded()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("UPDATE people SET name = 'changed'");
        string changed = site.DumpData();

        async Task<BackupError> Fails(Func<Task> restore) => (await Assert.ThrowsAsync<BackupException>(restore)).Error;
        Assert.Equal(BackupError.CollectionNotFound, await Fails(() => TestEngine.RestoreAsync(site, store, backup.Id, ["nope"])));
        Assert.Equal(BackupError.InvalidArgument, await Fails(() => TestEngine.RestoreAsync(site, store, backup.Id, ["people"], new() { ["orders"] = "x" })));
        Assert.Equal(BackupError.InvalidArgument, await Fails(() => TestEngine.RestoreAsync(site, store, backup.Id, null, new() { ["orders"] = "people" })));
        Assert.Equal(BackupError.BackupNotFound, await Fails(() => TestEngine.RestoreAsync(site, store, "0000")));

        Assert.Equal(changed, site.DumpData());
        Assert.Empty(BackupCatalog.ListRestorations(store));
    }

    [Fact]
    public async Task A_restore_refused_before_it_touches_the_site_leaves_no_record_and_the_site_as_it_was()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("UPDATE people SET name = 'changed'");
        string changed = site.DumpData();

        // A destination the site does not have (found in the site's restore transaction, before the record).
        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id, null, new() { ["people"] = "ghosts" }));
        Assert.Equal(BackupError.CollectionNotFound, e.Error);
        Assert.Contains("ghosts", e.Message, StringComparison.Ordinal);
        // An archive that is not one at all.
        File.WriteAllBytes(folder.Combine("store", "archives", backup.Id + ".zip"), "not a zip"u8.ToArray());
        Assert.Equal(BackupError.ArchiveCorrupt, (await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id))).Error);

        Assert.Equal(changed, site.DumpData());
        Assert.Empty(BackupCatalog.ListRestorations(store));
    }

    [Fact]
    public async Task A_corrupt_archive_is_refused_and_a_late_mismatch_rolls_everything_back()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("DELETE FROM orders; UPDATE people SET name = 'changed';");
        string changed = site.DumpData();
        string archivePath = folder.Combine("store", "archives", backup.Id + ".zip");

        byte[] good = File.ReadAllBytes(archivePath);
        // Damage the last collection (people) but keep the zip readable: the first collections are written inside
        // the transaction before the mismatch is found at the end of the entry, and must all be rolled back.
        // Offset 16 is a letter of a name: still valid JSON. Offset 10 is a letter of a column name, which would
        // first look like a changed table shape: the checksum still decides, and the error is ArchiveCorrupt.
        foreach (int offset in new[] { 16, 10 })
        {
            using var original = new MemoryStream(good);
            var data = ArchiveFiles.Entries(original).Single(x => x.Name == "collections/2.jsonl").Data;
            data[offset] ^= 0x01;
            File.WriteAllBytes(archivePath, ArchiveFiles.ReplaceEntry(original, 2, data).ToArray());
            var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id));
            Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
            Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
            Assert.Equal(changed, site.DumpData());
        }

        // Both were found once the restore had started (the site was being written): both are recorded Failed.
        var recorded = BackupCatalog.ListRestorations(store);
        Assert.Equal(2, recorded.Count);
        Assert.All(recorded, r => Assert.Equal(RestorationStatus.Failed, r.Status));

        var verdict = VerifyOperation.Run(store, backup);
        Assert.False(verdict.IsValid);
    }

    [Fact]
    public async Task Only_ready_backups_restore_and_removal_keeps_a_Deleted_record()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);

        var removed = BackupCatalog.Remove(store, backup.Id, TimeSpan.FromSeconds(5), TimeProvider.System);
        Assert.Equal(BackupStatus.Deleted, removed.Status);
        Assert.NotNull(removed.DeletedDate);
        Assert.Empty(BackupCatalog.List(store, new BackupQuery()));
        Assert.Single(BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Deleted] }));
        Assert.Equivalent(removed, BackupCatalog.Remove(store, backup.Id, TimeSpan.FromSeconds(5), TimeProvider.System));

        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id));
        Assert.Equal(BackupError.BackupNotReady, e.Error);
    }
}
