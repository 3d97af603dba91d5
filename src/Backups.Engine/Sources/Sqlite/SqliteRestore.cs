using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// Replaces tables inside one write transaction, so that nothing is visible to other connections until the commit
/// and each table holds all its old rows or all the backup's. The backup's content goes in exactly as it was:
/// <list type="bullet">
/// <item>Triggers do not fire (the connection has them switched off, which leaves the schema untouched) and foreign
/// keys are not enforced, so no trigger drops, rewrites or adds a row and no ON DELETE action reaches another table.</item>
/// <item>Rows keep their rowids; TEXT keeps its bytes; a virtual table kept through its shadow tables gets their rows
/// back as they were, and an FTS index over another table is rebuilt from it (also when only that table is restored).</item>
/// <item>AUTOINCREMENT counters and query-planner statistics come back with their tables.</item>
/// <item>Before the commit, each table's row count is checked against what was written, and a restore of some tables
/// that would leave rows of a table it did not restore referring to rows that are gone (or the other way round) is
/// refused, naming the tables to restore together.</item>
/// </list>
/// With <see cref="RestoreStart.CreateMissing"/>, a file that does not exist is made from the backup's definitions
/// (its settings, tables, indexes, triggers, views and computed virtual tables), and so are tables missing from one
/// that does. A new file is made under a temporary name beside the path and takes the path only once it is complete,
/// so no one opens it half-made, and a failed restore leaves nothing there.
/// </summary>
internal sealed class SqliteRestore : ISiteRestore
{
    private readonly string _path;
    private readonly string _file;
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly RestoreStart _start;
    private readonly SqliteDefinitions? _definitions;
    private readonly bool _building;
    private readonly bool _fresh;
    private SqliteEncoding _encoding;
    private SqliteCatalog _catalog = new([], []);
    private readonly Dictionary<string, long> _written = new(SqliteNames.Comparer);
    private readonly List<string> _restored = [];
    private readonly List<string> _warnings = [];
    private readonly Dictionary<string, IReadOnlyList<string>> _notKept = new(SqliteNames.Comparer);
    private Dictionary<(string Child, long? Rowid, string Parent, long Key), int> _brokenBefore = [];
    private bool _published;

    private SqliteRestore(string path, string file, SqliteConnection connection, SqliteTransaction transaction, RestoreStart start, SqliteDefinitions? definitions, bool building, bool fresh)
    {
        _path = path;
        _file = file;
        _connection = connection;
        _transaction = transaction;
        _start = start;
        _definitions = definitions;
        _building = building;
        _fresh = fresh;
    }

    public IReadOnlyList<CollectionInfo> Collections => _catalog.Tables.Select(t => t.Collection).ToList();

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The columns of a table in which this SQLite stored some of the backup's text as numbers.</summary>
    public IReadOnlyList<string> NotKept(string collectionId) => _notKept.GetValueOrDefault(collectionId, []);

