using System.Text.Json.Nodes;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// The edges of a SQLite restore where the backup's content could come back otherwise than it was, or a file could
/// be left otherwise than the user had it: text the destination's encoding cannot take, definitions that are not what
/// they say, counters and statistics of other tables, references counted row by row, a new file half-made, virtual
/// tables whose rows are computed. Each is judged by the sqlite3 shell.
/// </summary>
public sealed class SqliteRestoreGuardTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<(BackupRecord Backup, IBackupStore Store)> BackupAsync(string path, List<string>? warnings = null, IReadOnlyList<string>? collections = null)
    {
        var store = TestEngine.Store(_folder);
        var result = await BackupOperation.RunAsync(new BackupRequest
        {
            Site = SiteKinds.Open(path), Store = store, Collections = collections ?? [],
            Warnings = warnings is null ? null : new Warnings(warnings.Add),
        });
        return (result.Backup!, store);
    }

    private static Task<RestorationRecord> RestoreAsync(BackupRecord backup, IBackupStore store, string path, bool createMissing = false,
        IReadOnlyList<string>? collections = null, IReadOnlyDictionary<string, string>? destinations = null, List<string>? warnings = null) =>
        RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, CreateMissing = createMissing,
            Collections = collections ?? [], Destinations = destinations ?? new Dictionary<string, string>(),
            Site = SiteKinds.Open(path, null, new SiteOpenOptions { MayNotExist = createMissing }),
            Warnings = warnings is null ? null : new Warnings(warnings.Add),
        });

    [Fact]
    public async Task Text_kept_byte_for_byte_is_refused_by_a_file_of_another_encoding_which_is_left_as_it_was()
    {
        string path = _folder.Combine("utf8.db");
        SqliteJudge.Create(path, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, CAST(x'ff' AS TEXT)), (2, 'fine');");
        var (backup, store) = await BackupAsync(path);
        string other = _folder.Combine("utf16.db");
        SqliteJudge.Create(other, "PRAGMA encoding = 'UTF-16le'; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (9, 'mine');");
        string before = SqliteJudge.Fingerprint(other);

        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(backup, store, other));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-16le", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, SqliteJudge.Fingerprint(other));
    }

    [Theory]
    [InlineData("CREATE TABLE b (y); DROP TABLE a", "more than one statement")]
    [InlineData("CREATE TEMP TABLE b (y)", "not a CREATE TABLE")]
    [InlineData("CREATE TABLE IF NOT EXISTS a (y)", "did not make the table 'b'")]
    [InlineData("DELETE FROM a", "not a CREATE")]
    [InlineData("CREATE VIEW b AS SELECT 1", "not a CREATE TABLE")]
    public async Task A_definition_that_is_not_the_one_CREATE_it_says_is_refused_and_nothing_of_it_runs(string sql, string because)
    {
        string path = _folder.Combine("defs.db");
        SqliteJudge.Create(path, "CREATE TABLE a (x); INSERT INTO a VALUES (1); CREATE TABLE b (y); INSERT INTO b VALUES (2);");
        var (backup, store) = await BackupAsync(path);
        // A crafted archive, its checksums made to match: only the definitions' own checks stand in the way.
        ArchiveFiles.EditDefinitions(_folder.Combine("store", "archives", backup.Id + ".zip"), definitions =>
        {
            foreach (var o in definitions["objects"]!.AsArray())
            {
                if ((string?)o!["name"] == "b" && (string?)o["type"] == "table") o["sql"] = sql;
            }
        });
        SqliteJudge.Shell(path, "DROP TABLE b;");
        string before = SqliteJudge.Fingerprint(path);

        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(backup, store, path, createMissing: true));
        Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
        Assert.Contains(because, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, SqliteJudge.Fingerprint(path));
        Assert.Equal("1\n", SqliteJudge.Shell(path, "SELECT * FROM a;"));
    }

    [Fact]
    public async Task A_file_of_zero_bytes_takes_the_backups_settings_and_views()
    {
        string path = _folder.Combine("settings.db");
        SqliteJudge.Create(path, "PRAGMA encoding = 'UTF-16le'; PRAGMA page_size = 8192; PRAGMA user_version = 42; CREATE TABLE t (x); INSERT INTO t VALUES ('é'); CREATE VIEW v AS SELECT x FROM t;");
        var (backup, store) = await BackupAsync(path);
        string empty = _folder.Combine("empty.db");
        File.WriteAllBytes(empty, []);

        await RestoreAsync(backup, store, empty, createMissing: true);
        Assert.Equal(SqliteJudge.Fingerprint(path), SqliteJudge.Fingerprint(empty));
        Assert.Equal("UTF-16le\n8192\n42\né\n", SqliteJudge.Shell(empty, "PRAGMA encoding; PRAGMA page_size; PRAGMA user_version; SELECT * FROM v;"));
    }

    [Fact]
    public async Task A_new_file_appears_only_once_complete_and_a_failed_one_leaves_nothing_behind()
    {
        string path = _folder.Combine("source.db");
        SqliteJudge.Create(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);");
        var (backup, store) = await BackupAsync(path);
        string target = _folder.Combine("rebuilt", "new.db");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        // While the rows go in, nothing is at the path yet.
        int reports = 0;
        bool seenEarly = false;
        await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, CreateMissing = true, Site = SiteKinds.Open(target, null, new SiteOpenOptions { MayNotExist = true }),
        }, new Progress(p =>
        {
            if (p.Completed) return;
            reports++;
            seenEarly |= File.Exists(target);
        }));
        Assert.True(reports > 0);
        Assert.False(seenEarly);
        Assert.Equal("1\n2\n", SqliteJudge.Shell(target, "SELECT * FROM t;"));
        Assert.Equal(["new.db"], Directory.GetFiles(Path.GetDirectoryName(target)!).Select(Path.GetFileName));

        // A restore that fails at the end (a table that changes rows as they go in) leaves no file and no temporary one.
        SqliteJudge.Shell(path, "CREATE TABLE m (k PRIMARY KEY ON CONFLICT REPLACE, v); INSERT INTO m VALUES ('z', 1); INSERT INTO m VALUES ('z', 2);");
        var (merging, mergingStore) = await BackupAsync(path);
        ArchiveFiles.EditItems(_folder.Combine("store", "archives", merging.Id + ".zip"), "m", lines => [.. lines, lines[0]]);
        File.Delete(target);
        await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(merging, mergingStore, target, createMissing: true));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!));
    }

    [Fact]
    public async Task A_virtual_table_whose_rows_are_computed_is_named_and_a_rebuilt_file_has_it()
    {
        string path = _folder.Combine("vocab.db");
        SqliteJudge.Create(path,
            """
            CREATE VIRTUAL TABLE docs USING fts5(body);
            INSERT INTO docs VALUES ('the quick brown fox'), ('the lazy dog');
            CREATE VIRTUAL TABLE docs_terms USING fts5vocab(docs, 'row');
            """);
        var warnings = new List<string>();
        var (backup, store) = await BackupAsync(path, warnings);
        Assert.Equal(["docs"], backup.Collections.Select(c => c.Id));
        var omission = Assert.Single(backup.Omissions);
        Assert.Equal("docs_terms", omission.Collection);
        Assert.Contains("fts5vocab", omission.Reason, StringComparison.Ordinal);
        Assert.Contains(warnings, w => w.Contains("docs_terms", StringComparison.Ordinal));

        SqliteJudge.Shell(path, "DELETE FROM docs;");
        await RestoreAsync(backup, store, path);
        string terms = SqliteJudge.Shell(path, "SELECT term, doc, cnt FROM docs_terms ORDER BY term;");
        Assert.Contains("fox|1|1", terms, StringComparison.Ordinal);

        string rebuilt = _folder.Combine("vocab.rebuilt.db");
        await RestoreAsync(backup, store, rebuilt, createMissing: true);
        Assert.Equal(terms, SqliteJudge.Shell(rebuilt, "SELECT term, doc, cnt FROM docs_terms ORDER BY term;"));
        Assert.Equal(SqliteJudge.Dump(path), SqliteJudge.Dump(rebuilt));
    }

    [Fact]
    public async Task Omissions_name_only_what_the_selection_would_have_taken()
    {
        string path = _folder.Combine("selected.db");
        SqliteJudge.Create(path,
            """
            CREATE TABLE kept (x);
            CREATE TABLE names (rowid, oid, _rowid_);
            CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
            CREATE VIRTUAL TABLE notes_index USING fts5(body, content='notes', content_rowid='id');
            INSERT INTO kept VALUES (1); INSERT INTO names VALUES (1, 2, 3); INSERT INTO notes VALUES (1, 'hello');
            INSERT INTO notes_index (notes_index) VALUES ('rebuild');
            """);
        var (onlyKept, _) = await BackupAsync(path, collections: ["kept"]);
        Assert.Empty(onlyKept.Omissions);

        // An index over another table's content, backed up without that table, is rebuilt from whatever it holds then.
        var (indexAlone, _) = await BackupAsync(path, collections: ["notes_index"]);
        var omission = Assert.Single(indexAlone.Omissions);
        Assert.Equal("notes_index", omission.Collection);
        Assert.Contains("'notes'", omission.Reason, StringComparison.Ordinal);

        var (both, _) = await BackupAsync(path, collections: ["notes*"]);
        Assert.Empty(both.Omissions);
    }

    [Fact]
    public async Task References_are_counted_row_by_row_also_in_a_WITHOUT_ROWID_table()
    {
        string path = _folder.Combine("norowid.db");
        SqliteJudge.Create(path,
            """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (k TEXT PRIMARY KEY, parent_id INTEGER REFERENCES parent(id)) WITHOUT ROWID;
            INSERT INTO parent VALUES (9);
            """);
        var (backup, store) = await BackupAsync(path, collections: ["parent"]);
        // One row of child is broken already; restoring parent alone would mend it and break two others: one more in
        // all, although every broken row of a WITHOUT ROWID table has the same (NULL) rowid.
        SqliteJudge.Shell(path, "DELETE FROM parent; INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES ('a', 1), ('b', 2), ('c', 9);");
        string before = SqliteJudge.Fingerprint(path);

        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(backup, store, path));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("1 row(s) of 'child'", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, SqliteJudge.Fingerprint(path));
    }

    [Fact]
    public async Task References_to_a_table_the_file_does_not_have_do_not_stop_a_restore()
    {
        string path = _folder.Combine("gone.db");
        SqliteJudge.Create(path, "CREATE TABLE child (id INTEGER PRIMARY KEY, g INTEGER REFERENCES gone(id)); INSERT INTO child VALUES (1, 1);");
        var (backup, store) = await BackupAsync(path);
        SqliteJudge.Shell(path, "DELETE FROM child; INSERT INTO child VALUES (2, 2);");

        Assert.Equal(RestorationStatus.Completed, (await RestoreAsync(backup, store, path)).Status);
        Assert.Equal("1|1\n", SqliteJudge.Shell(path, "SELECT * FROM child;"));
    }

    [Fact]
    public async Task A_created_tables_counter_goes_in_under_a_new_rowid_when_its_old_one_is_taken()
    {
        string path = _folder.Combine("sequence.db");
        SqliteJudge.Create(path,
            """
            CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x);
            CREATE TABLE b (id INTEGER PRIMARY KEY AUTOINCREMENT, x);
            INSERT INTO a VALUES (40, 'a'); INSERT INTO b VALUES (70, 'b');
            """);
        var (backup, store) = await BackupAsync(path);
        // a's row of sqlite_sequence had rowid 1; now b's has it, and a is gone.
        SqliteJudge.Shell(path, "DROP TABLE a; DELETE FROM sqlite_sequence WHERE name = 'a'; UPDATE sqlite_sequence SET rowid = 1 WHERE name = 'b';");

        await RestoreAsync(backup, store, path, createMissing: true);
        Assert.Equal("a|40\nb|70\n", SqliteJudge.Shell(path, "SELECT name, seq FROM sqlite_sequence ORDER BY name;"));
        SqliteJudge.Shell(path, "INSERT INTO a (x) VALUES ('next');");
        Assert.Equal("41\n", SqliteJudge.Shell(path, "SELECT max(id) FROM a;"));
    }

    [Fact]
    public async Task A_destination_that_only_mentions_AUTOINCREMENT_gets_no_counter()
    {
        string path = _folder.Combine("mention.db");
        SqliteJudge.Create(path,
            """
            CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x);
            CREATE TABLE u (id INTEGER PRIMARY KEY, x DEFAULT 'AUTOINCREMENT');
            INSERT INTO a VALUES (40, 'a');
            """);
        var (backup, store) = await BackupAsync(path, collections: ["a"]);
        await RestoreAsync(backup, store, path, collections: ["a"], destinations: new Dictionary<string, string> { ["a"] = "u" });
        Assert.Equal("40|a\n", SqliteJudge.Shell(path, "SELECT * FROM u;"));
        Assert.Equal("a|40\n", SqliteJudge.Shell(path, "SELECT name, seq FROM sqlite_sequence;"));
    }

    [Fact]
    public async Task A_table_restored_under_another_name_loses_its_stale_statistics()
    {
        string path = _folder.Combine("stats.db");
        SqliteJudge.Create(path,
            """
            CREATE TABLE t (x); CREATE INDEX t_x ON t (x);
            CREATE TABLE u (x); CREATE INDEX u_x ON u (x);
            INSERT INTO t VALUES (1), (2); INSERT INTO u VALUES (1), (1), (1), (1);
            ANALYZE;
            """);
        var (backup, store) = await BackupAsync(path, collections: ["t"]);
        await RestoreAsync(backup, store, path, collections: ["t"], destinations: new Dictionary<string, string> { ["t"] = "u" });
        Assert.Equal("1\n2\n", SqliteJudge.Shell(path, "SELECT x FROM u ORDER BY x;"));
        Assert.Equal("t|t_x|2 1\n", SqliteJudge.Shell(path, "SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl;"));
    }

    [Fact]
    public async Task A_destination_defined_otherwise_than_the_backup_is_named_in_a_warning()
    {
        string path = _folder.Combine("changed.db");
        SqliteJudge.Create(path, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, '007');");
        var (backup, store) = await BackupAsync(path);
        SqliteJudge.Shell(path, "DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);");

        var warnings = new List<string>();
        await RestoreAsync(backup, store, path, warnings: warnings);
        var warning = Assert.Single(warnings);
        Assert.Contains("'t' is defined otherwise", warning, StringComparison.Ordinal);
        Assert.Contains("v INTEGER", warning, StringComparison.Ordinal);
        // As the warning says: the file's INTEGER affinity made the text a number.
        Assert.Equal("integer|7\n", SqliteJudge.Shell(path, "SELECT typeof(v), v FROM t;"));

        // Into the file as it was, no warning.
        warnings.Clear();
        SqliteJudge.Shell(path, "DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
        await RestoreAsync(backup, store, path, warnings: warnings);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task A_virtual_table_kept_through_its_shadow_tables_goes_back_only_under_its_own_name()
    {
        string path = _folder.Combine("shadow.db");
        SqliteJudge.Create(path, "CREATE VIRTUAL TABLE a USING fts5(body); CREATE VIRTUAL TABLE b USING fts5(body); INSERT INTO a VALUES ('alpha');");
        var (backup, store) = await BackupAsync(path, collections: ["a"]);
        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(backup, store, path, collections: ["a"], destinations: new Dictionary<string, string> { ["a"] = "b" }));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("under its own name", e.Message, StringComparison.Ordinal);
    }

    private sealed class Warnings(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    private sealed class Progress(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }
}
