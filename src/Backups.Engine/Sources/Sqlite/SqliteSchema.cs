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
    /// <summary>Every user table of the main schema, by name. SQLite's own tables (sqlite_*), virtual tables and
    /// their shadow tables are not collections: their content belongs to the virtual table's module (FTS5, say),
    /// which rebuilds it.</summary>
    public static async Task<IReadOnlyList<SqliteTable>> ReadTablesAsync(
        SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText =
                """
                SELECT name FROM pragma_table_list
                WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
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
