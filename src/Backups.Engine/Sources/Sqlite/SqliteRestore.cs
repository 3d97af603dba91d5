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
/// (its settings, tables, indexes, triggers and views), and so are tables missing from one that does; a new file that
/// a failed restore made is deleted.
/// </summary>
internal sealed class SqliteRestore : ISiteRestore
{
    private readonly string _path;
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly RestoreStart _start;
    private readonly SqliteDefinitions? _definitions;
    private readonly bool _newFile;
    private SqliteCatalog _catalog = new([], []);
    private readonly Dictionary<string, long> _written = new(SqliteNames.Comparer);
    private readonly List<string> _restored = [];
    private HashSet<(string Child, long? Rowid, string Parent, long Key)>? _brokenBefore;
    private bool _committed;

    private SqliteRestore(string path, SqliteConnection connection, SqliteTransaction transaction, RestoreStart start, SqliteDefinitions? definitions, bool newFile)
    {
        _path = path;
        _connection = connection;
        _transaction = transaction;
        _start = start;
        _definitions = definitions;
        _newFile = newFile;
    }

    public IReadOnlyList<CollectionInfo> Collections => _catalog.Tables.Select(t => t.Collection).ToList();

    public static async Task<ISiteRestore> BeginAsync(string path, RestoreStart start, CancellationToken cancellationToken)
    {
        var definitions = SqliteDefinitions.Parse(start.Definitions);
        bool newFile = !File.Exists(path);
        if (newFile && definitions is null)
            throw new BackupException(BackupError.InvalidArgument,
                $"The SQLite file '{path}' does not exist, and the backup holds no SQLite definitions to make it from (a backup of another kind of site, or one taken before backups held definitions).", path);
        var connection = await SqliteConnections.OpenAsync(path, foreignKeys: false, cancellationToken, create: newFile);
        try
        {
            if (newFile) await ApplyFileSettingsAsync(connection, definitions!, cancellationToken);
            // Off for this connection only, until it closes: no trigger fires while the backup's content goes in.
            int rc = raw.sqlite3_db_config(connection.Handle!, raw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, out _);
            if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, connection.Handle);
            // Immediate: take the write lock now, so that a restore fails (or waits) before it reads anything.
            var transaction = connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
            var restore = new SqliteRestore(path, connection, transaction, start, definitions, newFile);
            if (start.CreateMissing && definitions is not null) await restore.CreateMissingAsync(cancellationToken);
            restore._catalog = await SqliteSchema.ReadAsync(connection, transaction, cancellationToken);
            return restore;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            if (newFile) DeleteFile(path);
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
    /// name, with its indexes and triggers (and every view, in a new file).</summary>
    private async Task CreateMissingAsync(CancellationToken cancellationToken)
    {
        var existing = new HashSet<string>(SqliteNames.Comparer);
        using (var list = SqliteSchema.Command(_connection, _transaction, "SELECT name FROM sqlite_schema WHERE type = 'table'"))
        using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) existing.Add(reader.GetString(0));
        }
        var create = _start.Targets
            .Where(t => SqliteNames.Comparer.Equals(t.Destination, t.Source.Id) && !existing.Contains(t.Source.Id) && _definitions!.TableSql(t.Source.Id) is not null)
            .Select(t => t.Source.Id)
            .ToHashSet(StringComparer.Ordinal);
        // Tables first (a view or trigger may name any of them), then the rest in the order the file held them, so
        // that sqlite3's .dump of the new file lists everything as the original's does.
        var objects = _definitions!.Objects;
        var views = objects.Where(o => o.Type == "view").Select(o => o.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var statements = objects.Where(o => o.Type == "table" && create.Contains(o.Name))
            .Concat(objects.Where(o => (o.Type is "index" or "trigger" && create.Contains(o.Table))
                || (_newFile && (o.Type == "view" || (o.Type == "trigger" && views.Contains(o.Table))))));
        foreach (var statement in statements)
        {
            using var command = SqliteSchema.Command(_connection, _transaction, statement.Sql);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        // The new tables' AUTOINCREMENT rows, under their old rowids and so in their old order, before any row goes in
        // (SQLite would make them in the order the tables are written).
        foreach (var sequence in _definitions.Sequences.Where(s => create.Contains(s.Table)))
            await ExecuteAsync("INSERT INTO sqlite_sequence (rowid, name, seq) VALUES ($rowid, $name, 0)",
                [("$rowid", sequence.Rowid), ("$name", sequence.Table)], true, cancellationToken);
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

    /// <summary>Shadow tables hold a virtual table's index in the module's own format, for its own definition only.</summary>
    private void CheckSameVirtualTable(SqliteTable table, ManifestCollection source)
    {
        string? defined = _definitions?.TableSql(source.Id);
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
        using var inserts = new InsertStatements(_connection.Handle!, table, rowidProperty, items.Collection.Id, shadowItems: false);
        long written = 0;
        while (items.Read() is { } document)
        {
            using (document)
            {
                cancellationToken.ThrowIfCancellationRequested();
                inserts.Insert(document.RootElement);
                written++;
            }
        }
        Count(table.Name, written);
        return written;
    }

    private long WriteShadowRows(SqliteTable table, ManifestCollection source, ItemReader items, CancellationToken cancellationToken)
    {
        var bySuffix = new Dictionary<string, InsertStatements>(StringComparer.Ordinal);
        try
        {
            long written = 0;
            while (items.Read() is { } document)
            {
                using (document)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var item = document.RootElement;
                    string suffix = item.TryGetProperty(CollectionLayout.ShadowProperty, out var named) && named.ValueKind == JsonValueKind.String
                        ? named.GetString()!
                        : throw new BackupException(BackupError.ArchiveCorrupt, $"The archive is corrupt: an item of '{source.Id}' names no shadow table.", source.Id);
                    if (!bySuffix.TryGetValue(suffix, out var inserts))
                    {
                        var shadow = table.Shadows.FirstOrDefault(s => string.Equals(s.Suffix, suffix, StringComparison.Ordinal))
                            ?? throw new BackupException(BackupError.InvalidArgument, $"'{table.Name}' has no shadow table '{table.Name}_{suffix}' for the backup's rows.", table.Name);
                        bySuffix[suffix] = inserts = new InsertStatements(_connection.Handle!, shadow, source.Rowid, source.Id, shadowItems: true);
                    }
                    inserts.Insert(item);
                    Count($"{table.Name}_{suffix}", 1);
                    written++;
                }
            }
            foreach (var shadow in table.Shadows) Count(shadow.Name, 0);
            return written;
        }
        finally
        {
            foreach (var inserts in bySuffix.Values) inserts.Dispose();
        }
    }

    private static long Drain(ItemReader items)
    {
        long count = 0;
        while (items.Read() is { } document)
        {
            document.Dispose();
            count++;
        }
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
                await RestoreSequencesAsync(cancellationToken);
                await RestoreStatisticsAsync(cancellationToken);
            }
            await CheckCountsAsync(cancellationToken);
            CheckReferences();
            if (_newFile)
            {
                await ExecuteAsync($"PRAGMA user_version = {_definitions!.UserVersion}", cancellationToken);
                await ExecuteAsync($"PRAGMA application_id = {_definitions.ApplicationId}", cancellationToken);
            }
            await _transaction.CommitAsync(cancellationToken);
            _committed = true;
            // Outside any transaction, as SQLite requires; it stays with the file.
            if (_newFile && _definitions!.JournalMode == "wal") await ExecuteAsync("PRAGMA journal_mode = wal", [], inTransaction: false, cancellationToken);
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, _path);
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

