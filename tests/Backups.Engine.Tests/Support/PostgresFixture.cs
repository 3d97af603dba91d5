using System.Diagnostics;
using System.Net;
using Npgsql;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// A fresh database on the test run's PostgreSQL server (build.ps1 starts one and names it in SITEBACKUP_TEST_PG,
/// with the password in SITEBACKUP_TEST_PG_PASSWORD), dropped afterwards. Read back with psql.
/// </summary>
public sealed class PostgresFixture : ISqlSiteFixture
{
    private readonly Uri _server;
    private readonly string _password;
    private readonly string _database = "t" + Guid.NewGuid().ToString("N")[..12];

    public PostgresFixture()
    {
        string server = Environment.GetEnvironmentVariable("SITEBACKUP_TEST_PG")
            ?? throw new InvalidOperationException("SITEBACKUP_TEST_PG is not set: run the tests through build.ps1 -Task Test, which starts PostgreSQL.");
        _server = new Uri(server);
        _password = Environment.GetEnvironmentVariable("SITEBACKUP_TEST_PG_PASSWORD") ?? "";
        using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        admin.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", admin);
        create.ExecuteNonQuery();
    }

    public string User => _server.UserInfo;
    public int Port => _server.Port;
    public string Site => $"postgresql://{User}@{_server.Host}:{_server.Port}/{_database}";
    public NetworkCredential? Credential => new(User, _password);
    public string Password => _password;
    public string Database => _database;

    public string ConnectionString(string? database = null) => new NpgsqlConnectionStringBuilder
    {
        Host = _server.Host, Port = _server.Port, Username = User, Password = _password, Database = database ?? _database, Pooling = false,
    }.ConnectionString;

    public Task CreateSampleAsync() => ExecuteAsync(
        """
        CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, score double precision, photo bytea);
        CREATE TABLE orders (id integer PRIMARY KEY, person integer REFERENCES people(id) ON DELETE CASCADE, total double precision);
        CREATE TABLE empty (x text);
        INSERT INTO people VALUES (1, 'Ada', 9.5, '\x00ff'), (2, 'Brian', 7.0, NULL), (3, 'Chloé', NULL, NULL),
                                  (4, 'Dmitri', 1e300, NULL), (5, '名前', -0.25, '\x');
        INSERT INTO orders VALUES (1, 1, 10.0), (2, 1, 20.5), (3, 2, 3.0);
        """);

    public Task CreatePeopleCopyAsync() => ExecuteAsync("CREATE TABLE people_copy (id integer PRIMARY KEY, name text NOT NULL, score double precision, photo bytea)");

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What psql prints for <paramref name="sql"/> (unaligned, tuples only).</summary>
    public string Psql(string sql)
    {
        var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-X", "-q", "-At", "-h", _server.Host, "-p", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", User, "-d", _database, "-c", sql })
            start.ArgumentList.Add(arg);
        start.Environment["PGPASSWORD"] = _password;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"psql failed: {error}");
        return output;
    }

    public Task<string> DumpAsync()
    {
        var tables = Psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Task.FromResult(string.Join("\n", tables.Select(t => $"-- {t}\n" + Psql($"SELECT * FROM \"{t}\" ORDER BY 1"))));
    }

    public Task<string?> DumpWithoutWaitingAsync()
    {
        try
        {
            var tables = Psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return Task.FromResult<string?>(string.Join("\n", tables.Select(t => $"-- {t}\n" + Psql($"SET lock_timeout = '300ms'; SELECT * FROM \"{t}\" ORDER BY 1"))));
        }
        catch (InvalidOperationException e) when (e.Message.Contains("lock timeout", StringComparison.Ordinal))
        {
            return Task.FromResult<string?>(null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
