using System.Management.Automation;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.PowerShell.Completion;

namespace SiteBackup.PowerShell.Commands;

/// <summary>New-SiteBackup: backs up a site now.</summary>
[Cmdlet(VerbsCommon.New, "SiteBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BackupRecord))]
public sealed class NewSiteBackupCommand : SiteBackupCommand
{
    /// <summary>Binds by value (a string) and by property name: a record's Site, a file's FullName or PSPath
    /// (Get-Item, Get-ChildItem), a CSV row's Path.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias(SiteAliases.SiteId, SiteAliases.FullName, SiteAliases.Path, SiteAliases.PSPath)]
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
        var request = new BackupRequest
        {
            Site = OpenSite(Site),
            Store = OpenStore(Store, mustExist: false),
            Type = Type,
            Collections = Collection ?? [],
            ExcludeCollections = ExcludeCollection ?? [],
            Force = Force,
        };
        string action = $"Back up ({Type}) into the store '{request.Store.Location}'";
        if (WillReportOrAsk(ConfirmImpact.Medium, force: false))
        {
            // Checked as the run will check it, so that -WhatIf and the prompt name what a run would really take.
            var preview = RunEngine((_, cancel) => BackupOperation.PreviewAsync(request, cancel));
            if (preview.SkippedReason is not null)
            {
                WriteVerbose(preview.SkippedReason + " Use -Force to take one anyway.");
                return;
            }
            action = $"Back up ({Type}) {preview.Collections.Count} collection(s) ({Names(preview.Collections.Select(c => c.Id))}) into the store '{request.Store.Location}'"
                + (preview.WouldRemove.Count == 0 ? "" : "; retention would then remove " + Names(preview.WouldRemove.Select(b => $"the {b.Type} backup {b.Id} of {Times.Show(b.RequestedDate)}")));
        }
        if (!ShouldProcess(request.Site.SiteId, action)) return;

        var outcome = RunEngine((progress, warnings, cancel) => BackupOperation.RunAsync(request with { Warnings = warnings }, progress, cancel));
        if (outcome.Backup is null)
        {
            WriteVerbose(outcome.SkippedReason + " Use -Force to take one anyway.");
            return;
        }
        foreach (var removed in outcome.Removed)
            WriteVerbose($"Retention removed the {removed.Type} backup {removed.Id} of {Times.Show(removed.RequestedDate)}.");
        WriteObject(outcome.Backup);
    });
}
