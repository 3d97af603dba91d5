using Microsoft.Data.Sqlite;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>A user table and the columns an item carries (generated and hidden columns are left out: SQLite
/// computes them and refuses writes to them).</summary>
internal sealed record SqliteTable(CollectionInfo Collection, IReadOnlyList<string> Columns)
{
    public string QuotedName => SqliteSchema.Quote(Collection.Id);
}

internal static class SqliteSchema
{
    /// <summary>Every user table, by name. SQLite's own tables (sqlite_*) and virtual tables are not collections:
    /// a virtual table's content belongs to its module, not to the site.</summary>
    public static async Task<IReadOnlyList<SqliteTable>> ReadTablesAsync(
        SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText =
                """
                SELECT name FROM sqlite_schema
                WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
                  AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
                ORDER BY name
                """;
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        }

        var tables = new List<SqliteTable>(names.Count);
        foreach (string name in names)
        {
            var columns = new List<string>();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // hidden: 0 an ordinary column, 1 hidden (virtual tables), 2 and 3 generated.
            command.CommandText = "SELECT name FROM pragma_table_xinfo($table) WHERE hidden = 0 ORDER BY cid";
            command.Parameters.AddWithValue("$table", name);
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) columns.Add(reader.GetString(0));
            tables.Add(new SqliteTable(new CollectionInfo(name, name), columns));
        }
        return tables;
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
