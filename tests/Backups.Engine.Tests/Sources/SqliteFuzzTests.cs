using System.Globalization;
using System.Text;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// Random SQLite files within SQLite's rules (encodings, rowid tables with and without an INTEGER PRIMARY KEY,
/// WITHOUT ROWID and STRICT tables, AUTOINCREMENT with gaps, odd names, every storage class with its edge values,
/// text that is not valid in its encoding, indexes and triggers, FTS5 and R*Tree tables), made by the sqlite3 shell and put through the same
/// round trip as the corpus. Runs for SITEBACKUP_FUZZ_SECONDS (20 by default; raise it for a soak), from
/// SITEBACKUP_FUZZ_SEED when given; a failure names the seed and the script that made the file.
/// </summary>
public sealed class SqliteFuzzTests
{
    [Fact]
    public Task Generated_files_come_back_exactly_as_sqlite3_sees_them() => FuzzLoop.RunAsync(Generate, async script =>
    {
        using var folder = new TempFolder();
        string path = folder.Combine("fuzz.db");
        SqliteJudge.Create(path, script);
        await SqliteRoundTrip.RunAsync(folder, path, null);
    }, "the file was");

    private static readonly string[] Encodings = ["UTF-8", "UTF-8", "UTF-8", "UTF-16le", "UTF-16be"];
    private static readonly string[] LooseTypes = ["", "INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC", "VARCHAR(10)", "DATETIME"];
    private static readonly string[] StrictTypes = ["INTEGER", "REAL", "TEXT", "BLOB", "ANY"];
    private static readonly string[] NameParts = ["a", "b", "Name", "with space", "quote\"d", "ünï", "名前", "$rowid", "x1", "select", "😀"];

