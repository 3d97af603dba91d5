using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// What a SQLite file needs to be made again, as the archive's definitions entry keeps it: the file's settings that
/// matter (set before its first table, or kept in its header), the statements that created the backed-up tables with
/// their indexes and triggers and every view (in the order sqlite_schema holds them), the tables' AUTOINCREMENT
/// counters (sqlite_sequence) and their query-planner statistics (sqlite_stat1).
/// </summary>
internal sealed record SqliteDefinitions
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

    /// <summary>The statement that creates <paramref name="table"/>, or null.</summary>
    public string? TableSql(string table) =>
        Objects.FirstOrDefault(o => o.Type == "table" && string.Equals(o.Name, table, StringComparison.Ordinal))?.Sql;

    public static async Task<byte[]> ReadAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<SqliteTable> tables, CancellationToken cancellationToken)
    {
        async Task<T> Scalar<T>(string sql) => (T)Convert.ChangeType((await Command(sql).ExecuteScalarAsync(cancellationToken))!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        SqliteCommand Command(string sql) => SqliteSchema.Command(connection, transaction, sql);

        var names = tables.Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var all = new List<SqliteObject>();
        using (var command = Command("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid"))
        using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                all.Add(new SqliteObject(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }
        // The backed-up tables (their shadow tables are the module's to make), their indexes and triggers, and every
        // view with its triggers.
        var views = all.Where(o => o.Type == "view").Select(o => o.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var objects = all.Where(o => o.Type switch
        {
            "view" => true,
            "table" => names.Contains(o.Name),
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
        };
        return JsonSerializer.SerializeToUtf8Bytes(definitions, SqliteDefinitionsJson.Default.SqliteDefinitions);
    }

    /// <summary>The definitions of an archive; null for one without (version 1) or of another kind of site.</summary>
    public static SqliteDefinitions? Parse(byte[]? json)
    {
        if (json is null) return null;
        try
        {
            var definitions = JsonSerializer.Deserialize(json, SqliteDefinitionsJson.Default.SqliteDefinitions);
            return definitions?.Kind == "sqlite" ? definitions : null;
        }
        catch (JsonException)
        {
            return null; // definitions of another kind of site
        }
    }
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
