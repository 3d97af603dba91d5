using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// A Ready backup of a SQLite file gives back exactly what the file held, judged by the sqlite3 shell
/// (<see cref="SqliteJudge"/>), over a corpus of the shapes real applications give their files
/// (tests/data/sqlite-corpus): restored in place after a change, and rebuilt from nothing into a new file.
/// </summary>
public sealed class SqliteFidelityTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(CorpusFolder, "*.sql").Order(StringComparer.Ordinal)) data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    private static string CorpusFolder => Path.Combine(AppContext.BaseDirectory, "data", "sqlite-corpus");

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_restore_and_a_rebuild_give_back_what_the_file_held_as_sqlite3_sees_it(string name)
    {
        string script = File.ReadAllText(Path.Combine(CorpusFolder, name + ".sql"));
        int marker = script.IndexOf("\n-- change", StringComparison.Ordinal);
        string path = _folder.Combine(name + ".db");
        SqliteJudge.Create(path, marker < 0 ? script : script[..marker]);
        await SqliteRoundTrip.RunAsync(_folder, path, marker < 0 ? null : script[(marker + 1)..]);
    }

    [Fact]
    public async Task A_table_of_2000_columns_and_blobs_of_megabytes_come_back_exactly()
    {
        string path = _folder.Combine("wide.db");
        var columns = Enumerable.Range(1, 1999).Select(i => $"c{i}").ToList();
        SqliteJudge.Create(path,
            $"CREATE TABLE wide (id INTEGER PRIMARY KEY, {string.Join(", ", columns)}) WITHOUT ROWID;\n" +
            $"INSERT INTO wide VALUES (1, {string.Join(", ", columns.Select((c, i) => (i % 4) switch { 0 => i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1 => "'t'", 2 => "1.5", _ => "NULL" }))});\n" +
            "CREATE TABLE blobs (b BLOB);\nINSERT INTO blobs (rowid, b) VALUES (5, randomblob(6000000)), (9, zeroblob(3000000)), (11, x'');\n");
        await SqliteRoundTrip.RunAsync(_folder, path, null);
    }

    private async Task<(BackupRecord Backup, IBackupStore Store)> BackupAsync(string path, string[]? collections = null)
    {
        var store = TestEngine.Store(_folder);
        var outcome = await BackupOperation.RunAsync(new BackupRequest { Site = SiteKinds.Open(path), Store = store, Collections = collections ?? [] });
        return (outcome.Backup!, store);
    }

    [Fact]
    public async Task Triggers_do_not_fire_and_a_table_that_drops_rows_as_they_go_in_fails_the_restore()
    {
        string path = _folder.Combine("triggers.db");
        SqliteJudge.Create(path,
            """
            CREATE TABLE t (x INTEGER);
            CREATE TABLE audit (what TEXT);
            INSERT INTO t VALUES (1), (2), (3);
            CREATE TRIGGER ignore_big BEFORE INSERT ON t WHEN new.x > 1 BEGIN SELECT RAISE(IGNORE); END;
            CREATE TRIGGER audit_insert AFTER INSERT ON t BEGIN INSERT INTO audit VALUES ('insert'); END;
            """);
        var (backup, store) = await BackupAsync(path, ["t"]);
        SqliteJudge.Shell(path, "DELETE FROM t;");

        var restoration = await RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path) });
        Assert.Equal(3, restoration.Collections.Single().ItemCount);
        Assert.Equal("1\n2\n3\n", SqliteJudge.Shell(path, "SELECT x FROM t ORDER BY rowid;"));
        Assert.Equal("0\n", SqliteJudge.Shell(path, "SELECT count(*) FROM audit;"));
        Assert.Equal("2\n", SqliteJudge.Shell(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger';"));

        // A table whose own constraint merges rows as they go in (ON CONFLICT REPLACE): the count check catches it.
        string merging = _folder.Combine("merging.db");
        SqliteJudge.Create(merging, "CREATE TABLE m (k TEXT, v); INSERT INTO m VALUES ('a', 1), ('a', 2);");
        var (dup, dupStore) = await BackupAsync(merging);
        SqliteJudge.Shell(merging, "DROP TABLE m; CREATE TABLE m (k TEXT UNIQUE ON CONFLICT REPLACE, v); INSERT INTO m VALUES ('z', 0);");
        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest { BackupId = dup.Id, Store = dupStore, Site = SiteKinds.Open(merging) }));
        Assert.Contains("it holds 1", e.Message, StringComparison.Ordinal);
        Assert.Equal("z|0\n", SqliteJudge.Shell(merging, "SELECT * FROM m;"));
    }

    [Fact]
    public async Task A_partial_restore_that_would_break_references_is_refused_naming_the_tables_and_changes_nothing()
    {
        string path = _folder.Combine("fk.db");
        SqliteJudge.Create(path,
            """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
            INSERT INTO parent VALUES (1), (2);
            INSERT INTO child VALUES (10, 1), (20, 2);
            """);
        var (backup, store) = await BackupAsync(path);
        SqliteJudge.Shell(path, "DELETE FROM child; DELETE FROM parent; INSERT INTO parent VALUES (7); INSERT INTO child VALUES (70, 7);");
        string changed = SqliteJudge.Fingerprint(path);

        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path), Collections = ["parent"],
        }));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("'child'", e.Message, StringComparison.Ordinal);
        Assert.Contains("together", e.Message, StringComparison.Ordinal);
        Assert.Equal(changed, SqliteJudge.Fingerprint(path));

        // Together they restore; and a partial restore that breaks nothing goes through.
        await RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path), Collections = ["parent", "child"] });
        Assert.Equal("", SqliteJudge.Shell(path, "PRAGMA foreign_key_check;"));
        await RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path), Collections = ["child"] });
    }

    [Fact]
    public async Task What_a_backup_cannot_keep_is_named_in_its_record_and_a_warning()
    {
        string path = _folder.Combine("omitted.db");
        SqliteJudge.Create(path,
            """
            CREATE TABLE kept (x);
            INSERT INTO kept VALUES (1);
            CREATE TABLE names (rowid, oid, _rowid_);
            INSERT INTO names VALUES (1, 2, 3);
            PRAGMA writable_schema = ON;
            INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES ('table', 'elsewhere', 'elsewhere', 0, 'CREATE VIRTUAL TABLE elsewhere USING nosuchmodule(a)');
            """);
        var warnings = new List<string>();
        var backup = (await BackupOperation.RunAsync(new BackupRequest
        {
            Site = SiteKinds.Open(path), Store = TestEngine.Store(_folder), Warnings = new SynchronousWarnings(warnings.Add),
        })).Backup!;

        Assert.Equal(["kept", "names"], backup.Collections.Select(c => c.Id));
        Assert.Equal(["elsewhere", "names"], backup.Omissions.Select(o => o.Collection).Order());
        Assert.Contains(backup.Omissions, o => o.Collection == "elsewhere" && o.Reason.Contains("nosuchmodule", StringComparison.Ordinal));
        Assert.Contains(backup.Omissions, o => o.Collection == "names" && o.Reason.Contains("rowids cannot be read", StringComparison.Ordinal));
        Assert.Equal(2, warnings.Count);
    }

    [Fact]
    public async Task A_missing_table_is_named_with_the_statement_that_makes_it_and_CreateMissing_makes_it()
    {
        string path = _folder.Combine("missing.db");
        SqliteJudge.Create(path, "CREATE TABLE a (x); CREATE TABLE b (id INTEGER PRIMARY KEY, y TEXT NOT NULL); CREATE INDEX b_y ON b (y); INSERT INTO a VALUES (1); INSERT INTO b VALUES (5, 'five');");
        var (backup, store) = await BackupAsync(path);
        SqliteJudge.Shell(path, "DROP TABLE b;");

        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path) }));
        Assert.Equal(BackupError.CollectionNotFound, e.Error);
        Assert.Contains("CREATE TABLE b (id INTEGER PRIMARY KEY, y TEXT NOT NULL);", e.Message, StringComparison.Ordinal);
        Assert.Contains("-CreateMissing", e.Message, StringComparison.Ordinal);

        await RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path), CreateMissing = true });
        Assert.Equal("5|five\n", SqliteJudge.Shell(path, "SELECT * FROM b;"));
        Assert.Equal("b_y\n", SqliteJudge.Shell(path, "SELECT name FROM sqlite_schema WHERE type = 'index';"));
    }

    [Fact]
    public async Task A_new_file_that_a_failed_restore_made_is_removed()
    {
        string path = _folder.Combine("source.db");
        SqliteJudge.Create(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);");
        var (backup, store) = await BackupAsync(path);
        string archive = _folder.Combine("store", "archives", backup.Id + ".zip");
        // Damage the items (not the manifest): the restore starts, writes the new file, and finds the mismatch at the end.
        using (var original = new MemoryStream(File.ReadAllBytes(archive)))
        {
            var data = ArchiveFiles.Entries(original).Single(x => x.Name == "collections/0.jsonl").Data;
            data[^3] ^= 0x01;
            File.WriteAllBytes(archive, ArchiveFiles.ReplaceEntry(original, 0, data).ToArray());
        }
        string target = _folder.Combine("new.db");
        await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, CreateMissing = true, Site = SiteKinds.Open(target, null, new SiteOpenOptions { MayNotExist = true }),
        }));
        Assert.False(File.Exists(target));
        Assert.Throws<BackupException>(() => SiteKinds.Open(target)); // and without the switch a missing file is still SiteNotFound
    }

    [Fact]
    public async Task A_version_1_archive_still_restores()
    {
        string path = _folder.Combine("v1.db");
        SqliteJudge.Create(path, "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people VALUES (1, 'Ada'), (2, 'Brian');");
        var (backup, store) = await BackupAsync(path);
        string archive = _folder.Combine("store", "archives", backup.Id + ".zip");
        // As version 1 wrote it: no definitions entry, no layout in the manifest.
        using (var original = new MemoryStream(File.ReadAllBytes(archive)))
        {
            using var stripped = ArchiveFiles.Rewrite(original, entries => entries.Where(e => e.Name != "definitions.json"));
            File.WriteAllBytes(archive, ArchiveFiles.EditManifest(stripped, m =>
            {
                m["formatVersion"] = 1;
                m.Remove("definitions");
                foreach (var c in m["collections"]!.AsArray()) c!.AsObject().Remove("defined");
            }).ToArray());
        }
        SqliteJudge.Shell(path, "DELETE FROM people;");
        Assert.True(VerifyOperation.Run(store, backup).IsValid);
        await RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path) });
        Assert.Equal("1|Ada\n2|Brian\n", SqliteJudge.Shell(path, "SELECT * FROM people;"));
    }

    [Fact]
    public async Task Text_this_SQLite_would_store_as_a_number_is_named_in_the_restoration_and_a_warning()
    {
        // sqlite3 3.40 keeps text that begins with a number and holds a NUL as text in a numeric column; the SQLite
        // SiteBackup writes with reads such text only up to the NUL and stores the number.
        string path = _folder.Combine("nul.db");
        SqliteJudge.Create(path, """
            CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, s TEXT, b);
            INSERT INTO t VALUES (1, CAST(x'3300CDC7DC3D' AS TEXT), CAST(x'332E3500' AS TEXT), CAST(x'3300' AS TEXT), CAST(x'3300' AS TEXT));
            INSERT INTO t VALUES (2, CAST(x'6100' AS TEXT), CAST(x'3300' AS TEXT), 'plain', 7);
            CREATE TABLE w (k TEXT PRIMARY KEY, n NUMERIC) WITHOUT ROWID;
            INSERT INTO w VALUES ('a', CAST(x'20390020' AS TEXT));
            CREATE TABLE strict (id INTEGER PRIMARY KEY, v ANY) STRICT;
            INSERT INTO strict VALUES (1, CAST(x'3300' AS TEXT));
            """);
        string types = "SELECT typeof(n), hex(n), typeof(r), hex(r), typeof(s), hex(s), typeof(b), hex(b) FROM t ORDER BY id; SELECT typeof(n), hex(n) FROM w; SELECT typeof(v), hex(v) FROM strict;";
        Assert.Equal("text|3300CDC7DC3D|text|332E3500|text|3300|text|3300\ntext|6100|text|3300|text|706C61696E|integer|37\ntext|20390020\ntext|3300\n", SqliteJudge.Shell(path, types));
        var store = TestEngine.Store(_folder);
        var backup = (await BackupOperation.RunAsync(new BackupRequest { Site = SiteKinds.Open(path), Store = store })).Backup!;
        SqliteJudge.Shell(path, "DELETE FROM t; DELETE FROM w; DELETE FROM strict;");

        var warnings = new List<string>();
        var restoration = await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path), Warnings = new SynchronousWarnings(warnings.Add),
        });

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        // Only the numeric columns changed, to what this SQLite makes of the text; TEXT, untyped and STRICT ANY
        // columns kept it, and text without a NUL ('a\0' does not read as a number) too.
        Assert.Equal("integer|33|real|332E35|text|3300|text|3300\ntext|6100|real|332E30|text|706C61696E|integer|37\ninteger|39\ntext|3300\n", SqliteJudge.Shell(path, types));
        Assert.Equal(["n", "r"], restoration.Collections.Single(c => c.Id == "t").NotKept);
        Assert.Equal(["n"], restoration.Collections.Single(c => c.Id == "w").NotKept);
        Assert.Empty(restoration.Collections.Single(c => c.Id == "strict").NotKept);
        Assert.Contains(warnings, w => w.Contains("In 't', 1 text value(s) of 'n' (id 1)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("In 't', 2 text value(s) of 'r' (id 1, id 2)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("In 'w', 1 text value(s) of 'n' (k \"a\")", StringComparison.Ordinal));
        Assert.Equal(["n", "r"], store.ListRestorations().Single().Collections.Single(c => c.Id == "t").NotKept);
    }
}
