using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// The round trip every SQLite fidelity test makes, judged by the sqlite3 shell (<see cref="SqliteJudge"/>): a backup,
/// a change, a restore in place that must give back exactly what sqlite3 saw before, and a rebuild from nothing into
/// a new file (-CreateMissing) whose fingerprint and <c>.dump</c> must be the original's.
/// </summary>
public static class SqliteRoundTrip
{
    /// <param name="folder">Where the store and the rebuilt file go.</param>
    /// <param name="path">The file, as sqlite3 made it.</param>
    /// <param name="change">SQL that changes it before the restore; null deletes every row of every table.</param>
    public static async Task RunAsync(TempFolder folder, string path, string? change)
    {
        string before = SqliteJudge.Fingerprint(path);
        string dump = SqliteJudge.Dump(path);
        var store = TestEngine.Store(folder);
        var backup = (await BackupOperation.RunAsync(new BackupRequest { Site = SiteKinds.Open(path), Store = store })).Backup!;
        Assert.Empty(backup.Omissions);
        Assert.True(VerifyOperation.Run(store, backup).IsValid);

        SqliteJudge.Shell(path, change ?? DeleteEverything(path));
        Assert.NotEqual(before, SqliteJudge.Fingerprint(path));
        var restoration = await RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = SiteKinds.Open(path) });
        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(before, SqliteJudge.Fingerprint(path));

        string rebuilt = Path.ChangeExtension(path, ".rebuilt.db");
        await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, CreateMissing = true,
            Site = SiteKinds.Open(rebuilt, null, new SiteOpenOptions { MayNotExist = true }),
        });
        Assert.Equal(before, SqliteJudge.Fingerprint(rebuilt));
        Assert.Equal(dump, SqliteJudge.Dump(rebuilt));
    }

    private static string DeleteEverything(string path) =>
        string.Concat(SqliteJudge.Shell(path, ".mode list\nSELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\';\n")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => $"DELETE FROM \"{t.Replace("\"", "\"\"", StringComparison.Ordinal)}\";\n"));
}
