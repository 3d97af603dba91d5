using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// The round trip every PostgreSQL fidelity test makes, judged by pg_dump (<see cref="PostgresJudge"/>): the
/// database as made, hostile database settings put in place (floats rounded, another DateStyle, IntervalStyle,
/// TimeZone, search_path and bytea_output), a backup of the public schema, a change, a restore, and the database
/// again, which must be as it was.
/// </summary>
public static class PostgresRoundTrip
{
    /// <summary>Settings a database or role may carry that change how values print and parse, and which names a
    /// bare name finds: none may change what a backup holds or a restore writes.</summary>
    private const string HostileSettings =
        """
        ALTER DATABASE {0} SET extra_float_digits = 0;
        ALTER DATABASE {0} SET DateStyle = 'SQL, DMY';
        ALTER DATABASE {0} SET IntervalStyle = 'sql_standard';
        ALTER DATABASE {0} SET TimeZone = 'Asia/Kathmandu';
        ALTER DATABASE {0} SET search_path = nowhere;
        ALTER DATABASE {0} SET bytea_output = 'escape';
        """;

    /// <summary>Every row of every table of the schema deleted, with triggers and keys out of the way (as a superuser
    /// may), so that the change itself adds nothing.</summary>
    private const string DeleteEverything =
        """
        DO $$
        DECLARE t regclass;
        BEGIN
          SET LOCAL session_replication_role = replica;
          FOR t IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' LOOP
            EXECUTE format('DELETE FROM ONLY %s', t);
          END LOOP;
        END $$;
        """;

    /// <param name="site">The database, as the test made it.</param>
    /// <param name="folder">Where the store goes.</param>
    /// <param name="change">SQL that changes it before the restore (run with search_path public); null deletes every
    /// row of every table.</param>
    public static async Task RunAsync(PostgresFixture site, TempFolder folder, string? change)
    {
        string before = PostgresJudge.Fingerprint(site);
        await site.ExecuteAsync(HostileSettings.Replace("{0}", site.Database, StringComparison.Ordinal));

        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        Assert.Equal(BackupStatus.Ready, backup.Status);
        Assert.True(VerifyOperation.Run(store, backup).IsValid);

        await site.ExecuteAsync("SET search_path = public;\n" + (change ?? DeleteEverything));
        Assert.NotEqual(before, PostgresJudge.Fingerprint(site));
        var restoration = await TestEngine.RestoreAsync(site, store, backup.Id);
        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        PostgresJudge.AssertSame(before, PostgresJudge.Fingerprint(site));
    }
}
