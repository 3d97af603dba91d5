using System.Diagnostics;
using System.Text;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// What a PostgreSQL database holds, as pg_dump (PostgreSQL's own tool, with its own pinned session settings, not
/// SiteBackup and not Npgsql) prints it: <c>pg_dump --schema-only</c> (so that a trigger left off, a key or its
/// comment lost shows), then <c>pg_dump --data-only</c> of every schema, each table's COPY rows sorted (a restore may
/// write rows in another physical order; their content must be the same), and the sequences' setval lines. Two
/// databases with equal fingerprints hold the same schema and the same content, value for value, as text.
/// </summary>
public static class PostgresJudge
{
    public static string Fingerprint(PostgresFixture site) => Dump(site, "--schema-only") + Dump(site, "--data-only");

    private static string Dump(PostgresFixture site, string part)
    {
        var start = new ProcessStartInfo("pg_dump") { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        foreach (string arg in new[] { part, "--no-owner", "--no-privileges", "-h", "127.0.0.1", "-p", site.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", site.User, "-d", site.Database })
            start.ArgumentList.Add(arg);
        start.Environment["PGPASSWORD"] = site.Password;
        // pg_dump pins most settings itself, but prints timestamptz in the session's time zone and bytea in its
        // bytea_output: fixed here, so that the settings a test gives the database do not reach the judge.
        start.Environment["PGOPTIONS"] = "-c TimeZone=UTC -c bytea_output=hex";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string dump = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pg_dump failed: {errors.Result}");
        return Normalise(dump);
    }

    /// <summary>Equal fingerprints, or a failure that shows the lines that differ.</summary>
    public static void AssertSame(string expected, string actual)
    {
        if (expected == actual) return;
        var before = expected.Split('\n');
        var after = actual.Split('\n');
        static string Short(string line) => line.Length > 400 ? line[..400] + "..." : line;
        var missing = before.Except(after).Take(20).Select(Short);
        var added = after.Except(before).Take(20).Select(Short);
        Assert.Fail($"pg_dump differs.\nonly before:\n{string.Join('\n', missing)}\nonly after:\n{string.Join('\n', added)}");
    }

    /// <summary>The dump with each COPY block's rows in sorted order, and without comments and blank lines.</summary>
    public static string Normalise(string dump)
    {
        var output = new StringBuilder();
        var rows = new List<string>();
        bool inCopy = false;
        foreach (string line in dump.Split('\n'))
        {
            if (inCopy)
            {
                if (line == "\\.")
                {
                    rows.Sort(StringComparer.Ordinal);
                    foreach (string row in rows) output.Append(row).Append('\n');
                    output.Append("\\.\n");
                    rows.Clear();
                    inCopy = false;
                }
                else rows.Add(line);
                continue;
            }
            // pg_dump fences its output with \restrict and \unrestrict lines that carry a new random key each run.
            if (line.Length == 0 || line.StartsWith("--", StringComparison.Ordinal) || line.StartsWith("\\restrict ", StringComparison.Ordinal) || line.StartsWith("\\unrestrict ", StringComparison.Ordinal)) continue;
            output.Append(line).Append('\n');
            inCopy = line.StartsWith("COPY ", StringComparison.Ordinal) && line.EndsWith("FROM stdin;", StringComparison.Ordinal);
        }
        return output.ToString();
    }
}