    /// <summary>Each restored table's AUTOINCREMENT counter as the backup had it (or none, when it had none). A row
    /// that is there is updated in place, and one that is not goes in under its old rowid when that is free, so that
    /// the rows keep their order (sqlite3's .dump lists them by it).</summary>
    private async Task RestoreSequencesAsync(CancellationToken cancellationToken)
    {
        if (!await ExistsAsync("sqlite_sequence", cancellationToken)) return;
        var rows = _start.Targets
            .Select(t => (Table: Destination(t.Destination).Table, Sequence: _definitions!.Sequences.FirstOrDefault(s => s.Table == t.Source.Id)))
            .Where(r => r.Table.Sql is not null && r.Table.Sql.Contains("AUTOINCREMENT", StringComparison.OrdinalIgnoreCase))
            .OrderBy(r => r.Sequence?.Rowid ?? long.MaxValue);
        foreach (var (table, sequence) in rows)
        {
            if (sequence is null)
            {
                await ExecuteAsync("DELETE FROM sqlite_sequence WHERE name = $name", [("$name", table.Name)], true, cancellationToken);
                continue;
            }
            await ExecuteAsync(
                """
                UPDATE sqlite_sequence SET seq = $seq WHERE name = $name;
                INSERT INTO sqlite_sequence (rowid, name, seq)
                  SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_sequence WHERE rowid = $rowid) THEN NULL ELSE $rowid END, $name, $seq
                  WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $name);
                """, [("$name", table.Name), ("$seq", sequence.Seq), ("$rowid", sequence.Rowid)], true, cancellationToken);
        }
    }

