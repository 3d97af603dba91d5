using System.Net;

namespace SiteBackup.Engine.Tests.Support;

public sealed class SqliteFixture : ISqlSiteFixture
{
    private readonly TempFolder _folder = new();
    private readonly SqliteSite _site;

    public SqliteFixture() => _site = new SqliteSite(_folder.Combine("site.db"));

    public string Site => _site.Path;
    public NetworkCredential? Credential => null;

    /// <summary>In WAL mode, as SQLite sites written to while a backup runs should be (in rollback-journal mode the
    /// backup's read transaction makes writers wait).</summary>
    public Task CreateSampleAsync()
    {
        SqliteSite.CreateSample(_folder).Execute("PRAGMA journal_mode = WAL");
        return Task.CompletedTask;
    }

    public Task CreatePeopleCopyAsync() => ExecuteAsync("CREATE TABLE people_copy (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, photo BLOB)");

    public Task ExecuteAsync(string sql)
    {
        _site.Execute(sql);
        return Task.CompletedTask;
    }

    public Task<long> ScalarAsync(string sql) => Task.FromResult(_site.Scalar(sql));

    public Task<string> DumpAsync() => Task.FromResult(_site.DumpData());

    /// <summary>In WAL mode a reader never waits for a writer.</summary>
    public async Task<string?> DumpWithoutWaitingAsync() => await DumpAsync();

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
