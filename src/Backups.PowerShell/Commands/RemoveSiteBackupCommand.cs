using System.Management.Automation;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Remove-SiteBackup: deletes a backup's archive; its record stays, with status Deleted.</summary>
[Cmdlet(VerbsCommon.Remove, "SiteBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = ByInputObject)]
[OutputType(typeof(BackupRecord))]
public sealed class RemoveSiteBackupCommand : BackupTargetCommand
{
    /// <summary>Removes without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Emits the record of each removed backup.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachBackup((store, backup) =>
    {
        BackupCatalog.CheckRemovable(backup);
        string action = store is SiteBackup.Engine.Stores.IPlatformStore ? "Ask Wix to delete its backup" : "Remove the backup's archive";
        if (!ShouldProcess($"{backup.Id} ({backup.Type} backup of {backup.SiteId}, {Times.Show(backup.RequestedDate)})", action, Force))
            return;
        var removed = store is SiteBackup.Engine.Stores.IPlatformStore platform
            ? RunEngine((_, cancel) => PlatformOperation.RemoveAsync(platform, backup.Id, cancel))
            : BackupCatalog.Remove(store, backup.Id, SiteBackup.Engine.LockWait.Timeout, TimeProvider.System, Cancellation);
        if (PassThru) WriteObject(removed);
    });
}
