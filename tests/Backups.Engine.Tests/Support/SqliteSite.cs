using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>A real SQLite file for tests, with helpers that talk to it directly (not through the engine).</summary>
public sealed class SqliteSite
{
    public SqliteSite(string path) => Path = path;

    public string Path { get; }

    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ConnectionString;

    public static SqliteSite Create(TempFolder folder, string sql, string name = "site.db")
    {
        var site = new SqliteSite(folder.Combine(name));
        site.Execute(sql);
        return site;
    }

    /// <summary>The sample site both test suites share (tests/data/sample-site.sql): people (5 rows), orders (3 rows,
    /// a foreign key to people), empty.</summary>
    public static SqliteSite CreateSample(TempFolder folder, string name = "site.db") =>
        Create(folder, Data("sample-site.sql"), name);

    /// <summary>The site of one table of 20,000 rows both suites share (tests/data/large-site.sql), for <see cref="Damage"/>.</summary>
    public static SqliteSite CreateLarge(TempFolder folder, string name = "large.db") => Create(folder, Data("large-site.sql"), name);

    private static string Data(string name) => File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "data", name));

    /// <summary>Overwrites pages 31 to 33 (see tests/data/large-site.sql), as a failing disk or a copy cut short leaves them.</summary>
    public void Damage()
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Write);
        file.Seek(4096 * 30, SeekOrigin.Begin);
        file.Write(Enumerable.Repeat((byte)0xFF, 4096 * 3).ToArray());
    }

    public void Execute(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What the sqlite3 command-line shell prints for <paramref name="sql"/>: the site's own tool, so
    /// fidelity is judged outside SiteBackup and outside Microsoft.Data.Sqlite.</summary>
    public string Shell(string sql)
    {
        var start = new ProcessStartInfo("sqlite3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path);
        start.ArgumentList.Add(sql);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"sqlite3 failed: {error}");
        return output;
    }

    /// <summary>Every table's content as the sqlite3 shell dumps its rows (INSERT statements in rowid order).</summary>
    public string DumpData() => Shell(".dump --data-only");
}
