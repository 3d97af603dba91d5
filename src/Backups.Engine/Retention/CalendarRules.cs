using System.Globalization;
using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Retention;

/// <summary>
/// Which automatic backups the calendar rules of a policy keep, as restic's <c>forget --keep-daily/-weekly/-monthly
/// /-yearly/-within</c> do. Walked newest first, each rule keeps the newest backup of each day (week, month, year)
/// that has one, until it has kept as many as it says; days without a backup do not count. KeepWithin keeps every
/// backup less than that long before the newest one (not before now, so a site that stopped being backed up keeps its
/// history). A backup stays when any rule keeps it.
/// </summary>
/// <remarks>Days, weeks and months are those of UTC: a store is shared by machines in several time zones (an Azure
/// runbook runs in UTC), and each of them must come to the same decision. Weeks are ISO 8601 weeks (Monday to Sunday,
/// numbered in the ISO year).</remarks>
internal static class CalendarRules
{
    public static bool Any(RetentionPolicy policy) =>
        policy.KeepDaily > 0 || policy.KeepWeekly > 0 || policy.KeepMonthly > 0 || policy.KeepYearly > 0 || policy.KeepWithin > TimeSpan.Zero;

    /// <summary>The ids the calendar rules keep of <paramref name="newestFirst"/> (one site's Ready automatic
    /// backups, newest first).</summary>
    public static HashSet<string> Kept(IReadOnlyList<BackupRecord> newestFirst, RetentionPolicy policy)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        if (newestFirst.Count == 0) return kept;
        KeepNewestOfEach(newestFirst, policy.KeepDaily, t => t.Year * 10_000 + t.Month * 100 + t.Day, kept);
        KeepNewestOfEach(newestFirst, policy.KeepWeekly, t => ISOWeek.GetYear(t) * 100 + ISOWeek.GetWeekOfYear(t), kept);
        KeepNewestOfEach(newestFirst, policy.KeepMonthly, t => t.Year * 100 + t.Month, kept);
        KeepNewestOfEach(newestFirst, policy.KeepYearly, t => t.Year, kept);
        if (policy.KeepWithin > TimeSpan.Zero)
        {
            var newest = newestFirst[0].RequestedDate;
            foreach (var backup in newestFirst.Where(b => newest - b.RequestedDate < policy.KeepWithin)) kept.Add(backup.Id);
        }
        return kept;
    }

    private static void KeepNewestOfEach(IReadOnlyList<BackupRecord> newestFirst, int periods, Func<DateTime, int> period, HashSet<string> kept)
    {
        int? last = null;
        foreach (var backup in newestFirst)
        {
            if (periods <= 0) return;
            int current = period(backup.RequestedDate.UtcDateTime);
            if (current == last) continue;
            kept.Add(backup.Id);
            last = current;
            periods--;
        }
    }
}
