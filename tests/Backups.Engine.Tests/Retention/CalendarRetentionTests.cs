using System.Globalization;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Retention;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Retention;

/// <summary>Calendar rules for automatic backups (keep the newest of each of the last N days, weeks, months, years and
/// everything within a time of the newest), beside the count limits, and never at the cost of a collection's last
/// copy.</summary>
public class CalendarRetentionTests
{
    private static readonly string[] All = ["a", "b"];

    [Fact]
    public void Fifteen_months_of_daily_backups_keep_the_days_the_weeks_the_months_and_the_years_asked_for()
    {
        // One automatic backup a day at 03:00 UTC, 2025-01-01 to 2026-03-31 (a Tuesday).
        var backups = Daily(new DateTime(2025, 1, 1, 3, 0, 0), new DateTime(2026, 3, 31, 3, 0, 0));
        var policy = new RetentionPolicy { MaxAutoBackups = 1, KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 3, KeepYearly = 2 };

        string[] kept = Kept(backups, policy);

        Assert.Equal(
        [
            "2025-12-31", // yearly: the newest of 2025
            "2026-01-31", "2026-02-28", // monthly, with March's newest (the 31st)
            "2026-03-15", "2026-03-22", // weekly: the Sundays that end the three weeks before this one
            "2026-03-25", "2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31", // daily
        ], kept);
    }

    [Fact]
    public void Days_without_a_backup_do_not_count_and_a_day_keeps_only_its_newest()
    {
        string[] times = ["2026-01-01T01:00", "2026-01-05T01:00", "2026-01-05T22:00", "2026-01-10T01:00", "2026-01-10T02:00"];
        var backups = times.Select(t => Auto(DateTime.Parse(t, CultureInfo.InvariantCulture))).ToList();
        var kept = Kept(backups, new RetentionPolicy { MaxAutoBackups = 1, KeepDaily = 2 }, "yyyy-MM-ddTHH:mm");
        Assert.Equal(["2026-01-05T22:00", "2026-01-10T02:00"], kept);
    }

