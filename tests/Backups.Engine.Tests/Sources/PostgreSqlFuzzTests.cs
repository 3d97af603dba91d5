using System.Globalization;
using System.Text;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// Random tables of random column types (built-in scalars, json and jsonb, arrays with any bounds, geometry with its
/// own array delimiter, ranges, hstore and citext, an enum, a composite) with random values at their edges, each in a
/// fresh database, put through the same round trip as the corpus and judged by pg_dump. Runs for
/// SITEBACKUP_FUZZ_SECONDS (20 by default; raise it for a soak), from SITEBACKUP_FUZZ_SEED when given; a failure
/// names the seed and the script that made the tables.
/// </summary>
public sealed class PostgreSqlFuzzTests
{
    [Fact]
    public Task Generated_tables_come_back_exactly_as_pg_dump_sees_them() => FuzzLoop.RunAsync(Generate, async script =>
    {
        await using var site = new PostgresFixture();
        using var folder = new TempFolder();
        await site.ExecuteAsync(script);
        await PostgresRoundTrip.RunAsync(site, folder, null);
    }, "the tables were");

    private const string Prelude =
        """
        CREATE EXTENSION hstore;
        CREATE EXTENSION citext;
        CREATE TYPE colour AS ENUM ('red', 'green', 'a "blue", really');
        CREATE TYPE pair AS (label text, n numeric, tags text[]);
        """;

    /// <summary>A column type and a generator of one SQL literal of it (never NULL: NULLs are added around it).</summary>
    private sealed record ColumnType(string Sql, Func<Random, string> Value);

    private static readonly ColumnType[] Types =
    [
        new("smallint", r => Pick(r, "-32768", "32767", "0", r.Next(-999, 999).ToString(CultureInfo.InvariantCulture))),
        new("integer", r => Pick(r, "-2147483648", "2147483647", r.Next().ToString(CultureInfo.InvariantCulture))),
        new("bigint", r => Pick(r, "-9223372036854775808", "9223372036854775807", r.NextInt64().ToString(CultureInfo.InvariantCulture))),
        new("numeric", r => Pick(r, "'NaN'", "0", "-0.000000000000000000001", Digits(r, r.Next(1, 200)) + "." + Digits(r, r.Next(0, 50)))),
        new("real", r => Float(r, single: true)),
        new("double precision", r => Float(r, single: false)),
        new("text", r => Literal(Text(r))),
        new("varchar(12)", r => Literal(new string(Text(r).Take(12).ToArray()).TrimEnd('\uD83D'))),
        new("char(4)", r => Literal(Pick(r, "a", "ab ", "", "abcd"))),
        new("boolean", r => Pick(r, "true", "false")),
        new("bytea", r => $"'\\x{Convert.ToHexStringLower(RandomBytes(r))}'"),
        new("date", r => Pick(r, "'infinity'", "'-infinity'", "'0044-03-15 BC'", $"'{2000 + r.Next(-1900, 900):0000}-{r.Next(1, 13):00}-{r.Next(1, 29):00}'")),
        new("timestamp", r => Pick(r, "'infinity'", "'4713-01-01 00:00 BC'", $"'2024-02-29 {r.Next(24):00}:{r.Next(60):00}:{r.Next(60):00}.{r.Next(1000000):000000}'")),
        new("timestamptz", r => Pick(r, "'-infinity'", $"'1901-12-13 20:45:52+{r.Next(15):00}:{r.Next(2) * 30:00}'", $"'2024-06-01 {r.Next(24):00}:00:00.5-03:30'")),
        new("interval", r => Pick(r, "'0'", "'-178000000 years'", $"'{r.Next(-50, 50)} mons {r.Next(-40, 40)} days {r.Next(-99, 99)}:00:01.25'")),
        new("uuid", r => $"'{new Guid(RandomBytes(r, 16))}'"),
        new("inet", r => Pick(r, "'::1'", "'10.1.2.3/8'", "'2001:db8::ff/64'")),
        new("json", r => Literal(Json(r, spaced: true))),
        new("jsonb", r => Literal(Json(r, spaced: false))),
        new("int4range", r => Pick(r, "'empty'", "'[1,10)'", "'(,5]'")),
        new("point", r => $"'({Float(r, false).Trim('\'')},{r.Next(-9, 9)})'".Replace("'NaN'", "NaN", StringComparison.Ordinal)),
        new("box", r => $"'({r.Next(9)},{r.Next(9)}),({r.Next(9)},{r.Next(9)})'"),
        new("integer[]", r => Array(r, "integer", rr => rr.Next(-99, 99).ToString(CultureInfo.InvariantCulture))),
        new("text[]", r => Array(r, "text", Text)),
        new("float8[]", r => Array(r, "float8", rr => Unquoted(Float(rr, single: false)))),
        new("numeric[]", r => Array(r, "numeric", rr => Pick(rr, "NaN", "1.50", "-0.001"))),
        new("boolean[]", r => Array(r, "boolean", rr => Pick(rr, "t", "f"))),
        new("jsonb[]", r => Array(r, "jsonb", rr => Json(rr, spaced: false))),
        new("json[]", r => Array(r, "json", rr => Json(rr, spaced: true))),
        new("box[]", r => Array(r, "box", rr => $"({rr.Next(9)},{rr.Next(9)}),({rr.Next(9)},{rr.Next(9)})", delimiter: ';')),
        new("date[]", r => Array(r, "date", rr => Pick(rr, "infinity", "0044-03-15 BC", "2024-01-31"))),
        new("timestamptz[]", r => Array(r, "timestamptz", rr => Pick(rr, "infinity", "2024-01-31 10:00:00.25+05:45"))),
        new("bytea[]", r => Array(r, "bytea", rr => "\\x" + Convert.ToHexStringLower(RandomBytes(rr)))),
        new("char(2)[]", r => Array(r, "char(2)", rr => Pick(rr, "a", "ab", " "))),
        new("hstore", r => Literal(string.Join(", ", Enumerable.Range(0, r.Next(4)).Select(i => $"\"k{i} {Text(r).Replace("\\", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal)}\"=>{(r.Next(4) == 0 ? "NULL" : "\"v\\\"q\"")}")))),
        new("hstore[]", r => Array(r, "hstore", rr => Pick(rr, "a=>1", "\"b c\"=>NULL", ""))),
        new("citext", r => Literal(Text(r))),
        new("colour", r => Pick(r, "'red'", "'green'", "'a \"blue\", really'")),
        new("colour[]", r => Array(r, "colour", rr => Pick(rr, "red", "a \"blue\", really"))),
        new("pair", r => $"ROW({Literal(Text(r))}, {Pick(r, "1.50", "'NaN'", "NULL")}, ARRAY[{Literal(Text(r))}, NULL])::pair"),
        new("pair[]", r => $"ARRAY[ROW({Literal(Text(r))}, 2, NULL)::pair, NULL]"),
    ];

    private static readonly string[] NameParts = ["a", "Name", "with space", "quote\"d", "ünï", "名前", "$json", "x1", "select", "Mixed"];

    private static string Generate(Random random)
    {
        var sql = new StringBuilder(Prelude);
        int tables = random.Next(1, 4);
        for (int t = 0; t < tables; t++)
        {
            string table = Quote($"t{t} {NameParts[random.Next(NameParts.Length)]}");
            var columns = Enumerable.Range(0, random.Next(0, 7)).Select(c => (Name: Quote($"c{c} {NameParts[random.Next(NameParts.Length)]}"), Type: Types[random.Next(Types.Length)])).ToList();
            sql.Append($"CREATE TABLE {table} ({string.Join(", ", columns.Select(c => $"{c.Name} {c.Type.Sql}"))});\n");
            int rows = t == 0 ? random.Next(1, 12) : random.Next(0, 12);
            for (int row = 0; row < rows; row++)
            {
                if (columns.Count == 0)
                {
                    sql.Append($"INSERT INTO {table} DEFAULT VALUES;\n");
                    continue;
                }
                var values = columns.Select(c => random.Next(6) == 0 ? "NULL" : c.Type.Value(random));
                sql.Append($"INSERT INTO {table} VALUES ({string.Join(", ", values)});\n");
            }
        }
        return sql.ToString();
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];

    private static string Digits(Random random, int count) =>
        count == 0 ? "0" : string.Concat(Enumerable.Range(0, count).Select(i => (char)('0' + (i == 0 ? random.Next(1, 10) : random.Next(10)))));

    private static string Float(Random random, bool single)
    {
        switch (random.Next(8))
        {
            case 0: return Pick(random, "'NaN'", "'Infinity'", "'-Infinity'", "'-0'");
            case 1: return single ? Pick(random, "16777216", "1.17549435e-38", "3.4028235e38", "1e-45") : Pick(random, "5e-324", "1.7976931348623157e308", "0.30000000000000004");
            default:
                double value = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30));
                return single ? ((float)value).ToString("R", CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture);
        }
    }

