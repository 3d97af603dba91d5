using System.Management.Automation;
using SiteBackup.Engine.Retention;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Set-SiteBackupRetention: changes the retention limits of a store. Limits not given stay as they are.</summary>
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

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        var store = OpenStore(Store, mustExist: false);
        if (store is SiteBackup.Engine.Stores.IPlatformStore)
        {
            // Refused before -WhatIf says what it would set: Wix keeps its backups by its own rules.
            WriteError(Internal.ErrorRecords.InvalidArgument($"'{store.Location}' is Wix's own backup service, which keeps its backups by its own rules (at most 3 on-demand ones, automatic ones every 7 days); its retention cannot be set.", store.Location));
            return;
        }
        var changes = new List<string>();
        if (MaxOnDemandBackups is { } onDemand) changes.Add($"keep {onDemand} on-demand backups");
        if (MaxAutoBackups is { } auto) changes.Add($"keep {auto} automatic backups");
        if (AutoInterval is { } interval) changes.Add($"take an automatic backup every {interval}");
        if (RequireEncryption is { } require) changes.Add(require ? "require every backup to be encrypted" : "no longer require encryption");
        if (DeletedRecordRetention is { } keep) changes.Add($"keep the records of removed backups for {keep}");
        if (changes.Count == 0)
        {
            WriteError(Internal.ErrorRecords.InvalidArgument("Give at least one of -MaxOnDemandBackups, -MaxAutoBackups, -AutoInterval, -RequireEncryption and -DeletedRecordRetention.", store.Location));
            return;
        }
        RetentionSettings.Check(store.Location, MaxOnDemandBackups, MaxAutoBackups, AutoInterval, DeletedRecordRetention);
        if (!ShouldProcess(store.Location, "Set retention: " + string.Join(", ", changes))) return;
        var policy = RetentionSettings.Update(store, MaxOnDemandBackups, MaxAutoBackups, AutoInterval, RequireEncryption, DeletedRecordRetention, Cancellation);
        if (PassThru) WriteObject(policy);
    });
}
