using System.Management.Automation;
using SiteBackup.Engine.Operations;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Test-SiteBackup: verifies backups without restoring them.</summary>
[Cmdlet(VerbsDiagnostic.Test, "SiteBackup", DefaultParameterSetName = ByInputObject)]
[OutputType(typeof(VerificationResult), typeof(bool))]
public sealed class TestSiteBackupCommand : BackupTargetCommand
{
    /// <summary>Emits only whether each backup is valid, as Test-Path does.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        var (store, backup) = ResolveBackup();
        var result = RunEngine((progress, cancel) => Task.Run(() => VerifyOperation.Run(store, backup, progress, cancel), cancel));
        foreach (var problem in result.Problems)
            WriteVerbose($"Backup {backup.Id}{(problem.Collection is null ? "" : $", collection '{problem.Collection}'")}: {problem.Message}");
        WriteObject(Quiet ? result.IsValid : result);
    });
}