    private static readonly string[] Pieces = ["a", "Z", " ", "  ", "\t", "\n", "\r", "\\", "\"", "'", ",", "{", "}", "(", ")", "=>", "NULL", "é", "名", "😀", "\u0001", "\u007f", "$date", "\U0010FFFD"];

    private static string Text(Random random) => string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => Pieces[random.Next(Pieces.Length)]));

    private static string Json(Random random, bool spaced)
    {
        string space = spaced ? Pick(random, "", " ", "  ", "\n") : "";
        string value = random.Next(9) switch
        {
            0 => "null",
            1 => "{\"$json\": null}",
            2 => "{\"$date\": \"2024-01-01\"}",
            3 => $"[1, 2.50, {JsonString(random)}, null, [true]]",
            4 => $"{{\"a\":{space}1, \"a\": {JsonString(random)}}}",
            5 => "1e400",
            6 => JsonString(random),
            7 => "{}",
            _ => $"{{\"nested\": {{\"k\": [{JsonString(random)}]}}}}",
        };
        return space + value + space;
    }

    private static string JsonString(Random random) =>
        System.Text.Json.JsonSerializer.Serialize(Text(random).Replace("\u0000", "", StringComparison.Ordinal));

    /// <summary>An array literal of elements given as their text, with other lower bounds now and then
    /// (<c>[0:2]={...}</c>) and the element type's own delimiter (box has ';').</summary>
    private static string Array(Random random, string element, Func<Random, string> text, char delimiter = ',', bool bounds = true)
    {
        int count = random.Next(0, 4);
        var elements = Enumerable.Range(0, count).Select(_ => random.Next(5) == 0
            ? "NULL"
            : "\"" + text(random).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
        int lower = random.Next(-3, 4);
        string prefix = bounds && count > 0 && random.Next(3) == 0 ? $"[{lower}:{lower + count - 1}]=" : "";
        return Literal(prefix + "{" + string.Join(delimiter, elements) + "}") + "::" + element + "[]";
    }

    private static string Unquoted(string literal) => literal.StartsWith('\'') ? literal[1..^1].Replace("''", "'", StringComparison.Ordinal) : literal;

    private static byte[] RandomBytes(Random random, int? length = null)
    {
        var bytes = new byte[length ?? random.Next(0, 12)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
