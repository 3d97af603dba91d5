using System.Management.Automation;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.PowerShell.Completion;

namespace SiteBackup.PowerShell.Commands;

/// <summary>New-SiteBackup: backs up a site now.</summary>
[Cmdlet(VerbsCommon.New, "SiteBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BackupRecord))]
public sealed class NewSiteBackupCommand : SiteBackupCommand
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SiteId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SiteCompleter))]
    public string Site { get; set; } = "";


    [Parameter]
    public BackupType Type { get; set; } = BackupType.OnDemand;

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CollectionCompleter))]
    public string[]? Collection { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CollectionCompleter))]
    public string[]? ExcludeCollection { get; set; }


    /// <summary>Takes an automatic backup even when none is due.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        string siteId = SiteKinds.GetSiteId(ResolveSite(Site));
        var store = OpenStore(Store, mustExist: false);
        if (!ShouldProcess(siteId, $"Back up ({Type}) into the store '{store.Location}'")) return;

        var site = OpenSite(Site);
        var outcome = RunEngine((progress, cancel) => BackupOperation.RunAsync(new BackupRequest
        {
            Site = site,
            Store = store,
            Type = Type,
            Collections = Collection ?? [],
            ExcludeCollections = ExcludeCollection ?? [],
            Force = Force,
        }, progress, cancel));

        if (outcome.Backup is null)
        {
            WriteVerbose(outcome.SkippedReason + " Use -Force to take one anyway.");
            return;
        }
        foreach (var removed in outcome.Removed)
            WriteVerbose($"Retention removed the {removed.Type} backup {removed.Id} of {removed.RequestedDate:u}.");
        WriteObject(outcome.Backup);
    });
}
