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

    /// <summary>A site with a few small tables: people (5 rows), orders (3 rows, a foreign key to people), empty.</summary>
    public static SqliteSite CreateSample(TempFolder folder, string name = "site.db") => Create(folder,
        """
        CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, photo BLOB);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, person INTEGER REFERENCES people(id) ON DELETE CASCADE, total REAL);
        CREATE TABLE empty (x TEXT);
        INSERT INTO people VALUES (1, 'Ada', 9.5, x'00ff'), (2, 'Brian', 7.0, NULL), (3, 'Chloé', NULL, NULL),
                                  (4, 'Dmitri', 1e300, NULL), (5, '名前', -0.25, x'');
        INSERT INTO orders VALUES (1, 1, 10.0), (2, 1, 20.5), (3, 2, 3.0);
        """, name);

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
