using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
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

    /// <summary>
    /// Binds a JSON value so that SQLite stores it with the storage class it was read with. Text goes in with its
    /// length, so a NUL inside it is kept. Text that was not valid in its file's encoding (a <c>$utf8</c> or
    /// <c>$utf16</c> marker) goes back only into a file of that encoding: SQLite would convert it into another one,
    /// and invalid text does not convert without changing.
    /// </summary>
    public static void Bind(sqlite3 db, sqlite3_stmt statement, int index, JsonElement value, SqliteEncoding target)
    {
        int rc = value.ValueKind switch
        {
            JsonValueKind.Null => raw.sqlite3_bind_null(statement, index),
            JsonValueKind.String => BindText(statement, index, value),
            JsonValueKind.True => raw.sqlite3_bind_int64(statement, index, 1),
            JsonValueKind.False => raw.sqlite3_bind_int64(statement, index, 0),
            // TryGetInt64 takes plain integers only: "2.0" and "1E+20" fall through to REAL, as they were written.
            JsonValueKind.Number => value.TryGetInt64(out long integer)
                ? raw.sqlite3_bind_int64(statement, index, integer)
                : raw.sqlite3_bind_double(statement, index, value.GetDouble()),
            _ => BindMarkerOrJson(statement, index, value, target),
        };
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
    }

    private static int BindMarkerOrJson(sqlite3_stmt statement, int index, JsonElement value, SqliteEncoding target)
    {
        if (ItemValues.TryGetMarker(value, out string marker, out string text))
        {
            switch (marker)
            {
                case ItemValues.BinaryMarker:
                    return raw.sqlite3_bind_blob(statement, index, Base64(text));
                case ItemValues.DoubleMarker:
                    return raw.sqlite3_bind_double(statement, index, double.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
                case ItemValues.DateMarker:
                    return BindText(statement, index, value.EnumerateObject().First().Value); // SQLite keeps dates as ISO 8601 text.
                case ItemValues.Utf8Marker:
                    if (target != SqliteEncoding.Utf8) throw EncodingMismatch("UTF-8", target);
                    // The bytes as they were: SQLite stores what it is given, valid UTF-8 or not.
                    return raw.sqlite3_bind_text(statement, index, (ReadOnlySpan<byte>)Base64(text));
                case ItemValues.Utf16Marker:
                    if (target == SqliteEncoding.Utf8) throw EncodingMismatch("UTF-16", target);
                    byte[] bytes = Base64(text);
                    var units = new char[bytes.Length / 2];
                    for (int i = 0; i < units.Length; i++) units[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2));
                    return raw.sqlite3_bind_text16(statement, index, units);
            }
        }
        // Objects and arrays from sites with JSON columns are kept as their JSON text.
        return BindUtf8(statement, index, Encoding.UTF8.GetBytes(value.GetRawText()));
    }

    /// <summary>A JSON string as UTF-8 text: straight from the document when it holds no escape, else decoded.</summary>
    private static int BindText(sqlite3_stmt statement, int index, JsonElement value)
    {
        var token = JsonMarshal.GetRawUtf8Value(value); // with its quotes
        var inner = token[1..^1];
        if (inner.IndexOf((byte)'\\') < 0) return BindUtf8(statement, index, inner);
        string text = value.GetString()!;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            return BindUtf8(statement, index, buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>UTF-8 text with its length (SQLite copies it). An empty span would reach SQLite as a null pointer,
    /// which binds NULL, so empty text goes in as the empty string.</summary>
    private static int BindUtf8(sqlite3_stmt statement, int index, ReadOnlySpan<byte> utf8) =>
        utf8.IsEmpty ? raw.sqlite3_bind_text(statement, index, "") : raw.sqlite3_bind_text(statement, index, utf8);

    private static BackupException EncodingMismatch(string kept, SqliteEncoding target) => new(BackupError.InvalidArgument,
        $"The backup holds text that is not valid {kept}, kept byte for byte, and the file is {Pragma(target)}: SQLite would convert it, and it would not come back as it was. Restore into a {kept} file (with -CreateMissing, a new file takes the backup's encoding).",
        null);

    /// <summary>The encoding as PRAGMA encoding names it.</summary>
    public static string Pragma(SqliteEncoding encoding) => encoding switch
    {
        SqliteEncoding.Utf16Le => "UTF-16le",
        SqliteEncoding.Utf16Be => "UTF-16be",
        _ => "UTF-8",
    };

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
