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
        AssertSame(before, SqliteJudge.Fingerprint(path), restoration);

        string rebuilt = Path.ChangeExtension(path, ".rebuilt.db");
        var rebuilding = await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, CreateMissing = true,
            Site = SiteKinds.Open(rebuilt, null, new SiteOpenOptions { MayNotExist = true }),
        });
        AssertSame(before, SqliteJudge.Fingerprint(rebuilt), rebuilding);
        if (rebuilding.Collections.All(c => c.NotKept.Count == 0)) Assert.Equal(dump, SqliteJudge.Dump(rebuilt));
    }

    /// <summary>
    /// The fingerprints are the same, but for the values the restoration names as not kept: in a table whose NotKept
    /// is not empty, a cell may differ only from text holding a NUL (the hex has a 00 byte) to an integer or a real,
    /// which is what this SQLite makes of such text in a numeric column (SqliteAffinity). At least one must differ
    /// then: a NotKept that names what did not change is wrong too.
    /// </summary>
    private static void AssertSame(string expected, string actual, RestorationRecord restoration)
    {
        var named = restoration.Collections.Where(c => c.NotKept.Count > 0).Select(c => c.Destination).ToHashSet(StringComparer.Ordinal);
        if (named.Count == 0)
        {
            Assert.Equal(expected, actual);
            return;
        }
        string[] wanted = expected.Split('\n'), got = actual.Split('\n');
        Assert.Equal(wanted.Length, got.Length);
        // A NUL character is one 00 byte in UTF-8 text and two in UTF-16 text (the settings name the encoding).
        int unit = wanted[Array.IndexOf(wanted, "-- settings") + 1].StartsWith("UTF-16", StringComparison.Ordinal) ? 4 : 2;
        string? section = null;
        int changed = 0;
        for (int i = 0; i < wanted.Length; i++)
        {
            if (wanted[i].StartsWith("-- ", StringComparison.Ordinal) && wanted[i].LastIndexOf(" (", StringComparison.Ordinal) is > 3 and var end)
                section = wanted[i][3..end];
            if (wanted[i] == got[i]) continue;
            Assert.True(section is not null && named.Contains(section), $"'{section}' changed and its NotKept is empty:\n{wanted[i]}\n{got[i]}");
            string[] before = wanted[i].Split('|'), after = got[i].Split('|');
            Assert.Equal(before.Length, after.Length);
            for (int c = 0; c < before.Length; c++)
            {
                if (before[c] == after[c]) continue;
                bool nul = before[c].StartsWith("text:", StringComparison.Ordinal)
                    && Enumerable.Range(0, (before[c].Length - 5) / unit).Any(b => before[c].AsSpan(5 + b * unit, unit).SequenceEqual(new string('0', unit)));
                Assert.True(nul && (after[c].StartsWith("integer:", StringComparison.Ordinal) || after[c].StartsWith("real:", StringComparison.Ordinal)),
                    $"in '{section}', {before[c]} became {after[c]}");
                changed++;
            }
        }
        Assert.True(changed > 0, "The restoration names values not kept, and none changed.");
    }

    private static string DeleteEverything(string path) =>
        string.Concat(SqliteJudge.Shell(path, ".mode list\nSELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\';\n")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => $"DELETE FROM \"{t.Replace("\"", "\"\"", StringComparison.Ordinal)}\";\n"));
}
