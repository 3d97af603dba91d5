using System.Net;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>A real site of one kind for the source contract tests: made, changed and read back with the kind's own
/// client (the sqlite3 shell, psql, the Wix stand-in's data), never through SiteBackup.</summary>
public interface ISiteFixture : IAsyncDisposable
{
    /// <summary>The site string SiteBackup is given.</summary>
    string Site { get; }

    NetworkCredential? Credential { get; }

    /// <summary>The site as SiteBackup opens it (a fixture whose site needs other client settings hands them in here).</summary>
    ISiteSource Open() => SiteKinds.Open(Site, Credential);

    /// <summary>Makes people (5 items), orders (3 items, each naming a person) and empty (no items).</summary>
    Task CreateSampleAsync();

    /// <summary>Makes an empty people_copy that takes what people holds.</summary>
    Task CreatePeopleCopyAsync();

    /// <summary>Empties orders and renames every person 'changed'.</summary>
    Task ChangeAsync();

    Task DeleteAllAsync(string collection);

    Task AddPersonAsync(int id, string name);

    Task<long> CountAsync(string collection);

    /// <summary>Removes the collection from the site.</summary>
    Task DropAsync(string collection);

    /// <summary>Every item of every collection as the kind's own client prints it, in key order.</summary>
    Task<string> DumpAsync();
}

/// <summary>A site with SQL and transactions (SQLite, PostgreSQL).</summary>
public interface ISqlSiteFixture : ISiteFixture
{
    /// <summary>Runs SQL that both kinds understand.</summary>
    Task ExecuteAsync(string sql);

    Task<long> ScalarAsync(string sql);

    /// <summary>As <see cref="ISiteFixture.DumpAsync"/> from another connection while a restore is open, or null when
    /// the kind makes that reader wait for the restore's commit (PostgreSQL's TRUNCATE) rather than show it the old rows.</summary>
    Task<string?> DumpWithoutWaitingAsync();

    Task ISiteFixture.ChangeAsync() => ExecuteAsync("DELETE FROM orders; UPDATE people SET name = 'changed';");
    Task ISiteFixture.DeleteAllAsync(string collection) => ExecuteAsync($"DELETE FROM {collection}");
    Task ISiteFixture.AddPersonAsync(int id, string name) => ExecuteAsync($"INSERT INTO people (id, name) VALUES ({id}, '{name}')");
    Task<long> ISiteFixture.CountAsync(string collection) => ScalarAsync($"SELECT count(*) FROM {collection}");
    Task ISiteFixture.DropAsync(string collection) => ExecuteAsync($"DROP TABLE {collection}");
}