    private static string Generate(Random random)
    {
        string encoding = Encodings[random.Next(Encodings.Length)];
        var sql = new StringBuilder($"PRAGMA encoding = '{encoding}';\n");
        bool utf8 = encoding == "UTF-8";
        int tables = random.Next(1, 4);
        for (int t = 0; t < tables; t++)
        {
            string table = Quote($"t{t} {NameParts[random.Next(NameParts.Length)]}");
            int kind = random.Next(5); // 0 rowid, 1 alias, 2 alias with AUTOINCREMENT, 3 WITHOUT ROWID, 4 STRICT
            bool strict = kind == 4 || random.Next(4) == 0 && kind != 3;
            var types = strict ? StrictTypes : LooseTypes;
            int count = random.Next(1, 6);
            var columns = Enumerable.Range(0, count).Select(i => (Name: $"c{i} {NameParts[random.Next(NameParts.Length)]}", Type: types[random.Next(types.Length)])).ToList();
            var definition = new List<string>();
            if (kind is 1 or 2 or 3) definition.Add($"id INTEGER PRIMARY KEY{(kind == 2 ? " AUTOINCREMENT" : "")}");
            definition.AddRange(columns.Select(c => $"{Quote(c.Name)} {c.Type}".TrimEnd()));
            sql.Append($"CREATE TABLE {table} ({string.Join(", ", definition)}){(kind == 3 ? " WITHOUT ROWID" : "")}{(strict ? (kind == 3 ? ", STRICT" : " STRICT") : "")};\n");
            if (random.Next(3) == 0) sql.Append($"CREATE INDEX {Quote($"i{t}")} ON {table} ({Quote(columns[0].Name)});\n");

            int rows = random.Next(1, 25); // at least one, so that the change before the restore changes something
            var ids = Enumerable.Range(1, 1000).OrderBy(_ => random.Next()).Take(rows).ToList();
            foreach (int id in ids)
            {
                var names = columns.Select(c => Quote(c.Name)).ToList();
                var values = columns.Select(c => Value(random, strict ? c.Type : "", utf8, encoding)).ToList();
                if (kind is 1 or 2 or 3) { names.Insert(0, "id"); values.Insert(0, id.ToString(CultureInfo.InvariantCulture)); }
                else { names.Insert(0, "rowid"); values.Insert(0, (id * 7 - 500).ToString(CultureInfo.InvariantCulture)); }
                sql.Append($"INSERT INTO {table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", values)});\n");
            }
            if (rows > 2 && random.Next(2) == 0) sql.Append($"DELETE FROM {table} WHERE {(kind is 1 or 2 or 3 ? "id" : "rowid")} = {(kind is 1 or 2 or 3 ? ids[0] : ids[0] * 7 - 500)};\n");
            if (random.Next(3) == 0)
                sql.Append($"CREATE TRIGGER {Quote($"tr{t}")} AFTER INSERT ON {table} BEGIN DELETE FROM {table}; END;\n");
        }
        if (random.Next(3) == 0)
        {
            // A full-text index of its own content, and a spatial index, with rows inserted and some deleted.
            sql.Append("CREATE VIRTUAL TABLE docs USING fts5(title, body);\nCREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1);\n");
            for (int i = 1, n = random.Next(1, 30); i <= n; i++)
            {
                sql.Append($"INSERT INTO docs (rowid, title, body) VALUES ({i * 3}, {Text(random)}, {Text(random)});\n");
                sql.Append($"INSERT INTO boxes VALUES ({i}, {i - random.Next(10)}, {i + random.Next(10)});\n");
            }
            sql.Append("DELETE FROM docs WHERE rowid % 2 = 0;\nDELETE FROM boxes WHERE id % 3 = 0;\n");
        }
        return sql.ToString();
    }

    /// <summary>A literal of a random storage class (of the column's type in a STRICT table), edge values often.</summary>
    private static string Value(Random random, string strictType, bool utf8, string encoding)
    {
        int storage = strictType switch
        {
            "INTEGER" => 1, "REAL" => 2, "TEXT" => 3, "BLOB" => 4,
            _ => random.Next(6),
        };
        if (random.Next(8) == 0) return "NULL";
        switch (storage)
        {
            case 1:
                long[] edges = [0, 1, -1, long.MaxValue, long.MinValue, 9007199254740993, -9007199254740993];
                return (random.Next(3) == 0 ? edges[random.Next(edges.Length)] : random.NextInt64(-1_000_000_000_000, 1_000_000_000_000)).ToString(CultureInfo.InvariantCulture);
            case 2:
                double[] reals = [-0.0, 2.0, 0.1, 1e308, -1e-308, 4.9406564584124654e-324, 1.7976931348623157e308, 123456789.125];
                double r = random.Next(3) == 0 ? reals[random.Next(reals.Length)] : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 20));
                string text = r.ToString("R", CultureInfo.InvariantCulture);
                return double.IsNegative(r) && r == 0 ? "-0.0" : text.Contains('.') || text.Contains('E') ? text : text + ".0";
            case 3:
                return Text(random);
            case 4:
                return $"x'{Convert.ToHexString(RandomBytes(random, random.Next(0, 40)))}'";
            default:
                // Text that is not valid in the file's encoding: bytes cast to TEXT.
                if (utf8) return $"CAST(x'{Convert.ToHexString(RandomBytes(random, random.Next(1, 12)))}' AS TEXT)";
                var units = new byte[random.Next(1, 6) * 2];
                random.NextBytes(units);
                // An unpaired surrogate somewhere, in the file's byte order.
                int at = random.Next(units.Length / 2) * 2;
                ushort surrogate = (ushort)(0xD800 + random.Next(0x800));
                if (encoding == "UTF-16le") { units[at] = (byte)surrogate; units[at + 1] = (byte)(surrogate >> 8); }
                else { units[at] = (byte)(surrogate >> 8); units[at + 1] = (byte)surrogate; }
                return $"CAST(x'{Convert.ToHexString(units)}' AS TEXT)";
        }
    }

    private static string Text(Random random)
    {
        string[] pieces = ["", "a", "Chloé", "名前", "😀", "\t", "\n", "'", "\"", "{\"$binary\": \"AA==\"}", "{\"$utf8\": \"/w==\"}", "2024-01-01T00:00:00Z", "\\", "null"];
        var text = new StringBuilder();
        for (int i = random.Next(0, 5); i > 0; i--) text.Append(pieces[random.Next(pieces.Length)]);
        return "'" + text.ToString().Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
