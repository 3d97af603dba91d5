using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Errors;
using SQLitePCL;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// What a SQLite file needs to be made again, as the archive's definitions entry keeps it: the file's settings that
/// matter (set before its first table, or kept in its header), the statements that created the backed-up tables with
/// their indexes and triggers, every view and every virtual table that computes its rows from others (in the order
/// sqlite_schema holds them), the tables' AUTOINCREMENT counters (sqlite_sequence) and their query-planner statistics
/// (sqlite_stat1).
/// </summary>
internal sealed partial record SqliteDefinitions
{
    public string Kind { get; init; } = "sqlite";
    public string Encoding { get; init; } = "UTF-8";
    public long PageSize { get; init; }
    public long AutoVacuum { get; init; }
    public long UserVersion { get; init; }
    public long ApplicationId { get; init; }
    public string JournalMode { get; init; } = "delete";
    public IReadOnlyList<SqliteObject> Objects { get; init; } = [];
    public IReadOnlyList<SqliteSequence> Sequences { get; init; } = [];
    public IReadOnlyList<SqliteStatistic> Statistics { get; init; } = [];

    /// <summary>The virtual tables among <see cref="Objects"/> that compute their rows from others (kept as views are).</summary>
    public IReadOnlyList<string> Computed { get; init; } = [];

    /// <summary>The statement that creates <paramref name="table"/>, or null.</summary>
    public string? TableSql(string table) =>
        Objects.FirstOrDefault(o => o.Type == "table" && string.Equals(o.Name, table, StringComparison.Ordinal))?.Sql;

