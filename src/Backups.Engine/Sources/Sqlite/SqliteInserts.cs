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
    private readonly Dictionary<string, sqlite3_stmt> _byShape = new(StringComparer.Ordinal);
    private readonly HashSet<string> _columns = new(table.Columns, SqliteNames.Comparer);
    private readonly List<string> _names = [];
    private sqlite3_stmt? _last;
    private string[] _lastNames = [];
    private readonly SqliteAffinity _affinity = new(database, table);

    /// <summary>The values written otherwise than the backup had them: column, and the row's rowid (or its place).</summary>
    public List<(string Column, string Row)> Converted { get; } = [];

    private long _rows;

    public void Insert(JsonElement item)
    {
        var statement = For(item);
        int index = 1;
        _rows++;
        foreach (var property in item.EnumerateObject())
        {
            if (shadowItems && property.NameEquals(CollectionLayout.ShadowProperty)) continue;
            if (property.Name != rowidProperty && _affinity.Converts(property.Name, property.Value, encoding))
                Converted.Add((property.Name, Row(item)));
            SqliteItems.Bind(database, statement, index++, property.Value, encoding);
        }
        SqliteItems.Execute(database, statement);
    }

    /// <summary>How a warning names a row: by its rowid, else its primary key, else its place in the backup.</summary>
    private string Row(JsonElement item)
    {
        if (rowidProperty is not null && item.TryGetProperty(rowidProperty, out var rowid)) return $"rowid {rowid.GetRawText()}";
        var key = _affinity.Key.Select(c => item.TryGetProperty(c, out var v) ? $"{c} {v.GetRawText()}" : null).ToList();
        return key.Count > 0 && key.All(k => k is not null) ? string.Join(", ", key) : $"row {_rows}";
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
        _affinity.Dispose();
        foreach (var statement in _byShape.Values) statement.Dispose();
    }
}