    public static async Task<ISiteRestore> BeginAsync(string path, RestoreStart start, CancellationToken cancellationToken)
    {
        var definitions = SqliteDefinitions.Parse(start.Definitions);
        bool building = !File.Exists(path);
        if (building && definitions is null)
            throw new BackupException(BackupError.InvalidArgument,
                $"The SQLite file '{path}' does not exist, and the backup holds no SQLite definitions to make it from (a backup of another kind of site, or one taken before backups held definitions).", path);
        // A new file is built beside the path (same folder, so the move that publishes it is a rename) under a name
        // that starts with a dot, as SQLite's own temporary files do not, so that nobody mistakes it for the site.
        string file = building
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid().ToString("N")[..12]}.restoring")
            : path;
        // A file of zero bytes is a database that has never been written (SQLite makes one so): it takes settings.
        bool fresh = building || new FileInfo(path).Length == 0;
        var connection = await SqliteConnections.OpenAsync(file, foreignKeys: false, cancellationToken, create: building);
        try
        {
            bool make = start.CreateMissing && definitions is not null;
            if (fresh && make) await ApplyFileSettingsAsync(connection, definitions!, cancellationToken);
            // Off for this connection only, until it closes: no trigger fires while the backup's content goes in.
            int rc = raw.sqlite3_db_config(connection.Handle!, raw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, out _);
            if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, connection.Handle);
            // Immediate: take the write lock now, so that a restore fails (or waits) before it reads anything.
            var transaction = connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
            var restore = new SqliteRestore(path, file, connection, transaction, start, definitions, building, fresh && make);
            using (var encoding = SqliteSchema.Command(connection, transaction, "PRAGMA encoding"))
                restore._encoding = SqliteItems.ParseEncoding((string)(await encoding.ExecuteScalarAsync(cancellationToken))!);
            if (make) restore.CreateMissing();
            restore._catalog = await SqliteSchema.ReadAsync(connection, transaction, cancellationToken);
            restore.NoteChangedDefinitions();
            return restore;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            if (building) DeleteFile(file);
            throw SqliteConnections.Translate(e, path);
        }
    }

    /// <summary>What only an empty file can take: its encoding, page size and auto-vacuum mode.</summary>
    private static async Task ApplyFileSettingsAsync(SqliteConnection connection, SqliteDefinitions definitions, CancellationToken cancellationToken)
    {
        foreach (string pragma in new[]
        {
            $"PRAGMA encoding = '{definitions.Encoding.Replace("'", "", StringComparison.Ordinal)}'",
            $"PRAGMA page_size = {definitions.PageSize}",
            $"PRAGMA auto_vacuum = {definitions.AutoVacuum}",
        })
        {
            using var command = SqliteSchema.Command(connection, null, pragma);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Creates, from the definitions, each destination table the file lacks that is restored under its own
    /// name, with its indexes and triggers; in a new file, also every view with its triggers and the computed virtual
    /// tables. Each definition must be the one CREATE it says it is (<see cref="SqliteDefinitions.Create"/>).</summary>
    private void CreateMissing()
    {
        var db = _connection.Handle!;
        var existing = new HashSet<string>(SqliteNames.Comparer);
        using (var list = SqliteItems.Prepare(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"))
        {
            while (SqliteItems.Step(db, list)) existing.Add(raw.sqlite3_column_text(list, 0).utf8_to_string());
        }
        var create = _start.Targets
            .Where(t => SqliteNames.Comparer.Equals(t.Destination, t.Source.Id) && !existing.Contains(t.Source.Id) && _definitions!.TableSql(t.Source.Id) is not null)
            .Select(t => t.Source.Id)
            .ToHashSet(StringComparer.Ordinal);
        var objects = _definitions!.Objects;
        var views = objects.Where(o => o.Type == "view").Select(o => o.Name).ToHashSet(SqliteNames.Comparer);
        var computed = _definitions.Computed.ToHashSet(SqliteNames.Comparer);
        // Tables first (a view or trigger may name any of them), then the rest in the order the file held them, so
        // that sqlite3's .dump of the new file lists everything as the original's does.
        var statements = objects.Where(o => o.Type == "table" && (create.Contains(o.Name) || (_fresh && computed.Contains(o.Name) && !existing.Contains(o.Name))))
            .Concat(objects.Where(o => (o.Type is "index" or "trigger" && create.Contains(o.Table))
                || (_fresh && (o.Type == "view" || (o.Type == "trigger" && views.Contains(o.Table))))));
        foreach (var statement in statements) SqliteDefinitions.Create(db, statement);
        // The new tables' AUTOINCREMENT rows, under their old rowids where free and so in their old order, before any
        // row goes in (SQLite would make them in the order the tables are written).
        if (create.Count > 0 && Exists("sqlite_sequence"))
        {
            foreach (var sequence in _definitions.Sequences.Where(s => create.Contains(s.Table)))
                UpsertSequence(sequence.Table, 0, sequence.Rowid);
        }
    }

    /// <summary>A warning for each table restored under its own name whose definition in the file is not the one the
    /// backup holds: the rows go in as the file defines it now (another column affinity converts what it can).</summary>
    private void NoteChangedDefinitions()
    {
        if (_definitions is null) return;
        foreach (var target in _start.Targets)
        {
            var table = _catalog.Tables.FirstOrDefault(t => SqliteNames.Comparer.Equals(t.Name, target.Destination));
            if (table?.Sql is null || !string.Equals(table.Name, target.Source.Id, StringComparison.Ordinal)) continue;
            if (_definitions.TableSql(target.Source.Id) is { } backedUp && !string.Equals(backedUp, table.Sql, StringComparison.Ordinal))
                _warnings.Add($"'{table.Name}' is defined otherwise than when it was backed up; its rows go into it as it is now ({table.Sql}), not as it was ({backedUp}).");
        }
    }

    public string? HowToCreate(string sourceId) => _definitions?.TableSql(sourceId) is { } sql ? sql + ";" : null;

    public async Task<IReadOnlyList<string>> ClearAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken)
    {
        try
        {
            _restored.AddRange(collectionIds);
            _brokenBefore = BrokenReferences();
            foreach (string id in collectionIds)
            {
                var (table, source) = Destination(id);
                switch (source.Layout)
                {
                    case CollectionLayout.ShadowTables:
                        CheckSameVirtualTable(table, source);
                        foreach (var shadow in table.Shadows) await ExecuteAsync($"DELETE FROM {shadow.QuotedName}", cancellationToken);
                        break;
                    case CollectionLayout.Rebuilt:
                        if (table.Kind != SqliteTableKind.Rebuilt)
                            throw new BackupException(BackupError.InvalidArgument,
                                $"'{table.Name}' is not an index over another table's content, as the backup's '{source.Id}' is; restore it into a file without it, with -CreateMissing.", table.Name);
                        break;
                    default:
                        await ExecuteAsync($"DELETE FROM {table.QuotedName}", cancellationToken);
                        break;
                }
            }
            // Foreign keys are not enforced on this connection, so any order will do.
            return collectionIds;
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, _path);
        }
    }

    /// <summary>Shadow tables hold a virtual table's index in the module's own format, for its own definition only
    /// (and under its own name: the shadow tables are named after it).</summary>
    private void CheckSameVirtualTable(SqliteTable table, ManifestCollection source)
    {
        string? defined = _definitions?.TableSql(source.Id);
        if (!string.Equals(table.Name, source.Id, StringComparison.Ordinal))
            throw new BackupException(BackupError.InvalidArgument,
                $"The backup's '{source.Id}' is a virtual table kept through its shadow tables, which hold its index under its own name; it cannot go into '{table.Name}'. Restore it under its own name.",
                table.Name);
        if (table.Kind != SqliteTableKind.Shadowed || defined is null || !string.Equals(defined, table.Sql, StringComparison.Ordinal))
            throw new BackupException(BackupError.InvalidArgument,
                $"'{table.Name}' is not the virtual table the backup's '{source.Id}' was ({defined ?? "no definition in the backup"}); its shadow tables can only go back into that one. Restore it into a file without it, with -CreateMissing.",
                table.Name);
    }

    public Task<long> WriteAsync(string collectionId, ItemReader items, CancellationToken cancellationToken)
    {
        var (table, source) = Destination(collectionId);
        try
        {
            long count = source.Layout switch
            {
                CollectionLayout.ShadowTables => WriteShadowRows(table, source, items, cancellationToken),
                CollectionLayout.Rebuilt => Drain(items),
                _ => WriteRows(table, source.Rowid, items, cancellationToken),
            };
            return Task.FromResult(count);
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, _path);
        }
    }

    private long WriteRows(SqliteTable table, string? rowidProperty, ItemReader items, CancellationToken cancellationToken)
    {
        using var inserts = new SqliteInserts(_connection.Handle!, table, rowidProperty, items.Collection.Id, shadowItems: false, _encoding);
        long written = 0;
        while (items.Read() is { } item)
        {
            cancellationToken.ThrowIfCancellationRequested();
            inserts.Insert(item);
            written++;
        }
        Count(table.Name, written);
        NameConverted(table.Name, inserts.Converted);
        return written;
    }

    /// <summary>Names, in the record and a warning, the text this SQLite stored as numbers (see SqliteAffinity).</summary>
    private void NameConverted(string tableName, List<(string Column, string Row)> converted)
    {
        if (converted.Count == 0) return;
        var columns = converted.Select(c => c.Column).Distinct(SqliteNames.Comparer).ToList();
        _notKept[tableName] = [.. NotKept(tableName).Concat(columns).Distinct(SqliteNames.Comparer)];
        foreach (string column in columns)
        {
            var rows = converted.Where(c => SqliteNames.Comparer.Equals(c.Column, column)).Select(c => c.Row).ToList();
            _warnings.Add($"In '{tableName}', {rows.Count} text value(s) of '{column}' ({string.Join(", ", rows.Take(5))}{(rows.Count > 5 ? ", ..." : "")}) were stored as numbers: " +
                $"they begin with a number and hold a NUL character, and this SQLite ({raw.sqlite3_libversion().utf8_to_string()}) gives such text the column's numeric affinity where the SQLite that wrote the file kept it as text. The archive keeps the text.");
        }
    }

    private long WriteShadowRows(SqliteTable table, ManifestCollection source, ItemReader items, CancellationToken cancellationToken)
    {
        var bySuffix = new Dictionary<string, ShadowWrite>(StringComparer.Ordinal);
        try
        {
            long written = 0;
            while (items.Read() is { } item)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string suffix = item.TryGetProperty(CollectionLayout.ShadowProperty, out var named) && named.ValueKind == JsonValueKind.String
                    ? named.GetString()!
                    : throw new BackupException(BackupError.ArchiveCorrupt, $"The archive is corrupt: an item of '{source.Id}' names no shadow table.", source.Id);
                if (!bySuffix.TryGetValue(suffix, out var target))
                {
                    var shadow = table.Shadows.FirstOrDefault(s => string.Equals(s.Suffix, suffix, StringComparison.Ordinal))
                        ?? throw new BackupException(BackupError.InvalidArgument, $"'{table.Name}' has no shadow table '{table.Name}_{suffix}' for the backup's rows.", table.Name);
                    bySuffix[suffix] = target = new ShadowWrite(new SqliteInserts(_connection.Handle!, shadow, source.Rowid, source.Id, shadowItems: true, _encoding), shadow.Name);
                }
                target.Inserts.Insert(item);
                target.Rows++;
                written++;
            }
            foreach (var write in bySuffix.Values) NameConverted(table.Name, write.Inserts.Converted);
            // Every shadow table is counted, those the backup had no rows for too (they must be empty).
            foreach (var shadow in table.Shadows) Count(shadow.Name, bySuffix.Values.FirstOrDefault(w => w.Table == shadow.Name)?.Rows ?? 0);
            return written;
        }
        finally
        {
            foreach (var write in bySuffix.Values) write.Inserts.Dispose();
        }
    }

    private sealed class ShadowWrite(SqliteInserts inserts, string table)
    {
        public SqliteInserts Inserts { get; } = inserts;
        public string Table { get; } = table;
        public long Rows { get; set; }
    }

    private static long Drain(ItemReader items)
    {
        long count = 0;
        while (items.Read() is not null) count++;
        return count;
    }

    private void Count(string table, long rows) => _written[table] = _written.GetValueOrDefault(table) + rows;

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RebuildIndexesAsync(cancellationToken);
            if (_definitions is not null)
            {
                RestoreSequences();
                await RestoreStatisticsAsync(cancellationToken);
            }
            await CheckCountsAsync(cancellationToken);
            CheckReferences();
            if (_fresh)
            {
                await ExecuteAsync($"PRAGMA user_version = {_definitions!.UserVersion}", cancellationToken);
                await ExecuteAsync($"PRAGMA application_id = {_definitions.ApplicationId}", cancellationToken);
            }
            await _transaction.CommitAsync(cancellationToken);
            // Outside any transaction, as SQLite requires; it stays with the file.
            if (_fresh && _definitions!.JournalMode == "wal") await ExecuteAsync("PRAGMA journal_mode = wal", cancellationToken, inTransaction: false);
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, _path);
        }
        if (_building) await PublishAsync();
    }

    /// <summary>Gives the new file its path: closed first (the last connection to a WAL file folds the log into it),
    /// then renamed, never over a file that appeared there meanwhile.</summary>
    private async Task PublishAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
        try
        {
            File.Move(_file, _path, overwrite: false);
            _published = true;
        }
        catch (IOException e) when (File.Exists(_path))
        {
            throw new BackupException(BackupError.OperationFailed,
                $"The SQLite file '{_path}' appeared while the restore made it; it was left as it is, and nothing was restored.", _path, e);
        }
    }

    /// <summary>An FTS index over another table's content is rebuilt from it: when the index is restored, and when
    /// only the content table is (its old index would no longer match it).</summary>
    private async Task RebuildIndexesAsync(CancellationToken cancellationToken)
    {
        foreach (var index in _catalog.Tables.Where(t => t.Kind == SqliteTableKind.Rebuilt))
        {
            if (_restored.Contains(index.Name, SqliteNames.Comparer) || (index.ContentTable is { } content && _restored.Contains(content, SqliteNames.Comparer)))
                await ExecuteAsync($"INSERT INTO {index.QuotedName} ({index.QuotedName}) VALUES ('rebuild')", cancellationToken);
        }
    }

    /// <summary>Each restored AUTOINCREMENT table's counter as the backup had it, or none when it had none (then
    /// SQLite counts on from the rows it holds).</summary>
    private void RestoreSequences()
    {
        if (!Exists("sqlite_sequence")) return;
        var rows = _start.Targets
            .Select(t => (Table: Destination(t.Destination).Table, Sequence: _definitions!.Sequences.FirstOrDefault(s => s.Table == t.Source.Id)))
            .Where(r => r.Table.Kind == SqliteTableKind.Table && IsAutoincrement(r.Table))
            .OrderBy(r => r.Sequence?.Rowid ?? long.MaxValue);
        foreach (var (table, sequence) in rows)
        {
            if (sequence is null) Run("DELETE FROM sqlite_sequence WHERE name = ?1", table.Name);
            else UpsertSequence(table.Name, sequence.Seq, sequence.Rowid);
        }
    }

    /// <summary>Whether SQLite keeps a counter for the table: an insert into it then keeps the largest rowid
    /// (OP_MemMax), which only AUTOINCREMENT does. Explaining the statement compiles it and runs nothing.</summary>
    private bool IsAutoincrement(SqliteTable table)
    {
        if (table.WithoutRowid) return false;
        var db = _connection.Handle!;
        using var explain = SqliteItems.Prepare(db, $"EXPLAIN INSERT INTO {table.QuotedName} DEFAULT VALUES");
        while (SqliteItems.Step(db, explain))
        {
            if (raw.sqlite3_column_text(explain, 1).utf8_to_string() == "MemMax") return true;
        }
        return false;
    }

    /// <summary>A row of sqlite_sequence updated in place, or added under its old rowid when that is free, so that the
    /// rows keep their order (sqlite3's .dump lists them by it).</summary>
    private void UpsertSequence(string table, long seq, long rowid)
    {
        Run("UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1", table, seq);
        Run("""
            INSERT INTO sqlite_sequence (rowid, name, seq)
              SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_sequence WHERE rowid = ?3) THEN NULL ELSE ?3 END, ?1, ?2
              WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)
            """, table, seq, rowid);
    }

    /// <summary>The query planner's statistics: every restored table's old ones go (they describe rows that are gone),
    /// and a table restored under its own name gets the backup's back.</summary>
    private async Task RestoreStatisticsAsync(CancellationToken cancellationToken)
    {
        var destinations = _start.Targets.Select(t => (Table: Destination(t.Destination).Table.Name, t.Source.Id)).ToList();
        var own = destinations.Where(d => string.Equals(d.Table, d.Id, StringComparison.Ordinal)).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var statistics = _definitions!.Statistics.Where(s => own.Contains(s.Table)).ToList();
        if (!Exists("sqlite_stat1"))
        {
            if (statistics.Count == 0) return;
            await ExecuteAsync("ANALYZE sqlite_schema", cancellationToken); // makes sqlite_stat1, as sqlite3's .dump does
        }
        foreach (var (table, _) in destinations) Run("DELETE FROM sqlite_stat1 WHERE tbl = ?1", table);
        // Under their old rowids when those are free, as the sequences are, so that the rows keep their order.
        foreach (var statistic in statistics)
            Run("""
                INSERT INTO sqlite_stat1 (rowid, tbl, idx, stat)
                  VALUES (CASE WHEN EXISTS (SELECT 1 FROM sqlite_stat1 WHERE rowid = ?4) THEN NULL ELSE ?4 END, ?1, ?2, ?3)
                """, statistic.Table, statistic.Index, statistic.Stat, statistic.Rowid);
    }

    /// <summary>Every table written holds exactly the rows written into it (a constraint's ON CONFLICT clause, say,
    /// could otherwise drop or merge some while every statement succeeded).</summary>
    private async Task CheckCountsAsync(CancellationToken cancellationToken)
    {
        foreach (var (table, written) in _written)
        {
            using var command = SqliteSchema.Command(_connection, _transaction, $"SELECT count(*) FROM {SqliteSchema.Quote(table)}");
            long held = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (held != written)
                throw new BackupException(BackupError.OperationFailed,
                    $"After {written} rows were written into '{table}', it holds {held}: the table changed them as they went in. Nothing was restored.", table);
        }
    }

    private Dictionary<(string Child, long? Rowid, string Parent, long Key), int> BrokenReferences() =>
        SqliteReferences.Crossing(_connection.Handle!, _catalog.Tables, table => _restored.Contains(table, SqliteNames.Comparer));

    /// <summary>A restore of some tables must not add to the references broken between them and the rest.</summary>
    private void CheckReferences()
    {
        var added = SqliteReferences.Added(_brokenBefore, BrokenReferences());
        if (added.Count == 0) return;
        var pairs = added.GroupBy(r => r).Select(g => $"{g.Count()} row(s) of '{g.Key.Child}' would refer to rows of '{g.Key.Parent}' that are not there").ToList();
        var together = added.SelectMany(r => new[] { r.Child, r.Parent }).Distinct(SqliteNames.Comparer).Select(t => $"'{t}'");
        throw new BackupException(BackupError.InvalidArgument,
            $"Restoring {string.Join(", ", _restored.Select(t => $"'{t}'"))} without the tables that refer to them or that they refer to would break references: {string.Join("; ", pairs)}. Restore {string.Join(", ", together)} together. Nothing was restored.",
            _path);
    }

    private bool Exists(string table)
    {
        var db = _connection.Handle!;
        using var statement = SqliteItems.Prepare(db, "SELECT 1 FROM sqlite_schema WHERE name = ?1");
        raw.sqlite3_bind_text(statement, 1, table);
        return SqliteItems.Step(db, statement);
    }

    /// <summary>Runs one statement with its parameters bound by position, inside the restore's transaction.</summary>
    private void Run(string sql, params object?[] parameters)
    {
        var db = _connection.Handle!;
        using var statement = SqliteItems.Prepare(db, sql);
        for (int i = 0; i < parameters.Length; i++)
        {
            int rc = parameters[i] switch
            {
                null => raw.sqlite3_bind_null(statement, i + 1),
                long number => raw.sqlite3_bind_int64(statement, i + 1, number),
                string text => raw.sqlite3_bind_text(statement, i + 1, text),
                var other => throw new ArgumentException($"Cannot bind {other.GetType()}.", nameof(parameters)),
            };
            if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
        }
        SqliteItems.Execute(db, statement);
    }

    /// <summary>Runs a statement without parameters (those with parameters go through <see cref="Run"/>).</summary>
    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, bool inTransaction = true)
    {
        using var command = SqliteSchema.Command(_connection, inTransaction ? _transaction : null, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The destination table, and the archive's collection restored into it.</summary>
    private (SqliteTable Table, ManifestCollection Source) Destination(string collectionId)
    {
        var table = _catalog.Tables.FirstOrDefault(t => string.Equals(t.Name, collectionId, StringComparison.Ordinal))
            ?? _catalog.Tables.FirstOrDefault(t => SqliteNames.Comparer.Equals(t.Name, collectionId))
            ?? throw new BackupException(BackupError.CollectionNotFound, $"The site has no collection '{collectionId}'.", collectionId);
        var target = _start.Targets.FirstOrDefault(t => SqliteNames.Comparer.Equals(t.Destination, table.Name));
        // A restore started without targets (a caller of the site alone) writes rows as they come.
        var source = target?.Source ?? new ManifestCollection { Id = collectionId, DisplayName = collectionId, Entry = "", Sha256 = "" };
        return (table, source);
    }

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
        if (_building && !_published) DeleteFile(_file);
    }

    /// <summary>Removes a file a failed restore made, with whatever journal SQLite left beside it.</summary>
    private static void DeleteFile(string file)
    {
        foreach (string path in new[] { file, file + "-journal", file + "-wal", file + "-shm" })
        {
            try { File.Delete(path); }
            catch (IOException) { /* the restore's own error is the one to report */ }
        }
    }
}
