using System.Text.Json;
using SQLitePCL;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// Prepared INSERT statements, one per distinct list of properties (almost always just one), driven through
/// SQLitePCL directly: parameters bound by position, text as UTF-8 bytes straight from the item where it can be
/// (Microsoft.Data.Sqlite looks every parameter up by name and converts every string on every execution). They run
/// on the restore's connection, inside its transaction. The rowid property goes into the table's rowid; the
/// shadow-table property names the table and is not a column. Text this SQLite would store as a number
/// (<see cref="SqliteAffinity"/>) is written as it makes it, and named in <see cref="Converted"/>.
/// </summary>
internal sealed class SqliteInserts(sqlite3 database, SqliteTable table, string? rowidProperty, string collectionId, bool shadowItems, SqliteEncoding encoding) : IDisposable
{
    private readonly Dictionary<string, Shape> _byShape = new(StringComparer.Ordinal);
    private readonly HashSet<string> _columns = new(table.Columns, SqliteNames.Comparer);
    private Shape? _last;
    private readonly SqliteAffinity _affinity = new(database, table);

    /// <summary>The values written otherwise than the backup had them: column, and the row's rowid (or its place).</summary>
    public List<(string Column, string Row)> Converted { get; } = [];

    private long _rows;

    public void Insert(JsonElement item)
    {
        // Items of a collection almost always have the same properties in the same order: the last shape is
        // checked against the item's names as UTF-8, without making a string of any.
        var shape = _last is { } last && last.Matches(item) ? last : For(item);
        int index = 1, at = 0;
        _rows++;
        foreach (var property in item.EnumerateObject())
        {
            int i = at++;
            if (shape.Skipped[i]) continue;
            if (shape.Numeric[i] is { } affinity && _affinity.Converts(affinity, property.Value, encoding))
                Converted.Add((shape.Names[i], Row(item)));
            SqliteItems.Bind(database, shape.Statement, index++, property.Value, encoding);
        }
        SqliteItems.Execute(database, shape.Statement);
    }

    /// <summary>How a warning names a row: by its rowid, else its primary key, else its place in the backup.</summary>
    private string Row(JsonElement item)
    {
        if (rowidProperty is not null && item.TryGetProperty(rowidProperty, out var rowid)) return $"rowid {rowid.GetRawText()}";
        var key = _affinity.Key.Select(c => item.TryGetProperty(c, out var v) ? $"{c} {v.GetRawText()}" : null).ToList();
        return key.Count > 0 && key.All(k => k is not null) ? string.Join(", ", key) : $"row {_rows}";
    }

    private Shape For(JsonElement item)
    {
        var names = item.EnumerateObject().Select(p => p.Name).ToArray();
        string key = string.Concat(names.Select(n => $"{n.Length}:{n}")); // names can hold any character
        if (!_byShape.TryGetValue(key, out var shape))
        {
            var skipped = names.Select(n => shadowItems && n == CollectionLayout.ShadowProperty).ToArray();
            var columns = names.Where((_, i) => !skipped[i]).Select(Column).ToList();
            string sql = columns.Count == 0
                ? $"INSERT INTO {table.QuotedName} DEFAULT VALUES"
                : $"INSERT INTO {table.QuotedName} ({string.Join(", ", columns.Select(SqliteSchema.Quote))}) VALUES ({string.Join(", ", columns.Select(_ => "?"))})";
            // Only text going into a column of numeric affinity can be converted (the rowid is no column).
            var numeric = names.Select((n, i) => skipped[i] || n == rowidProperty ? null : _affinity.Numeric(n)).ToArray();
            shape = new Shape(SqliteItems.Prepare(database, sql), names, skipped, numeric);
            _byShape.Add(key, shape);
        }
        _last = shape;
        return shape;
    }

    /// <summary>A prepared INSERT for items with these properties in this order, and what is known of each.</summary>
    private sealed class Shape(sqlite3_stmt statement, string[] names, bool[] skipped, char?[] numeric)
    {
        private readonly byte[][] _utf8 = names.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

        public sqlite3_stmt Statement { get; } = statement;
        public string[] Names { get; } = names;
        /// <summary>The property names no column: the shadow table's.</summary>
        public bool[] Skipped { get; } = skipped;
        /// <summary>The affinity of the column each property goes into, where it converts text.</summary>
        public char?[] Numeric { get; } = numeric;

        public bool Matches(JsonElement item)
        {
            int i = 0;
            foreach (var property in item.EnumerateObject())
            {
                if (i == _utf8.Length || !property.NameEquals(_utf8[i])) return false;
                i++;
            }
            return i == _utf8.Length;
        }
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
        _affinity.Dispose();
        foreach (var shape in _byShape.Values) shape.Statement.Dispose();
    }
}
