using System.Management.Automation;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Stores;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Copy-SiteBackup: copies Ready backups into another store (a second copy off site), checked there before
/// they list, keeping their ids and dates.</summary>
[Cmdlet(VerbsCommon.Copy, "SiteBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ByInputObject)]
[OutputType(typeof(BackupRecord))]
public sealed class CopySiteBackupCommand : BackupTargetCommand
{
    /// <summary>The store to copy into: a folder path, <c>azblob://container/prefix</c> or a container URL.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrWhiteSpace]
    public string Destination { get; set; } = "";

    /// <summary>The account of the destination store, as -StoreCredential is for the source.</summary>
    [Parameter]
    [Credential]
    public PSCredential? DestinationCredential { get; set; }

    private IBackupStore? _target;

    protected override void ProcessRecord() => ForEachBackup((store, backup) =>
    {
        _target ??= OpenStoreWith(ResolveStore(Destination), mustExist: false, DestinationCredential);
        var request = new CopyRequest { Source = store, Target = _target, BackupId = backup.Id };
        // Checked before ShouldProcess so that -WhatIf, the prompt and -Verbose name only what a run copies; the run
        // checks again under the destination's lock, where it counts.
        if (CopyOperation.Check(request, out var ready) is { } skipped)
        {
            WriteVerbose(skipped);
            return;
        }
        if (!ShouldProcess($"{ready.Id} ({ready.Type} backup of {ready.SiteId}, {Times.Show(ready.RequestedDate)})", $"Copy into the store '{_target.Location}'"))
            return;
        var outcome = RunEngine((progress, cancel) => CopyOperation.RunAsync(request, progress, cancel));
        if (outcome.Copy is null || outcome.SkippedReason is not null)
        {
            WriteVerbose(outcome.SkippedReason ?? "");
            return;
        }
        foreach (var removed in outcome.Removed)
            WriteVerbose($"Retention of '{_target.Location}' removed the {removed.Type} backup {removed.Id} of {Times.Show(removed.RequestedDate)}.");
        WriteObject(outcome.Copy);
    });
}
