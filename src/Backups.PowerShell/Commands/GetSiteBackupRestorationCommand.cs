using System.Management.Automation;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.PowerShell.Completion;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Get-SiteBackupRestoration: lists restorations, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "SiteBackupRestoration")]
[OutputType(typeof(RestorationRecord))]
public sealed class GetSiteBackupRestorationCommand : SiteBackupCommand
{
    /// <summary>Only restorations into this site.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SiteId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SiteCompleter))]
    public string? Site { get; set; }

    [Parameter]
    public RestorationStatus[]? Status { get; set; }

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        var store = OpenStore(Store, mustExist: true);
        string? siteId = Site is null ? null : SiteKinds.GetSiteId(ResolveSite(Site));
        WriteObject(BackupCatalog.ListRestorations(store, siteId, Status), enumerateCollection: true);
    });
}