    [Fact]
    public void Weeks_are_ISO_weeks_across_the_turn_of_the_year()
    {
        // Monday 2026-12-28 to Sunday 2027-01-03 is ISO week 53 of 2026; 2027-01-04 starts week 1: two weeks, so a
        // third is not there to keep.
        string[] days = ["2026-12-28", "2026-12-31", "2027-01-01", "2027-01-04"];
        var backups = days.Select(t => Auto(DateTime.Parse(t, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(["2027-01-01", "2027-01-04"], Kept(backups, new RetentionPolicy { MaxAutoBackups = 1, KeepWeekly = 3 }));
        // Calendar years are not ISO years: 2027-01-01 is the newest of 2027 only until 2027-01-04.
        Assert.Equal(["2026-12-31", "2027-01-04"], Kept(backups, new RetentionPolicy { MaxAutoBackups = 1, KeepYearly = 2 }));
    }

    [Fact]
    public void Days_are_UTC_days_whatever_offset_a_record_was_written_with()
    {
        // 23:30 at UTC-5 on the 1st is 04:30 UTC on the 2nd, the same day as the backup at 01:00 UTC on the 2nd.
        var late = Auto(new DateTimeOffset(2026, 3, 1, 23, 30, 0, TimeSpan.FromHours(-5)));
        var early = Auto(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));
        var first = Auto(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var expired = RetentionRules.Expired([first, early, late], "site", new RetentionPolicy { MaxAutoBackups = 1, KeepDaily = 2 });
        Assert.Equal([early.Id], expired.Select(b => b.Id));
    }

    [Fact]
    public void KeepWithin_keeps_what_is_less_than_that_before_the_newest_backup_not_before_now()
    {
        var backups = Daily(new DateTime(2026, 1, 1, 3, 0, 0), new DateTime(2026, 1, 10, 3, 0, 0));
        Assert.Equal(["2026-01-09", "2026-01-10"], Kept(backups, new RetentionPolicy { MaxAutoBackups = 1, KeepWithin = TimeSpan.FromDays(2) }));
        Assert.Equal(["2026-01-08", "2026-01-09", "2026-01-10"], Kept(backups, new RetentionPolicy { MaxAutoBackups = 1, KeepWithin = TimeSpan.FromDays(2.5) }));
    }

    [Fact]
    public void The_rules_add_up_with_the_count_limit_and_leave_on_demand_backups_to_theirs()
    {
        var backups = Daily(new DateTime(2026, 1, 1, 3, 0, 0), new DateTime(2026, 1, 20, 3, 0, 0));
        // The newest 5 by count, and the newest of each of the last 3 ISO weeks (Sundays the 11th and 18th, and the 20th).
        Assert.Equal(
            ["2026-01-11", "2026-01-16", "2026-01-17", "2026-01-18", "2026-01-19", "2026-01-20"],
            Kept(backups, new RetentionPolicy { MaxAutoBackups = 5, KeepWeekly = 3 }));

        var onDemand = backups.Select(b => b with { Id = "d" + b.Id, Type = BackupType.OnDemand }).ToList();
        var expired = RetentionRules.Expired(onDemand, "site", new RetentionPolicy { MaxOnDemandBackups = 2, KeepDaily = 30 });
        Assert.Equal(18, expired.Count);
    }

    [Fact]
    public void A_backup_no_rule_keeps_still_stays_while_it_holds_the_last_copy_of_a_collection()
    {
        var full = Auto(new DateTime(2026, 1, 1, 3, 0, 0));
        var partials = Daily(new DateTime(2026, 1, 2, 3, 0, 0), new DateTime(2026, 1, 9, 3, 0, 0), ["a"]);
        var expired = RetentionRules.Expired([full, .. partials], "site", new RetentionPolicy { MaxAutoBackups = 1, KeepDaily = 3 });
        Assert.Equal(["2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06"], expired.Select(Day));
    }

    /// <summary>Against a second reading of the rules written differently (group by period, newest periods first),
    /// on generated histories with several backups a day, gaps, and random rules.</summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Generated_histories_keep_what_a_grouping_of_the_same_rules_keeps(int seed)
    {
        var random = new Random(seed);
        for (int run = 0; run < 100; run++)
        {
            var at = new DateTime(2024, 1, 1).AddHours(random.Next(24 * 365));
            var backups = new List<BackupRecord>();
            for (int i = 0; i < 300; i++)
            {
                at = at.AddMinutes(random.Next(4) == 0 ? random.Next(60 * 24 * 40) : random.Next(1, 60 * 30));
                backups.Add(Auto(at));
            }
            var policy = new RetentionPolicy
            {
                MaxAutoBackups = random.Next(1, 4), KeepDaily = random.Next(0, 10), KeepWeekly = random.Next(0, 6),
                KeepMonthly = random.Next(0, 13), KeepYearly = random.Next(0, 3), KeepWithin = TimeSpan.FromHours(random.Next(0, 100)),
            };

            var expected = Grouped(backups, policy);
            var expired = RetentionRules.Expired(backups, "site", policy).Select(b => b.Id).ToHashSet();
            var kept = backups.Where(b => !expired.Contains(b.Id)).Select(b => b.Id).Order().ToList();
            Assert.True(expected.SequenceEqual(kept), $"seed {seed}, run {run}, policy {policy}: kept {kept.Count}, expected {expected.Count}");
        }
    }

    [Fact]
    public async Task Daily_automatic_backups_into_a_store_keep_a_week_of_days_and_a_month_of_weeks()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        var store = TestEngine.Store(folder);
        RetentionSettings.Update(store, new RetentionChange { AutoInterval = TimeSpan.FromDays(1), MaxAutoBackups = 1, KeepDaily = 7, KeepWeekly = 4 });
        // 2026-02-02 is a Monday; 42 days of backups at 02:00 UTC end on Sunday 2026-03-15.
        var clock = new ManualClock(new DateTimeOffset(2026, 2, 2, 2, 0, 0, TimeSpan.Zero));
        for (int day = 0; day < 42; day++)
        {
            await TestEngine.BackupAsync(site, store, BackupType.Auto, clock);
            clock.Advance(TimeSpan.FromDays(1));
        }

        var ready = BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Ready] });
        // Daily: the 9th to the 15th (a Sunday); weekly: the Sundays of the three weeks before.
        Assert.Equal(
            ["2026-02-22", "2026-03-01", "2026-03-08", "2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-14", "2026-03-15"],
            ready.Select(Day).Order());
        Assert.Equal(ready.Count, Directory.GetFiles(folder.Combine("store", "archives")).Length);
        Assert.Empty(RetentionSettings.WouldRemove(store, store.ReadRetention()));

