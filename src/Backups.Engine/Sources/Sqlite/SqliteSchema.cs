using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>What a collection of a SQLite file is, and so how its items are read and written.</summary>
internal enum SqliteTableKind
{
    /// <summary>An ordinary table (rowid or WITHOUT ROWID): one item a row.</summary>
    Table,

    /// <summary>A virtual table whose module keeps everything in shadow tables (FTS3/4/5 with their own content or
    /// none, R*Tree): the items are those tables' rows, copied as they are, so the index comes back byte for byte.</summary>
    Shadowed,

    /// <summary>An FTS index whose content lives in another table (<c>content='src'</c>): no items; the restore
    /// rebuilds it from that table.</summary>
    Rebuilt,

    /// <summary>A virtual table without shadow tables that can be read: one item a row, written back through it.</summary>
    VirtualRows,
}

/// <summary>
/// A collection of a SQLite file (or one shadow table of a virtual table), with the columns an item carries
/// (generated and hidden columns are left out: SQLite computes them and refuses writes to them) and how its rowid
/// is reached: <see cref="Rowid"/> is the SQL name that reads and writes it (<c>rowid</c>, else <c>oid</c>, else
/// <c>_rowid_</c>: the first that no column takes), or null when the table has none of its own (WITHOUT ROWID, or a
/// column that is an alias of it) or none can be reached.
/// </summary>
internal sealed record SqliteTable(CollectionInfo Collection, IReadOnlyList<string> Columns)
{
    public string Name => Collection.Id;
    public string QuotedName => SqliteSchema.Quote(Collection.Id);
    public SqliteTableKind Kind { get; init; } = SqliteTableKind.Table;
    public string? Rowid { get; init; }
    public bool WithoutRowid { get; init; }

    /// <summary>A rowid table whose columns take every name of its rowid: its rows are kept without them.</summary>
    public bool RowidUnreachable { get; init; }

    /// <summary>The statement that created it, as sqlite_schema keeps it.</summary>
    public string? Sql { get; init; }

    /// <summary>For <see cref="SqliteTableKind.Shadowed"/>: its shadow tables.</summary>
    public IReadOnlyList<SqliteTable> Shadows { get; init; } = [];

    /// <summary>For a shadow table: its name after "&lt;virtual table&gt;_".</summary>
    public string? Suffix { get; init; }

    /// <summary>For an FTS table: the table that holds its content (<c>content='src'</c>), or null.</summary>
    public string? ContentTable { get; init; }
}

/// <summary>
/// The collections of a SQLite file; what of it that is no collection a backup cannot keep (<see cref="Omissions"/>:
/// virtual tables that cannot be read or written); and the virtual tables that compute their rows from others
/// (<see cref="Computed"/>, fts5vocab say), whose definitions a backup keeps as it keeps views'.
/// </summary>
internal sealed record SqliteCatalog(IReadOnlyList<SqliteTable> Tables, IReadOnlyList<Omission> Omissions)
{
    public IReadOnlyList<string> Computed { get; init; } = [];
}

internal static partial class SqliteSchema
{
    /// <summary>The names that reach a rowid, in the order SQLite gives up on them when columns take them.</summary>
    public static readonly string[] RowidNames = ["rowid", "oid", "_rowid_"];

