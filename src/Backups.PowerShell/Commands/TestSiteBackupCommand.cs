using System.Management.Automation;
using SiteBackup.Engine.Operations;
using SiteBackup.PowerShell.Internal;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Test-SiteBackup: verifies backups without restoring them.</summary>
[Cmdlet(VerbsDiagnostic.Test, "SiteBackup", DefaultParameterSetName = ByInputObject)]
[OutputType(typeof(VerificationResult), typeof(bool))]
public sealed class TestSiteBackupCommand : BackupTargetCommand
{
    private int _verified;
    private bool _failed;

    /// <summary>Emits one boolean for all the backups given: true when at least one Ready backup was verified and
    /// every Ready backup is valid. Backups that are not Ready have nothing to verify and do not count; one that
    /// cannot be found or read makes it false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>The passphrase or raw key of encrypted backups. Without it an encrypted backup is checked as far as
    /// it can be without the key and reported as not verified; with a key that is not its own, an
    /// EncryptionKeyMismatch error.</summary>
    [Parameter]
    [SecureStringOnly]
    public System.Security.SecureString? EncryptionKey { get; set; }

    protected override void ProcessRecord()
    {
        int expected = InputObject?.Length ?? 1;
        int done = 0;
        ForEachBackup((store, backup) =>
        {
            using var key = EncryptionKeys.From(EncryptionKey);
            var result = RunEngine((progress, cancel) => Task.Run(() => VerifyOperation.Run(store, backup, key, progress, cancel), cancel));
            foreach (var problem in result.Problems)
                WriteVerbose($"Backup {backup.Id}{(problem.Collection is null ? "" : $", collection '{problem.Collection}'")}: {problem.Message}");
            if (result.Verified)
            {
                _verified++;
                _failed |= result.IsValid != true;
            }
            if (!Quiet) WriteObject(result);
            done++;
        });
        _failed |= done < expected; // one could not be found or read
    }

    protected override void EndProcessing()
    {
        // One answer for the whole pipeline, so that `if (... | Test-SiteBackup -Quiet)` means what it says.
        if (Quiet) WriteObject(_verified > 0 && !_failed);
    }
}
