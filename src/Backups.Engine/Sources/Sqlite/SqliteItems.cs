using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;
using SQLitePCL;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>The text encoding of a SQLite file, as <c>PRAGMA encoding</c> names it.</summary>
internal enum SqliteEncoding
{
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// <summary>Items as SQLite values, both ways, through SQLite's own C API: statements prepared and stepped, values
/// read and bound by position with their storage class.</summary>
internal static class SqliteItems
{
    public static SqliteEncoding ParseEncoding(string pragma) => pragma.ToUpperInvariant() switch
    {
        "UTF-16LE" => SqliteEncoding.Utf16Le,
        "UTF-16BE" => SqliteEncoding.Utf16Be,
        _ => SqliteEncoding.Utf8,
    };

    /// <summary>The item property that holds a row's rowid: <c>$rowid</c>, unless a column of the table takes that
    /// name (then <c>$rowid_2</c>, ...), so that it never stands for a column.</summary>
    public static string RowidProperty(SqliteTable table)
    {
        var taken = table.Columns.Concat(table.Shadows.SelectMany(s => s.Columns)).ToHashSet(StringComparer.Ordinal);
        string name = "$rowid";
        for (int n = 2; taken.Contains(name); n++) name = $"$rowid_{n}";
        return name;
    }

    public static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        int rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }
        return statement;
    }

    /// <summary>Steps once: true with a row, false when done; throws SQLite's error otherwise.</summary>
    public static bool Step(sqlite3 db, sqlite3_stmt statement)
    {
        int rc = raw.sqlite3_step(statement);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc == raw.SQLITE_DONE) return false;
        SqliteException.ThrowExceptionForRC(rc, db);
        return false;
    }

    /// <summary>Runs a statement that returns no rows, then resets it for the next run.</summary>
    public static void Execute(sqlite3 db, sqlite3_stmt statement)
    {
        int rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, db);
    }

    /// <summary>Binds a JSON value so that SQLite stores it with the storage class it was read with.</summary>
    public static void Bind(sqlite3_stmt statement, int index, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                raw.sqlite3_bind_null(statement, index);
                return;
            case JsonValueKind.String:
                raw.sqlite3_bind_text(statement, index, value.GetString()!);
                return;
            case JsonValueKind.True:
                raw.sqlite3_bind_int64(statement, index, 1);
                return;
            case JsonValueKind.False:
                raw.sqlite3_bind_int64(statement, index, 0);
                return;
            case JsonValueKind.Number:
                // TryGetInt64 takes plain integers only: "2.0" and "1E+20" fall through to REAL, as they were written.
                if (value.TryGetInt64(out long integer)) raw.sqlite3_bind_int64(statement, index, integer);
                else raw.sqlite3_bind_double(statement, index, value.GetDouble());
                return;
        }
        if (ItemValues.TryGetMarker(value, out string marker, out string text))
        {
            switch (marker)
            {
                case ItemValues.BinaryMarker:
                    raw.sqlite3_bind_blob(statement, index, Base64(text));
                    return;
                case ItemValues.DoubleMarker:
                    raw.sqlite3_bind_double(statement, index, double.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
                    return;
                case ItemValues.DateMarker:
                    raw.sqlite3_bind_text(statement, index, text); // SQLite keeps dates as ISO 8601 text.
                    return;
                case ItemValues.Utf8Marker:
                    // The bytes as they were: SQLite stores what it is given, valid UTF-8 or not.
                    raw.sqlite3_bind_text(statement, index, (ReadOnlySpan<byte>)Base64(text));
                    return;
                case ItemValues.Utf16Marker:
                    byte[] bytes = Base64(text);
                    var units = new char[bytes.Length / 2];
                    for (int i = 0; i < units.Length; i++) units[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2));
                    raw.sqlite3_bind_text16(statement, index, units);
                    return;
            }
        }
        // Objects and arrays from sites with JSON columns are kept as their JSON text.
        raw.sqlite3_bind_text(statement, index, value.GetRawText());
    }

    private static byte[] Base64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new BackupException(BackupError.ArchiveCorrupt, "The archive is corrupt: a marker's bytes are not base64.", null);
        }
    }
}
