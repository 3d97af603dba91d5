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

    /// <summary>
    /// The Ready backups of <paramref name="siteId"/> that retention removes, oldest first. Each type's limit counts
    /// its Ready backups newest first, whole and partial alike; an automatic backup past its limit is still kept when
    /// a calendar rule keeps it (<see cref="CalendarRules"/>). A backup past its limit is removed only when newer
    /// Ready backups of the site that stay (of either type) hold every one of its collections. Otherwise it stays,
    /// beyond the limit, until they do: the last copy of a collection is never removed, so a few backups of some
    /// collections never push out the only backup of the others. Only Ready backups count and can be removed: a
    /// failed backup never costs a good one.
    /// </summary>
    public static IReadOnlyList<BackupRecord> Expired(IEnumerable<BackupRecord> backups, string siteId, RetentionPolicy policy)
    {
        var ready = Newest(backups.Where(b => b.Status == BackupStatus.Ready && SameSite(b, siteId))).ToList();
        var overLimit = Over(ready, BackupType.OnDemand, policy.MaxOnDemandBackups)
            .Concat(OverAuto(ready, policy))
            .Select(b => b.Id)
            .ToHashSet(StringComparer.Ordinal);

        // Walked newest first, so that when a backup is looked at, every newer one is already known to stay or go.
        var heldByNewer = new HashSet<string>(StringComparer.Ordinal);
        var expired = new List<BackupRecord>();
        foreach (var backup in ready)
        {
            if (overLimit.Contains(backup.Id) && backup.Collections.All(c => heldByNewer.Contains(c.Id)))
            {
                expired.Add(backup);
                continue;
            }
            foreach (var collection in backup.Collections) heldByNewer.Add(collection.Id);
        }
        expired.Reverse();
        return expired;
    }

    private static IEnumerable<BackupRecord> Over(List<BackupRecord> newestFirst, BackupType type, int max) =>
        newestFirst.Where(b => b.Type == type).Skip(Math.Max(max, 1));

    /// <summary>Automatic backups kept neither by the count limit nor by a calendar rule: the rules add up, as
    /// restic's --keep-last and --keep-daily do.</summary>
    private static IEnumerable<BackupRecord> OverAuto(List<BackupRecord> newestFirst, RetentionPolicy policy)
    {
        var over = Over(newestFirst, BackupType.Auto, policy.MaxAutoBackups);
        if (!CalendarRules.Any(policy)) return over;
        var kept = CalendarRules.Kept(newestFirst.Where(b => b.Type == BackupType.Auto).ToList(), policy);
        return over.Where(b => !kept.Contains(b.Id));
    }

    private static IEnumerable<BackupRecord> Newest(IEnumerable<BackupRecord> backups) =>
        backups.OrderByDescending(b => b.RequestedDate).ThenByDescending(b => b.Id, StringComparer.Ordinal);

    private static bool SameSite(BackupRecord backup, string siteId) =>
        string.Equals(backup.SiteId, siteId, StringComparison.Ordinal);
}
