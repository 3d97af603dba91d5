using SQLitePCL;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// The foreign-key violations that cross between the tables a restore writes and the rest of the file, as
/// foreign_key_check reports them, counted: a WITHOUT ROWID table reports every violating row with a NULL rowid, so
/// two broken rows of it are two, not one. References between two restored tables are the backup's own, and those
/// whose parent is no table of the file were broken before any restore (the file lacks the table), so neither counts.
/// </summary>
internal static class SqliteReferences
{
    public static Dictionary<(string Child, long? Rowid, string Parent, long Key), int> Crossing(
        sqlite3 db, IReadOnlyList<SqliteTable> tables, Func<string, bool> restored)
    {
        var present = tables.Where(t => t.Kind == SqliteTableKind.Table).Select(t => t.Name).ToHashSet(SqliteNames.Comparer);
        bool Crosses(string child, string parent) => present.Contains(parent) && restored(child) != restored(parent);

        var broken = new Dictionary<(string, long?, string, long), int>();
        foreach (string child in present)
        {
            var parents = Query(db, $"SELECT DISTINCT \"table\" FROM pragma_foreign_key_list({Literal(child)})", s => raw.sqlite3_column_text(s, 0).utf8_to_string());
            if (!parents.Any(p => Crosses(child, p))) continue;
            var rows = Query(db, $"SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check({Literal(child)})",
                s => (Child: raw.sqlite3_column_text(s, 0).utf8_to_string(),
                      Rowid: raw.sqlite3_column_type(s, 1) == raw.SQLITE_NULL ? (long?)null : raw.sqlite3_column_int64(s, 1),
                      Parent: raw.sqlite3_column_text(s, 2).utf8_to_string(),
                      Key: raw.sqlite3_column_int64(s, 3)));
            foreach (var row in rows.Where(r => Crosses(r.Child, r.Parent)))
                broken[row] = broken.GetValueOrDefault(row) + 1;
        }
        return broken;
    }

    /// <summary>The violations in <paramref name="after"/> beyond those in <paramref name="before"/>.</summary>
    public static List<(string Child, string Parent)> Added(
        Dictionary<(string Child, long? Rowid, string Parent, long Key), int> before,
        Dictionary<(string Child, long? Rowid, string Parent, long Key), int> after) =>
        after.SelectMany(pair => Enumerable.Repeat((pair.Key.Child, pair.Key.Parent), Math.Max(0, pair.Value - before.GetValueOrDefault(pair.Key)))).ToList();

    private static List<T> Query<T>(sqlite3 db, string sql, Func<sqlite3_stmt, T> row)
    {
        using var statement = SqliteItems.Prepare(db, sql);
        var rows = new List<T>();
        while (SqliteItems.Step(db, statement)) rows.Add(row(statement));
        return rows;
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
