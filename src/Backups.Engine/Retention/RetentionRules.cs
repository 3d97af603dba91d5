using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Retention;

/// <summary>The retention decisions, as pure functions of the records so that they are easy to test.</summary>
public static class RetentionRules
{
    /// <summary>
    /// An automatic backup is due when the site has no Ready automatic backup, or the newest one is at least the
    /// interval old. On-demand backups do not count.
    /// </summary>
    public static bool IsAutoDue(IEnumerable<BackupRecord> backups, string siteId, RetentionPolicy policy, DateTimeOffset now, out DateTimeOffset? newest)
    {
        newest = backups
            .Where(b => b.Type == BackupType.Auto && b.Status == BackupStatus.Ready && SameSite(b, siteId))
            .Select(b => (DateTimeOffset?)b.RequestedDate)
            .Max();
        return newest is null || now - newest.Value >= policy.AutoInterval;
    }

    /// <summary>The Ready backups of <paramref name="siteId"/> past the limits, oldest first. Only Ready backups count
    /// and can be removed: a failed backup never costs a good one.</summary>
    public static IReadOnlyList<BackupRecord> Expired(IEnumerable<BackupRecord> backups, string siteId, RetentionPolicy policy)
    {
        var ready = backups.Where(b => b.Status == BackupStatus.Ready && SameSite(b, siteId)).ToList();
        return Over(ready, BackupType.OnDemand, policy.MaxOnDemandBackups)
            .Concat(Over(ready, BackupType.Auto, policy.MaxAutoBackups))
            .ToList();
    }

    private static IEnumerable<BackupRecord> Over(List<BackupRecord> ready, BackupType type, int max) =>
        ready.Where(b => b.Type == type)
            .OrderByDescending(b => b.RequestedDate)
            .ThenByDescending(b => b.Id, StringComparer.Ordinal)
            .Skip(Math.Max(max, 1))
            .Reverse();

    private static bool SameSite(BackupRecord backup, string siteId) =>
        string.Equals(backup.SiteId, siteId, StringComparison.Ordinal);
}
