using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace SiteBackup.SiteGenerator;

internal static class Commands
{
    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    public static int Generate(string path, int items, int seed, string shape)
    {
        if (shape is not ("shop" or "notes")) throw new ArgumentException($"unknown shape {shape}: shop or notes");
        if (File.Exists(path)) File.Delete(path);
        using var connection = Open(path, SqliteOpenMode.ReadWriteCreate);
        if (shape == "notes") Notes.Create(connection, items, seed);
        else Shop.Create(connection, items, seed);
        Console.WriteLine($"{path}: {items} items ({shape})");
        return 0;
    }

    public static int Sql(string path, string sql)
    {
        using var connection = Open(path, SqliteOpenMode.ReadWrite);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        do
        {
            while (reader.Read())
            {
                var values = new string[reader.FieldCount];
                for (int i = 0; i < values.Length; i++) values[i] = Quote(reader, i);
                Console.WriteLine(string.Join('|', values));
            }
        } while (reader.NextResult());
        return 0;
    }

    public static int Fingerprint(string path)
    {
        // Read-write: a hot journal left by a killed writer is rolled back on open, which a read-only connection cannot do.
        using var connection = Open(path, SqliteOpenMode.ReadWrite);
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        foreach (string table in tables)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long rows = 0;
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\" ORDER BY rowid";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                rows++;
                for (int i = 0; i < reader.FieldCount; i++) hash.AppendData(Encoding.UTF8.GetBytes(Quote(reader, i) + "\u001f"));
                hash.AppendData("\n"u8);
            }
            Console.WriteLine($"{table}|{rows}|{Convert.ToHexStringLower(hash.GetHashAndReset())}");
        }
        return 0;
    }

    /// <summary>A value as SQLite's quote() would spell it, storage class included (2.0 stays 2.0).</summary>
    private static string Quote(SqliteDataReader reader, int i)
    {
        if (reader.IsDBNull(i)) return "NULL";
        var type = reader.GetFieldType(i);
        if (type == typeof(long)) return reader.GetInt64(i).ToString(CultureInfo.InvariantCulture);
        if (type == typeof(double))
        {
            string text = reader.GetDouble(i).ToString("R", CultureInfo.InvariantCulture);
            return text.AsSpan().IndexOfAny(".EeIN") >= 0 ? text : text + ".0";
        }
        if (type == typeof(byte[])) return "X'" + Convert.ToHexString(reader.GetFieldValue<byte[]>(i)) + "'";
        return "'" + reader.GetString(i).Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