    /// <summary>The query planner's statistics of each table restored under its own name, as the backup had them.</summary>
    private async Task RestoreStatisticsAsync(CancellationToken cancellationToken)
    {
        var own = _start.Targets.Where(t => string.Equals(Destination(t.Destination).Table.Name, t.Source.Id, StringComparison.Ordinal)).Select(t => t.Source.Id).ToList();
        var statistics = _definitions!.Statistics.Where(s => own.Contains(s.Table, StringComparer.Ordinal)).ToList();
        if (!await ExistsAsync("sqlite_stat1", cancellationToken))
        {
            if (statistics.Count == 0) return;
            await ExecuteAsync("ANALYZE sqlite_schema", cancellationToken); // makes sqlite_stat1, as sqlite3's .dump does
        }
        foreach (string table in own) await ExecuteAsync("DELETE FROM sqlite_stat1 WHERE tbl = $table", [("$table", table)], true, cancellationToken);
        // Under their old rowids when those are free, as the sequences are, so that the rows keep their order.
        foreach (var statistic in statistics)
            await ExecuteAsync(
                """
                INSERT INTO sqlite_stat1 (rowid, tbl, idx, stat)
                  VALUES (CASE WHEN EXISTS (SELECT 1 FROM sqlite_stat1 WHERE rowid = $rowid) THEN NULL ELSE $rowid END, $table, $index, $stat)
                """, [("$table", statistic.Table), ("$index", statistic.Index), ("$stat", statistic.Stat), ("$rowid", statistic.Rowid)], true, cancellationToken);
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

    /// <summary>
    /// The references that cross between restored tables and the others, broken as they stand (foreign_key_check):
    /// a restore of some tables must not add to them. References between two restored tables are the backup's own,
    /// and are left as the backup had them.
    /// </summary>
    private HashSet<(string Child, long? Rowid, string Parent, long Key)> BrokenReferences()
    {
        bool Restored(string table) => _restored.Contains(table, SqliteNames.Comparer);
        var broken = new HashSet<(string, long?, string, long)>();
        foreach (var child in _catalog.Tables.Where(t => t.Kind == SqliteTableKind.Table))
        {
            var parents = Query($"SELECT DISTINCT \"table\" FROM pragma_foreign_key_list({Literal(child.Name)})", s => raw.sqlite3_column_text(s, 0).utf8_to_string()).ToList();
            if (!parents.Any(p => Restored(p) != Restored(child.Name))) continue;
            foreach (var row in Query($"SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check({Literal(child.Name)})",
                s => (Child: raw.sqlite3_column_text(s, 0).utf8_to_string(), Rowid: raw.sqlite3_column_type(s, 1) == raw.SQLITE_NULL ? (long?)null : raw.sqlite3_column_int64(s, 1),
                      Parent: raw.sqlite3_column_text(s, 2).utf8_to_string(), Key: raw.sqlite3_column_int64(s, 3))))
            {
                if (Restored(row.Parent) != Restored(row.Child)) broken.Add(row);
            }
        }
        return broken;
    }

    private void CheckReferences()
    {
        var added = BrokenReferences().Where(r => _brokenBefore is null || !_brokenBefore.Contains(r)).ToList();
        if (added.Count == 0) return;
        var pairs = added.GroupBy(r => (r.Child, r.Parent)).Select(g => $"{g.Count()} row(s) of '{g.Key.Child}' would refer to rows of '{g.Key.Parent}' that are not there").ToList();
        var together = added.SelectMany(r => new[] { r.Child, r.Parent }).Distinct(SqliteNames.Comparer).Select(t => $"'{t}'");
        throw new BackupException(BackupError.InvalidArgument,
            $"Restoring {string.Join(", ", _restored.Select(t => $"'{t}'"))} without the tables that refer to them or that they refer to would break references: {string.Join("; ", pairs)}. Restore {string.Join(", ", together)} together. Nothing was restored.",
            _path);
    }

    private List<T> Query<T>(string sql, Func<sqlite3_stmt, T> row)
    {
        var db = _connection.Handle!;
        using var statement = SqliteItems.Prepare(db, sql);
        var rows = new List<T>();
        while (SqliteItems.Step(db, statement)) rows.Add(row(statement));
        return rows;
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private async Task<bool> ExistsAsync(string table, CancellationToken cancellationToken)
    {
        using var command = SqliteSchema.Command(_connection, _transaction, "SELECT count(*) FROM sqlite_schema WHERE name = $name");
        command.Parameters.AddWithValue("$name", table);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private Task ExecuteAsync(string sql, CancellationToken cancellationToken) => ExecuteAsync(sql, [], true, cancellationToken);

    private async Task ExecuteAsync(string sql, (string Name, object? Value)[] parameters, bool inTransaction, CancellationToken cancellationToken)
    {
        using var command = SqliteSchema.Command(_connection, inTransaction ? _transaction : null, sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
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
        if (_newFile && !_committed) DeleteFile(_path);
    }

    /// <summary>Removes a file a failed restore made, with whatever journal SQLite left beside it.</summary>
    private static void DeleteFile(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (string file in new[] { path, path + "-journal", path + "-wal", path + "-shm" })
        {
            try { File.Delete(file); }
            catch (IOException) { /* the restore's own error is the one to report */ }
        }
    }

    /// <summary>
    /// Prepared INSERT statements, one per distinct list of properties (almost always just one), driven through
    /// SQLitePCL directly: parameters bound by position. Microsoft.Data.Sqlite binds every parameter by name on
    /// every execution, which a profile of a 1,000,000-row restore showed to cost about half of its time. They run
    /// on the restore's connection, inside its transaction. The rowid property goes into the table's rowid; the
    /// shadow-table property names the table and is not a column.
    /// </summary>
    private sealed class InsertStatements(sqlite3 database, SqliteTable table, string? rowidProperty, string collectionId, bool shadowItems) : IDisposable
    {
        private readonly Dictionary<string, sqlite3_stmt> _byShape = new(StringComparer.Ordinal);
        private readonly HashSet<string> _columns = new(table.Columns, StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _names = [];
        private sqlite3_stmt? _last;
        private string[] _lastNames = [];

        public void Insert(JsonElement item)
        {
            var statement = For(item);
            int index = 1;
            foreach (var property in item.EnumerateObject())
            {
                if (shadowItems && property.NameEquals(CollectionLayout.ShadowProperty)) continue;
                SqliteItems.Bind(statement, index++, property.Value);
            }
            SqliteItems.Execute(database, statement);
        }

        private sqlite3_stmt For(JsonElement item)
        {
            _names.Clear();
            foreach (var property in item.EnumerateObject())
            {
                if (!(shadowItems && property.NameEquals(CollectionLayout.ShadowProperty))) _names.Add(property.Name);
            }
            if (_last is not null && _names.SequenceEqual(_lastNames, StringComparer.Ordinal)) return _last;

            string shape = string.Join('\0', _names);
            if (!_byShape.TryGetValue(shape, out var statement))
            {
                var columns = _names.Select(Column).ToList();
                string sql = columns.Count == 0
                    ? $"INSERT INTO {table.QuotedName} DEFAULT VALUES"
                    : $"INSERT INTO {table.QuotedName} ({string.Join(", ", columns.Select(SqliteSchema.Quote))}) VALUES ({string.Join(", ", columns.Select(_ => "?"))})";
                statement = SqliteItems.Prepare(database, sql);
                _byShape.Add(shape, statement);
            }
            _last = statement;
            _lastNames = [.. _names];
            return statement;
        }

        /// <summary>The SQL column a property goes into.</summary>
        private string Column(string property)
        {
            if (property == rowidProperty)
            {
                return RowidName()
                    ?? throw new BackupException(BackupError.InvalidArgument,
                        $"The backup's '{collectionId}' keeps each row's rowid, and '{table.Name}' has none to take it (it is WITHOUT ROWID, or its columns take every name for it).", table.Name);
            }
            return _columns.Contains(property) ? property : throw ShapeErrors.ColumnMissing(collectionId, property);
        }

        /// <summary>How to name the destination's rowid: its own rowid name, or the first name of it no column takes
        /// (in a table with an INTEGER PRIMARY KEY, the name reaches that column).</summary>
        private string? RowidName() =>
            table.WithoutRowid ? null : table.Rowid ?? SqliteSchema.RowidNames.FirstOrDefault(n => !_columns.Contains(n));

        public void Dispose()
        {
            foreach (var statement in _byShape.Values) statement.Dispose();
        }
    }
}