    /// <summary>
    /// Every user table and virtual table of the main schema, by name. SQLite's own tables (sqlite_*) are not
    /// collections, nor are shadow tables: their rows travel with the virtual table they belong to. A virtual table
    /// whose module is not in this SQLite cannot be read, and one that takes no writes (fts5vocab, say) could not
    /// get its rows back: each is an omission, named.
    /// </summary>
    public static async Task<SqliteCatalog> ReadAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var listed = new List<(string Name, string Type, bool WithoutRowid, string? Sql)>();
        using (var command = Command(connection, transaction,
            """
            SELECT l.name, l.type, l.wr, s.sql FROM pragma_table_list AS l LEFT JOIN sqlite_schema AS s ON s.name = l.name AND s.type = 'table'
            WHERE l.schema = 'main' AND l.type IN ('table', 'virtual', 'shadow') AND l.name NOT LIKE 'sqlite\_%' ESCAPE '\'
            ORDER BY l.name
            """))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                listed.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0, reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        var tables = new List<SqliteTable>();
        var omissions = new List<Omission>();
        var computed = new List<string>();
        foreach (var (name, type, withoutRowid, sql) in listed.Where(t => t.Type != "shadow"))
        {
            if (type == "table")
            {
                tables.Add(await ReadTableAsync(connection, transaction, name, withoutRowid, sql, cancellationToken));
                continue;
            }

            string module = ModuleOf(sql);
            if (await UnreadableAsync(connection, transaction, name, cancellationToken) is { } why)
            {
                omissions.Add(new Omission(name, $"it is a virtual table of the module '{module}', which this SQLite cannot read ({why})."));
                continue;
            }
            var shadows = listed.Where(s => s.Type == "shadow" && SqliteNames.Comparer.Equals(OwnerOf(s.Name), name)).ToList();
            var collection = new CollectionInfo(name, name);
            if (shadows.Count == 0)
            {
                if (NotWritable(connection, name) is { } refusal)
                {
                    omissions.Add(new Omission(name, $"it is a virtual table of the module '{module}' that takes no rows ({refusal}): its rows are computed, so none are kept; its definition is, and a file a restore makes has it."));
                    computed.Add(name);
                    continue;
                }
                tables.Add(await ReadTableAsync(connection, transaction, name, withoutRowid, sql, cancellationToken) with { Kind = SqliteTableKind.VirtualRows });
            }
            else if (module is "fts3" or "fts4" or "fts5" && ContentOption(sql) is { Length: > 0 } content)
            {
                tables.Add(new SqliteTable(collection, []) { Kind = SqliteTableKind.Rebuilt, Sql = sql, ContentTable = content });
            }
            else
            {
                var read = new List<SqliteTable>();
                foreach (var shadow in shadows)
                    read.Add(await ReadTableAsync(connection, transaction, shadow.Name, shadow.WithoutRowid, shadow.Sql, cancellationToken) with { Suffix = shadow.Name[(name.Length + 1)..] });
                tables.Add(new SqliteTable(collection, []) { Kind = SqliteTableKind.Shadowed, Sql = sql, Shadows = read, ContentTable = module is "fts3" or "fts4" or "fts5" ? ContentOption(sql) : null });
            }
        }
        return new SqliteCatalog(tables, omissions) { Computed = computed };
    }

    private static async Task<SqliteTable> ReadTableAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string name, bool withoutRowid, string? sql, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        var all = new List<string>();
        var primaryKey = new List<(string Name, string Type)>();
        using (var command = Command(connection, transaction, "SELECT name, hidden, type, pk FROM pragma_table_xinfo($table) ORDER BY cid"))
        {
            command.Parameters.AddWithValue("$table", name);
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                string column = reader.GetString(0);
                all.Add(column);
                // hidden: 0 an ordinary column, 1 hidden (virtual tables), 2 and 3 generated.
                if (reader.GetInt64(1) == 0) columns.Add(column);
                if (reader.GetInt64(3) > 0) primaryKey.Add((column, reader.GetString(2)));
            }
        }
        var table = new SqliteTable(new CollectionInfo(name, name), columns) { WithoutRowid = withoutRowid, Sql = sql };
        if (withoutRowid) return table;
        if (primaryKey.Count == 1 && string.Equals(primaryKey[0].Type.Trim(), "INTEGER", StringComparison.OrdinalIgnoreCase)
            && await IsRowidAliasAsync(connection, transaction, name, primaryKey[0].Name, cancellationToken))
            return table; // the column is the rowid: items carry it as that column
        string? rowid = RowidNames.FirstOrDefault(r => !all.Contains(r, SqliteNames.Comparer));
        return table with { Rowid = rowid, RowidUnreachable = rowid is null };
    }

    /// <summary>
    /// Whether <paramref name="column"/> is the table's rowid. "INTEGER PRIMARY KEY" usually makes it so, but not
    /// always (<c>INTEGER PRIMARY KEY DESC</c> does not), so SQLite is asked: reading an alias compiles to the Rowid
    /// opcode, reading any other column to Column.
    /// </summary>
    private static async Task<bool> IsRowidAliasAsync(SqliteConnection connection, SqliteTransaction? transaction, string table, string column, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, $"EXPLAIN SELECT {Quote(column)} FROM {Quote(table)} NOT INDEXED");
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetString(1) == "Rowid") return true;
        }
        return false;
    }

    /// <summary>Why a virtual table cannot be read here (its module is not in this SQLite, say), or null.</summary>
    private static async Task<string?> UnreadableAsync(SqliteConnection connection, SqliteTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        try
        {
            using var command = Command(connection, transaction, $"SELECT * FROM {Quote(name)} LIMIT 0");
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return null;
        }
        catch (SqliteException e)
        {
            return e.Message;
        }
    }

    /// <summary>Why a virtual table takes no writes (its module has no way to), or null: SQLite refuses to prepare
    /// any write to it, so preparing one (never run) tells.</summary>
    private static string? NotWritable(SqliteConnection connection, string name)
    {
        try
        {
            using var statement = SqliteItems.Prepare(connection.Handle!, $"DELETE FROM {Quote(name)}");
            return null;
        }
        catch (SqliteException e)
        {
            return e.Message;
        }
    }

    /// <summary>The virtual table a shadow table belongs to: SQLite takes its name up to the last "_".</summary>
    private static string OwnerOf(string shadow) => shadow[..Math.Max(0, shadow.LastIndexOf('_'))];

    /// <summary>The module of a CREATE VIRTUAL TABLE statement, lower-case.</summary>
    public static string ModuleOf(string? sql) =>
        sql is not null && UsingModule().Match(sql) is { Success: true } m ? m.Groups[1].Value.ToLowerInvariant() : "";

    /// <summary>An FTS table's content option: the table that holds its content; empty for a contentless one; null
    /// when it keeps its own.</summary>
    public static string? ContentOption(string? sql)
    {
        if (sql is null) return null;
        var m = ContentArgument().Match(sql);
        if (!m.Success) return null;
        string value = m.Groups[1].Value.Trim();
        if (value.Length >= 2 && value[0] is '\'' or '"' or '`' or '[')
        {
            char close = value[0] == '[' ? ']' : value[0];
            value = value[1..^1].Replace(new string(close, 2), close.ToString(), StringComparison.Ordinal);
        }
        return value;
    }

    [GeneratedRegex(@"\bUSING\s+([A-Za-z0-9_]+)", RegexOptions.IgnoreCase)]
    private static partial Regex UsingModule();

    // content=value, where value is quoted ('…', "…", `…`, […]) or bare, up to the next comma or parenthesis.
    [GeneratedRegex(@"[(,]\s*content\s*=\s*('(?:[^']|'')*'|""(?:[^""]|"""")*""|`(?:[^`]|``)*`|\[[^\]]*\]|[^,)\s]*)", RegexOptions.IgnoreCase)]
    private static partial Regex ContentArgument();

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
