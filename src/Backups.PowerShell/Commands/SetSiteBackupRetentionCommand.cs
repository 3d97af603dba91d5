using System.Management.Automation;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;
using SiteBackup.PowerShell.Internal;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Set-SiteBackupRetention: changes the policy of a store (count limits, calendar rules, encryption, how long
/// records of removed backups stay). Settings not given stay as they are.</summary>
[Cmdlet(VerbsCommon.Set, "SiteBackupRetention", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RetentionPolicy))]
public sealed class SetSiteBackupRetentionCommand : SiteBackupCommand
{
    [Parameter]
    [ValidateRange(1, 10_000)]
    public int? MaxOnDemandBackups { get; set; }

    [Parameter]
    [ValidateRange(1, 10_000)]
    public int? MaxAutoBackups { get; set; }

    [Parameter]
    public TimeSpan? AutoInterval { get; set; }

    /// <summary>$true: every backup into the store must be encrypted (-EncryptionKey); $false lifts it.</summary>
    [Parameter]
    public bool? RequireEncryption { get; set; }

    /// <summary>How long the records of removed, failed and canceled backups are kept before they are pruned.</summary>
    [Parameter]
    public TimeSpan? DeletedRecordRetention { get; set; }

    /// <summary>Keep the newest automatic backup of each of the last N days that have one (0 turns the rule off).</summary>
    [Parameter]
    [ValidateRange(0, 100_000)]
    public int? KeepDaily { get; set; }

    /// <summary>The same for ISO weeks.</summary>
    [Parameter]
    [ValidateRange(0, 100_000)]
    public int? KeepWeekly { get; set; }

    /// <summary>The same for months.</summary>
    [Parameter]
    [ValidateRange(0, 100_000)]
    public int? KeepMonthly { get; set; }

    /// <summary>The same for years.</summary>
    [Parameter]
    [ValidateRange(0, 100_000)]
    public int? KeepYearly { get; set; }

    /// <summary>Keep every automatic backup taken less than this before the newest one (zero turns the rule off).</summary>
    [Parameter]
    public TimeSpan? KeepWithin { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        var store = OpenStore(Store, mustExist: false);
        if (store is SiteBackup.Engine.Stores.IPlatformStore)
        {
            // Refused before -WhatIf says what it would set: Wix keeps its backups by its own rules.
            WriteError(ErrorRecords.InvalidArgument($"'{store.Location}' is Wix's own backup service, which keeps its backups by its own rules (at most 3 on-demand ones, automatic ones every 7 days); its retention cannot be set.", store.Location));
            return;
        }
        var change = new RetentionChange
        {
            MaxOnDemandBackups = MaxOnDemandBackups, MaxAutoBackups = MaxAutoBackups, AutoInterval = AutoInterval,
            KeepDaily = KeepDaily, KeepWeekly = KeepWeekly, KeepMonthly = KeepMonthly, KeepYearly = KeepYearly, KeepWithin = KeepWithin,
            RequireEncryption = RequireEncryption, DeletedRecordRetention = DeletedRecordRetention,
        };
        var changes = change.Describe();
        if (changes.Count == 0)
        {
            WriteError(ErrorRecords.InvalidArgument("Give at least one of -MaxOnDemandBackups, -MaxAutoBackups, -AutoInterval, -KeepDaily, -KeepWeekly, -KeepMonthly, -KeepYearly, -KeepWithin, -RequireEncryption and -DeletedRecordRetention.", store.Location));
            return;
        }
        change.Check(store.Location);
        // What the new rules remove is read from the store as it is now, so that -WhatIf, the prompt and -Verbose name
        // the backups the next backup of each site will remove.
        var removes = RetentionSettings.WouldRemove(store, change.ApplyTo(store.ReadRetention()));
        string action = "Set retention: " + string.Join(", ", changes) + (removes.Count == 0
            ? "; this removes no backup"
            : $"; from the next backup of each site on this removes {removes.Count} backup(s): " + Names(removes.Select(b => $"the {b.Type} backup {b.Id} of {b.SiteId} of {Times.Show(b.RequestedDate)}")));
        if (!ShouldProcess(store.Location, action)) return;
        var policy = RetentionSettings.Update(store, change, Cancellation);
        foreach (var backup in removes)
            WriteVerbose($"Under the new rules the next backup of {backup.SiteId} removes the {backup.Type} backup {backup.Id} of {Times.Show(backup.RequestedDate)}.");
        if (PassThru) WriteObject(policy);
    });
}
