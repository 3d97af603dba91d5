using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

public class SqliteSourceTests
{
    private const string TypesQuery = "SELECT id, typeof(v), quote(v) FROM t ORDER BY id";

    [Fact]
    public async Task Every_storage_class_round_trips_as_the_sqlite3_shell_sees_it()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder,
            """
            CREATE TABLE t (id INTEGER PRIMARY KEY, v);
            INSERT INTO t VALUES
              (1, 9223372036854775807), (2, -9223372036854775808), (3, 0),
              (4, 2.0), (5, -0.5), (6, 1e308), (7, 4.9e-324), (8, 9e999), (9, -9e999),
              (10, 'text'), (11, ''), (12, 'Chloé 名前 ☃ "quoted" \n'), (13, '{"a": [1, 2.0, null]}'), (14, '2'),
              (15, x'00ff10'), (16, x''), (17, NULL);
            """);
        string before = site.Shell(TypesQuery);

        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("DELETE FROM t; INSERT INTO t VALUES (1, 'changed');");
        await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.Equal(before, site.Shell(TypesQuery));
        Assert.Contains("4|real|2.0", before, StringComparison.Ordinal);
        Assert.Contains("13|text|'{\"a\": [1, 2.0, null]}'", before, StringComparison.Ordinal);
        Assert.Contains("17|null|NULL", before, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declared_column_types_and_affinities_do_not_change_stored_values()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder,
            """
            CREATE TABLE t (id INTEGER PRIMARY KEY, n NUMERIC, r REAL, i INTEGER, s TEXT, d DATETIME, j JSON);
            INSERT INTO t VALUES (1, 2.0, 3, '4', 5, '2024-02-29T12:00:00Z', '{"x":1}'),
                                 (2, '1.5', 2.5, 7.25, NULL, 1700000000, '[]');
            """);
        string query = "SELECT typeof(n), quote(n), typeof(r), quote(r), typeof(i), quote(i), typeof(s), quote(s), typeof(d), quote(d), quote(j) FROM t ORDER BY id";
        string before = site.Shell(query);

        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("DELETE FROM t");
        await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.Equal(before, site.Shell(query));
    }

    [Fact]
    public async Task Generated_columns_are_left_to_sqlite_and_rowid_tables_keep_their_keys()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder,
            """
            CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) STORED);
            INSERT INTO t (id, a) VALUES (10, 1), (20, 2), (35, 3);
            CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
            INSERT INTO w VALUES ('b', 1), ('a', 2);
            """);
        string before = site.DumpData();

        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        Assert.Equal(["t", "w"], backup.Collections.Select(c => c.Id));
        site.Execute("DELETE FROM t; DELETE FROM w;");
        await TestEngine.RestoreAsync(site, store, backup.Id);

        Assert.Equal(before, site.DumpData());
        Assert.Equal(6, site.Scalar("SELECT b FROM t WHERE id = 35"));
    }

    [Fact]
    public async Task The_snapshot_does_not_see_writes_committed_after_it_began()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        site.Execute("PRAGMA journal_mode = WAL");
        var source = SiteKinds.Open(site.Path);

        await using var snapshot = await source.OpenSnapshotAsync(CancellationToken.None);
        site.Execute("INSERT INTO people (id, name) VALUES (99, 'late'); DELETE FROM orders;");

        var people = snapshot.Collections.Single(c => c.Id == "people");
        var orders = snapshot.Collections.Single(c => c.Id == "orders");
        Assert.Equal(5, await snapshot.CountAsync(people, CancellationToken.None));
        Assert.Equal(3, await snapshot.CountAsync(orders, CancellationToken.None));
        Assert.Equal(6, site.Scalar("SELECT count(*) FROM people"));
    }

    [Fact]
    public async Task A_restore_is_invisible_to_other_connections_until_it_commits_and_rolls_back_whole()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        site.Execute("PRAGMA journal_mode = WAL");
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("DELETE FROM orders; UPDATE people SET name = 'changed';");
        string changed = site.DumpData();

        using var archiveStream = store.OpenArchive(backup.Id);
        using var archive = SiteBackup.Engine.Archive.ArchiveReader.Open(archiveStream, backup.Id);
        await using (var restore = await SiteKinds.Open(site.Path).BeginRestoreAsync(CancellationToken.None))
        {
            await restore.ClearAsync(archive.Manifest.Collections.Select(c => c.Id).ToList(), CancellationToken.None);
            foreach (var collection in archive.Manifest.Collections)
            {
                using var items = archive.OpenCollection(collection);
                await restore.WriteAsync(collection.Id, items, CancellationToken.None);
            }
            Assert.Equal(changed, site.DumpData()); // another connection still sees the old content
        } // disposed without commit

        Assert.Equal(changed, site.DumpData());
    }

    [Fact]
    public async Task Items_of_a_collection_with_other_properties_or_another_order_each_go_into_their_own_columns()
    {
        // A restore keeps one INSERT per list of properties and tries the last one first: each switch must land
        // every value in its own column (judged by the sqlite3 shell).
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, \"Ünï\" TEXT);");
        using var archive = ArchiveFiles.Write(("t",
        [
            """{"id":1,"a":"x","b":1}""", """{"b":2,"id":2,"a":"y"}""", """{"id":3}""", """{"id":4,"a":"z","b":4}""",
            """{"id":5,"a":"w"}""", """{"id":6,"a":"v","b":6}""", """{"id":7,"b":7,"a":"u"}""", """{"id":8,"\u00dcn\u00ef":"escaped"}""",
            """{"id":9,"Ünï":"plain"}""", """{"a":"last","id":10}""",
        ]));
        using var reader = SiteBackup.Engine.Archive.ArchiveReader.Open(archive, "test");
        await using (var restore = await SiteKinds.Open(site.Path).BeginRestoreAsync(CancellationToken.None))
        {
            await restore.ClearAsync(["t"], CancellationToken.None);
            using var items = reader.OpenCollection(reader.Manifest.Collections[0]);
            Assert.Equal(10, await restore.WriteAsync("t", items, CancellationToken.None));
            await restore.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(
            """
            1|'x'|1|NULL
            2|'y'|2|NULL
            3|NULL|NULL|NULL
            4|'z'|4|NULL
            5|'w'|NULL|NULL
            6|'v'|6|NULL
            7|'u'|7|NULL
            8|NULL|NULL|'escaped'
            9|NULL|NULL|'plain'
            10|'last'|NULL|NULL

            """.ReplaceLineEndings("\n"),
            site.Shell("SELECT id, quote(a), quote(b), quote(\"Ünï\") FROM t ORDER BY id"));
    }

    [Fact]
    public async Task Restore_needs_the_table_to_exist_and_refuses_a_column_the_table_no_longer_has()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);

        site.Execute("DROP TABLE empty");
        var missing = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id));
        Assert.Equal(BackupError.CollectionNotFound, missing.Error);
        Assert.Equal(0, site.Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'empty'"));

        site.Execute("CREATE TABLE empty (x TEXT); ALTER TABLE people DROP COLUMN photo; UPDATE people SET name = 'kept';");
        var shape = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, backup.Id));
        Assert.Equal(BackupError.InvalidArgument, shape.Error);
        Assert.Contains("'photo'", shape.Message, StringComparison.Ordinal);
        Assert.Equal(5, site.Scalar("SELECT count(*) FROM people WHERE name = 'kept'"));
    }

    [Fact]
    public void A_missing_file_is_SiteNotFound_and_is_never_created()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("nope.db");
        var e = Assert.Throws<BackupException>(() => SiteKinds.Open(path));
        Assert.Equal(BackupError.SiteNotFound, e.Error);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_refused_clearly()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("notes.txt");
        await File.WriteAllTextAsync(path, "these are not the tables you are looking for, not at all, no.");
        var e = await Assert.ThrowsAsync<BackupException>(() => SiteKinds.Open(path).ListCollectionsAsync(CancellationToken.None));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("not a SQLite database", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_file_is_SiteCorrupt_with_its_path_in_a_backup_and_a_restore()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateLarge(folder);
        var store = TestEngine.Store(folder);
        var good = await TestEngine.BackupAsync(site, store);
        site.Damage();
        string verdict;
        try { verdict = site.Shell("PRAGMA integrity_check"); }
        catch (InvalidOperationException e) { verdict = e.Message; }
        Assert.NotEqual("ok\n", verdict);

        var backup = await Assert.ThrowsAsync<BackupException>(() => TestEngine.BackupAsync(site, store));
        Assert.Equal(BackupError.SiteCorrupt, backup.Error);
        Assert.Equal(site.Path, backup.Target);
        Assert.Contains(site.Path, backup.Message, StringComparison.Ordinal);
        Assert.Contains("malformed", backup.Message, StringComparison.Ordinal);

        var restore = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(site, store, good.Id));
        Assert.Equal(BackupError.SiteCorrupt, restore.Error);
        Assert.Contains(site.Path, restore.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite:{0}")]
    [InlineData("sqlite://{0}")]
    [InlineData("{0}")]
    public void Site_strings_normalise_to_the_absolute_path(string form)
    {
        string path = Path.Combine(Path.GetTempPath(), "x", "site.db");
        Assert.Equal(path, SiteKinds.GetSiteId(string.Format(System.Globalization.CultureInfo.InvariantCulture, form, path)));
    }

    [Fact]
    public void An_unknown_site_kind_is_InvalidArgument_and_does_not_echo_a_password()
    {
        var e = Assert.Throws<BackupException>(() => SiteKinds.GetSiteId("ftp://user:hunter2@example.invalid/db"));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Virtual_tables_are_collections_and_their_shadow_tables_and_sqlite_internal_tables_are_not()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder,
            "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x); INSERT INTO a (x) VALUES (1); CREATE VIRTUAL TABLE f USING fts5(body); CREATE VIRTUAL TABLE r USING rtree(id, x0, x1);");
        var collections = await SiteKinds.Open(site.Path).ListCollectionsAsync(CancellationToken.None);
        Assert.Equal(["a", "f", "r"], collections.Select(c => c.Id)); // not f_data..., r_node..., nor sqlite_sequence
    }
}
