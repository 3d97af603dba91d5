using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Retention;

/// <summary>One change to a store's policy (Set-SiteBackupRetention): each setting given replaces the store's, each
/// left null stays as it is.</summary>
public sealed record RetentionChange
{
    public int? MaxOnDemandBackups { get; init; }
    public int? MaxAutoBackups { get; init; }
    public TimeSpan? AutoInterval { get; init; }
    public bool? RequireEncryption { get; init; }
    public TimeSpan? DeletedRecordRetention { get; init; }
    public int? KeepDaily { get; init; }
    public int? KeepWeekly { get; init; }
    public int? KeepMonthly { get; init; }
    public int? KeepYearly { get; init; }
    public TimeSpan? KeepWithin { get; init; }

    /// <summary>What the change does, a phrase per setting given, for -WhatIf and the prompt; empty when nothing is
    /// given.</summary>
    public IReadOnlyList<string> Describe()
    {
        var changes = new List<string>();
        if (MaxOnDemandBackups is { } onDemand) changes.Add($"keep {onDemand} on-demand backups");
        if (MaxAutoBackups is { } auto) changes.Add($"keep {auto} automatic backups");
        if (AutoInterval is { } interval) changes.Add($"take an automatic backup every {interval}");
        Calendar(KeepDaily, "day", changes);
        Calendar(KeepWeekly, "week", changes);
        Calendar(KeepMonthly, "month", changes);
        Calendar(KeepYearly, "year", changes);
        if (KeepWithin is { } within)
            changes.Add(within == TimeSpan.Zero ? "no longer keep every automatic backup within a time" : $"keep every automatic backup within {within} of the newest");
        if (RequireEncryption is { } require) changes.Add(require ? "require every backup to be encrypted" : "no longer require encryption");
        if (DeletedRecordRetention is { } keep) changes.Add($"keep the records of removed backups for {keep}");
        return changes;
    }

    private static void Calendar(int? periods, string period, List<string> changes)
    {
        if (periods is not { } n) return;
        changes.Add(n == 0 ? $"no longer keep automatic backups by {period}" : $"keep the newest automatic backup of each of the last {n} {period}s that have one");
    }

    /// <summary>Throws InvalidArgument for settings a store cannot keep; <see cref="RetentionSettings.Update"/> checks
    /// the same, and a caller that asks first (-WhatIf) calls this before asking.</summary>
    public void Check(string store)
    {
        if (MaxOnDemandBackups < 1 || MaxAutoBackups < 1)
            throw new BackupException(BackupError.InvalidArgument, "A store keeps at least one backup of each type.", store);
        if (AutoInterval <= TimeSpan.Zero)
            throw new BackupException(BackupError.InvalidArgument, $"The interval between automatic backups must be positive, not {AutoInterval}.", store);
        if (KeepDaily < 0 || KeepWeekly < 0 || KeepMonthly < 0 || KeepYearly < 0)
            throw new BackupException(BackupError.InvalidArgument, "A calendar rule keeps 0 (the rule off) or more backups.", store);
        if (KeepWithin < TimeSpan.Zero)
            throw new BackupException(BackupError.InvalidArgument, $"Automatic backups are kept within no time (the rule off) or longer, not {KeepWithin}.", store);
        if (DeletedRecordRetention < TimeSpan.Zero)
            throw new BackupException(BackupError.InvalidArgument, $"Records of removed backups are kept for no time or longer, not {DeletedRecordRetention}.", store);
    }

    public RetentionPolicy ApplyTo(RetentionPolicy current) => current with
    {
        MaxOnDemandBackups = MaxOnDemandBackups ?? current.MaxOnDemandBackups,
        MaxAutoBackups = MaxAutoBackups ?? current.MaxAutoBackups,
        AutoInterval = AutoInterval ?? current.AutoInterval,
        KeepDaily = KeepDaily ?? current.KeepDaily,
        KeepWeekly = KeepWeekly ?? current.KeepWeekly,
        KeepMonthly = KeepMonthly ?? current.KeepMonthly,
        KeepYearly = KeepYearly ?? current.KeepYearly,
        KeepWithin = KeepWithin ?? current.KeepWithin,
        RequireEncryption = RequireEncryption ?? current.RequireEncryption,
        DeletedRecordRetention = DeletedRecordRetention ?? current.DeletedRecordRetention,
    };
}
