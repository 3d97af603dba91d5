using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// A writer keeps inserting into the site, each row in its own transaction, while a restore runs. Afterwards the
/// table must hold exactly the backup's rows plus the writer's rows committed after the restore's transaction: a
/// contiguous tail of the writer's sequence. Nothing the writer committed before is left, nothing after is lost.
/// </summary>
public class RestoreUnderLiveWritesTests
{
    private const long WriterBase = 1_000_000;

    [Theory]
    [InlineData("WAL")]
    [InlineData("DELETE")]
    public async Task The_table_holds_the_backup_plus_a_contiguous_tail_of_the_writers_commits(string journalMode)
    {
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder, $"PRAGMA journal_mode = {journalMode}; CREATE TABLE t (id INTEGER PRIMARY KEY, source TEXT, body TEXT);");
        site.Execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) INSERT INTO t SELECT i, 'backup', 'row ' || i || ' of the backup' FROM n;");
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        site.Execute("DELETE FROM t WHERE id % 2 = 0; UPDATE t SET body = 'changed';");

        using var stop = new CancellationTokenSource();
        long committed = 0;
        var writer = Task.Run(() =>
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = site.Path, Pooling = false, DefaultTimeout = 60 }.ConnectionString);
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO t VALUES ($id, 'writer', 'live')";
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            while (!stop.IsCancellationRequested)
            {
                id.Value = WriterBase + committed + 1;
                insert.ExecuteNonQuery(); // autocommit: one transaction per row, waiting out the restore's lock
                committed++;
                // A breath between writes, as any application has. A writer that never lets go of the write lock
                // starves every other writer, a restore included, until SITEBACKUP_LOCK_TIMEOUT runs out.
                Thread.Sleep(1);
            }
        });
        while (Interlocked.Read(ref committed) < 50) await Task.Delay(1);

        await TestEngine.RestoreAsync(site, store, backup.Id);
        long atCommit = Interlocked.Read(ref committed);
        while (Interlocked.Read(ref committed) < atCommit + 50) await Task.Delay(1);
        stop.Cancel();
        await writer;

        Assert.Equal(60000, site.Scalar("SELECT count(*) FROM t WHERE source = 'backup' AND body LIKE 'row % of the backup'"));
        Assert.Equal(0, site.Scalar("SELECT count(*) FROM t WHERE source = 'backup' AND body = 'changed'"));
        long first = site.Scalar($"SELECT min(id) FROM t WHERE source = 'writer'");
        long last = site.Scalar($"SELECT max(id) FROM t WHERE source = 'writer'");
        long rows = site.Scalar("SELECT count(*) FROM t WHERE source = 'writer'");
        Assert.Equal(WriterBase + committed, last);                 // nothing committed after the restore was lost
        Assert.Equal(last - first + 1, rows);                       // a contiguous tail: nothing in between
        Assert.True(first > WriterBase + 50, "rows committed before the restore must be gone");
    }
}