        // Tighter rules name what they would remove from the store as it is, and remove nothing until the next backup,
        // which counts too: Monday the 16th starts a week, so the 8th and the 13th go as well.
        var tighter = new RetentionChange { KeepDaily = 3, KeepWeekly = 2 };
        Assert.Equal(["2026-02-22", "2026-03-01", "2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"],
            RetentionSettings.WouldRemove(store, tighter.ApplyTo(store.ReadRetention())).Select(Day));
        RetentionSettings.Update(store, tighter);
        Assert.Equal(10, BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Ready] }).Count);
        await TestEngine.BackupAsync(site, store, BackupType.Auto, clock);
        Assert.Equal(["2026-03-14", "2026-03-15", "2026-03-16"],
            BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Ready] }).Select(Day).Order());
    }

    private static string[] Kept(List<BackupRecord> backups, RetentionPolicy policy, string format = "yyyy-MM-dd")
    {
        var expired = RetentionRules.Expired(backups, "site", policy).Select(b => b.Id).ToHashSet();
        return backups.Where(b => !expired.Contains(b.Id)).Select(b => b.RequestedDate.UtcDateTime.ToString(format, CultureInfo.InvariantCulture)).Order().ToArray();
    }

    private static List<string> Grouped(List<BackupRecord> backups, RetentionPolicy policy)
    {
        var kept = new HashSet<string>();
        void Rule(int n, Func<DateTime, string> period)
        {
            foreach (var group in backups.GroupBy(b => period(b.RequestedDate.UtcDateTime)).OrderByDescending(g => g.Max(b => b.RequestedDate)).Take(n))
                kept.Add(group.MaxBy(b => b.RequestedDate)!.Id);
        }
        Rule(policy.MaxAutoBackups, t => t.Ticks.ToString(CultureInfo.InvariantCulture));
        Rule(policy.KeepDaily, t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Rule(policy.KeepWeekly, t => $"{ISOWeek.GetYear(t)}-W{ISOWeek.GetWeekOfYear(t)}");
        Rule(policy.KeepMonthly, t => t.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        Rule(policy.KeepYearly, t => t.Year.ToString(CultureInfo.InvariantCulture));
        var newest = backups.Max(b => b.RequestedDate);
        foreach (var b in backups.Where(b => b.RequestedDate > newest - policy.KeepWithin)) kept.Add(b.Id);
        return kept.Order().ToList();
    }

    private static List<BackupRecord> Daily(DateTime first, DateTime last, string[]? collections = null)
    {
        var backups = new List<BackupRecord>();
        for (var at = first; at <= last; at = at.AddDays(1)) backups.Add(Auto(at, collections));
        return backups;
    }

    private static BackupRecord Auto(DateTime utc, string[]? collections = null) =>
        Auto(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), collections);

    private static BackupRecord Auto(DateTimeOffset at, string[]? collections = null) => new()
    {
        Id = at.UtcDateTime.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture), SiteId = "site", Type = BackupType.Auto,
        Status = BackupStatus.Ready, RequestedDate = at,
        Collections = (collections ?? All).Select(c => new BackupCollection { Id = c, DisplayName = c, ItemCount = 1 }).ToList(),
    };

    private static string Day(BackupRecord backup) => backup.RequestedDate.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
