using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SiteBackup.Engine.Archive;
using SQLitePCL;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// Finds the text values a restore cannot write back as text. SQLite gives a value written into a column of INTEGER,
/// REAL or NUMERIC affinity that affinity, turning text that reads as a number into the number. Which text reads as a
/// number differs between SQLite versions where the text holds a NUL character: the SQLite bundled here (3.53) reads
/// only up to the first NUL, so "3\0x" becomes the integer 3, while the SQLite 3.40 shell keeps it as text. A file
/// written by an older SQLite can therefore hold text in a numeric column that no INSERT of this SQLite can put back.
/// Such a value is found before it is written, by writing it into a temporary probe column of the same affinity and
/// asking SQLite for its type; the restore writes it (as the number SQLite makes of it) and names the column in the
/// restoration's NotKept and in a warning. Only text that holds a NUL is probed: for other text every SQLite agrees,
/// and the file could not have held it as text in the first place.
/// </summary>
internal sealed class SqliteAffinity(sqlite3 database, SqliteTable table) : IDisposable
{
    private Dictionary<string, char>? _numeric;
    private readonly List<string> _key = [];

    /// <summary>The table's primary key columns, in key order, once a value has been probed.</summary>
    public IReadOnlyList<string> Key => _key;
    private readonly Dictionary<char, sqlite3_stmt> _probes = [];

    /// <summary>The column's affinity when it converts text (i INTEGER, r REAL, n NUMERIC), else null.</summary>
    public char? Numeric(string column)
    {
        _numeric ??= Load();
        return _numeric.TryGetValue(column, out char affinity) ? affinity : null;
    }

    /// <summary>The table's columns of numeric affinity, by SQLite's rules for a declared type ("Determination Of
    /// Column Affinity"); none in a STRICT table, whose columns never convert what they hold.</summary>
    private Dictionary<string, char> Load()
    {
        var numeric = new Dictionary<string, char>(SqliteNames.Comparer);
        using (var key = SqliteItems.Prepare(database, "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk"))
        {
            raw.sqlite3_bind_text(key, 1, table.Name);
            while (SqliteItems.Step(database, key)) _key.Add(raw.sqlite3_column_text(key, 0).utf8_to_string());
        }
        using var strict = SqliteItems.Prepare(database, "SELECT strict FROM pragma_table_list WHERE schema = 'main' AND name = ?1");
        raw.sqlite3_bind_text(strict, 1, table.Name);
        if (SqliteItems.Step(database, strict) && raw.sqlite3_column_int(strict, 0) == 1) return numeric;
        using var columns = SqliteItems.Prepare(database, "SELECT name, type FROM pragma_table_xinfo(?1)");
        raw.sqlite3_bind_text(columns, 1, table.Name);
        while (SqliteItems.Step(database, columns))
        {
            string type = raw.sqlite3_column_text(columns, 1).utf8_to_string().ToUpperInvariant();
            char? affinity = type.Contains("INT", StringComparison.Ordinal) ? 'i'
                : type.Contains("CHAR", StringComparison.Ordinal) || type.Contains("CLOB", StringComparison.Ordinal) || type.Contains("TEXT", StringComparison.Ordinal) ? null
                : type.Length == 0 || type.Contains("BLOB", StringComparison.Ordinal) ? null
                : type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal) || type.Contains("DOUB", StringComparison.Ordinal) ? 'r'
                : 'n';
            if (affinity is { } a) numeric[raw.sqlite3_column_text(columns, 0).utf8_to_string()] = a;
        }
        return numeric;
    }

    /// <summary>True when SQLite would store <paramref name="value"/>, text in the backup, as a number in a column
    /// of this <see cref="Numeric"/> affinity.</summary>
    public bool Converts(char affinity, JsonElement value, SqliteEncoding encoding)
    {
        // Cheapest first: this runs for every value a restore writes into a numeric column; only text is looked into.
        if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Object) || !HoldsNul(value)) return false;
        if (!_probes.TryGetValue(affinity, out var probe))
        {
            using (var create = SqliteItems.Prepare(database, "CREATE TEMP TABLE IF NOT EXISTS \"sitebackup affinity probe\" (i INTEGER, r REAL, n NUMERIC)"))
                SqliteItems.Execute(database, create);
            _probes[affinity] = probe = SqliteItems.Prepare(database, $"INSERT INTO temp.\"sitebackup affinity probe\" ({affinity}) VALUES (?1) RETURNING typeof({affinity})");
        }
        SqliteItems.Bind(database, probe, 1, value, encoding);
        bool converted = SqliteItems.Step(database, probe) && raw.sqlite3_column_text(probe, 0).utf8_to_string() != "text";
        raw.sqlite3_reset(probe);
        using (var clear = SqliteItems.Prepare(database, "DELETE FROM temp.\"sitebackup affinity probe\""))
            SqliteItems.Execute(database, clear);
        return converted;
    }

    /// <summary>Text (a JSON string, or text kept byte for byte) with a NUL in it.</summary>
    private static bool HoldsNul(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
            return JsonMarshal.GetRawUtf8Value(value).IndexOf("\\u0000"u8) >= 0;
        if (value.ValueKind == JsonValueKind.Object && ItemValues.TryGetMarker(value, out string marker, out string text)
            && marker is ItemValues.Utf8Marker or ItemValues.Utf16Marker)
        {
            byte[] bytes = Convert.FromBase64String(text);
            if (marker == ItemValues.Utf8Marker) return Array.IndexOf(bytes, (byte)0) >= 0;
            for (int i = 0; i + 1 < bytes.Length; i += 2) if (bytes[i] == 0 && bytes[i + 1] == 0) return true;
        }
        return false;
    }

    public void Dispose()
    {
        foreach (var probe in _probes.Values) probe.Dispose();
    }
}
