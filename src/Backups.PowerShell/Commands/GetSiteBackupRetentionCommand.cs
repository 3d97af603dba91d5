using System.Management.Automation;
using SiteBackup.Engine.Retention;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Get-SiteBackupRetention: the retention limits of a store.</summary>
[Cmdlet(VerbsCommon.Get, "SiteBackupRetention")]
[OutputType(typeof(RetentionPolicy))]
public sealed class GetSiteBackupRetentionCommand : SiteBackupCommand
{
    protected override void ProcessRecord() => ForEachItem(() =>
        WriteObject(OpenStore(Store, mustExist: true).ReadRetention()));
}
