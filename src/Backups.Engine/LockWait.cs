using System.Globalization;

namespace SiteBackup.Engine;

/// <summary>
/// How long SiteBackup waits for a lock that another process holds: a store's lock, or a SQLite database that
/// another connection is writing. 30 seconds unless <c>SITEBACKUP_LOCK_TIMEOUT</c> gives a number of seconds
/// (a runbook that would rather fail fast, or a test). Past it, the error is StoreLocked or SiteUnreachable.
/// </summary>
public static class LockWait
{
    public const string Variable = "SITEBACKUP_LOCK_TIMEOUT";
    private static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static TimeSpan Timeout =>
        double.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : Default;
}
