using System.Net;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>A real site of one kind for the source contract tests: made, changed and read back with the kind's own
/// client (the sqlite3 shell, psql), never through SiteBackup.</summary>
public interface ISiteFixture : IAsyncDisposable
{
    /// <summary>The site string SiteBackup is given.</summary>
    string Site { get; }

    NetworkCredential? Credential { get; }

    /// <summary>Makes people (5 rows, a binary and a float column), orders (3 rows, a foreign key to people) and
    /// empty (no rows).</summary>
    Task CreateSampleAsync();

    /// <summary>Makes people_copy with the columns of people.</summary>
    Task CreatePeopleCopyAsync();

    /// <summary>Runs SQL that both kinds understand.</summary>
    Task ExecuteAsync(string sql);

    Task<long> ScalarAsync(string sql);

    /// <summary>Every row of every table as the kind's own client prints it, in key order.</summary>
    Task<string> DumpAsync();

    /// <summary>As <see cref="DumpAsync"/> from another connection while a restore is open, or null when the kind
    /// makes that reader wait for the restore's commit (PostgreSQL's TRUNCATE) rather than show it the old rows.</summary>
    Task<string?> DumpWithoutWaitingAsync();
}