    public static async Task<byte[]> ReadAsync(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<SqliteTable> tables, IReadOnlyList<string> computed, CancellationToken cancellationToken)
    {
        async Task<T> Scalar<T>(string sql)
        {
            using var command = Command(sql);
            return (T)Convert.ChangeType((await command.ExecuteScalarAsync(cancellationToken))!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }
        SqliteCommand Command(string sql) => SqliteSchema.Command(connection, transaction, sql);

        var names = tables.Select(t => t.Name).ToHashSet(SqliteNames.Comparer);
        var all = new List<SqliteObject>();
        using (var command = Command("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid"))
        using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                all.Add(new SqliteObject(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }
        // The backed-up tables (their shadow tables are the module's to make), their indexes and triggers, every
        // view with its triggers, and the computed virtual tables.
        var views = all.Where(o => o.Type == "view").Select(o => o.Name).ToHashSet(SqliteNames.Comparer);
        var objects = all.Where(o => o.Type switch
        {
            "view" => true,
            "table" => names.Contains(o.Name) || computed.Contains(o.Name, SqliteNames.Comparer),
            "trigger" => names.Contains(o.Table) || views.Contains(o.Table),
            _ => names.Contains(o.Table),
        }).ToList();

        var sequences = new List<SqliteSequence>();
        if (await Scalar<long>("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'") > 0)
        {
            using var command = Command("SELECT name, seq, rowid FROM sqlite_sequence ORDER BY rowid");
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                if (names.Contains(reader.GetString(0))) sequences.Add(new SqliteSequence(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        var statistics = new List<SqliteStatistic>();
        if (await Scalar<long>("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'") > 0)
        {
            using var command = Command("SELECT tbl, idx, stat, rowid FROM sqlite_stat1 ORDER BY rowid");
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (names.Contains(reader.GetString(0)))
                    statistics.Add(new SqliteStatistic(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }

        var definitions = new SqliteDefinitions
        {
            Encoding = await Scalar<string>("PRAGMA encoding"),
            PageSize = await Scalar<long>("PRAGMA page_size"),
            AutoVacuum = await Scalar<long>("PRAGMA auto_vacuum"),
            UserVersion = await Scalar<long>("PRAGMA user_version"),
            ApplicationId = await Scalar<long>("PRAGMA application_id"),
            JournalMode = (await Scalar<string>("PRAGMA journal_mode")).ToLowerInvariant(),
            Objects = objects,
            Sequences = sequences,
            Statistics = statistics,
            Computed = objects.Where(o => o.Type == "table" && computed.Contains(o.Name, SqliteNames.Comparer)).Select(o => o.Name).ToList(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(definitions, SqliteDefinitionsJson.Default.SqliteDefinitions);
    }

    /// <summary>The definitions of an archive; null for one without (version 1) or of another kind of site. The
    /// archive's checksum has vouched for the bytes already: SQLite definitions that do not read as such are corrupt.</summary>
    public static SqliteDefinitions? Parse(byte[]? json)
    {
        if (json is null) return null;
        try
        {
            using (var document = JsonDocument.Parse(json))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object
                    || !document.RootElement.TryGetProperty("kind", out var kind) || !kind.ValueEquals("sqlite"))
                    return null; // definitions of another kind of site
            }
            return JsonSerializer.Deserialize(json, SqliteDefinitionsJson.Default.SqliteDefinitions)
                ?? throw new JsonException("null definitions");
        }
        catch (JsonException e)
        {
            throw new BackupException(BackupError.ArchiveCorrupt, $"The archive is corrupt: its SQLite definitions do not read ({e.Message}).", null, e);
        }
    }

    /// <summary>
    /// Makes <paramref name="definition"/> in the file: its statement must be one CREATE of that object and nothing
    /// else, and must leave the object in sqlite_schema under its name. A definition that is anything more (a second
    /// statement, a write, a TEMP object) is refused as corrupt and never runs.
    /// </summary>
    public static void Create(sqlite3 db, SqliteObject definition)
    {
        var match = CreateStatement().Match(definition.Sql);
        string? type = match.Success ? match.Groups[1].Value.ToUpperInvariant() switch
        {
            "VIEW" => "view",
            "TRIGGER" => "trigger",
            "INDEX" => "index",
            _ => "table",
        } : null;
        if (type != definition.Type) throw NotDefinition(definition, "it is not a CREATE " + definition.Type.ToUpperInvariant());

        byte[] sql = System.Text.Encoding.UTF8.GetBytes(definition.Sql);
        int rc = raw.sqlite3_prepare_v2(db, sql, out var statement, out ReadOnlySpan<byte> tail);
        using (statement)
        {
            if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
            if (!IsBlank(tail)) throw NotDefinition(definition, "it is more than one statement");
            SqliteItems.Execute(db, statement);
        }
        using var check = SqliteItems.Prepare(db, "SELECT count(*) FROM sqlite_schema WHERE type = ?1 AND name = ?2");
        raw.sqlite3_bind_text(check, 1, definition.Type);
        raw.sqlite3_bind_text(check, 2, definition.Name);
        if (!SqliteItems.Step(db, check) || raw.sqlite3_column_int64(check, 0) != 1)
            throw NotDefinition(definition, $"it did not make the {definition.Type} '{definition.Name}'");
    }

    private static bool IsBlank(ReadOnlySpan<byte> tail)
    {
        foreach (byte b in tail)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)';')) return false;
        }
        return true;
    }

    private static BackupException NotDefinition(SqliteObject definition, string why) => new(BackupError.ArchiveCorrupt,
        $"The archive is corrupt: its definition of the {definition.Type} '{definition.Name}' is not one ({why}); nothing of it ran.", definition.Name);

    // What sqlite_schema holds: CREATE [UNIQUE] INDEX, CREATE [VIRTUAL] TABLE, CREATE VIEW, CREATE TRIGGER. TEMP
    // objects are never in it.
    [GeneratedRegex(@"^\s*CREATE\s+(?:UNIQUE\s+)?(?:VIRTUAL\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CreateStatement();
}

/// <summary>One row of sqlite_schema: a table, index, trigger or view, and the statement that made it.</summary>
internal sealed record SqliteObject(string Type, string Name, string Table, string Sql);

/// <summary>A row of sqlite_sequence, with its own rowid: sqlite3's .dump lists the rows in that order.</summary>
internal sealed record SqliteSequence(string Table, long Seq, long Rowid);

/// <summary>A row of sqlite_stat1, with its own rowid.</summary>
internal sealed record SqliteStatistic(string Table, string? Index, string Stat, long Rowid);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SqliteDefinitions))]
internal sealed partial class SqliteDefinitionsJson : JsonSerializerContext;
