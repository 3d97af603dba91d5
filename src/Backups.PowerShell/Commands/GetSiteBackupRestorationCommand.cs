using System.Management.Automation;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.PowerShell.Completion;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Get-SiteBackupRestoration: lists restorations, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "SiteBackupRestoration", DefaultParameterSetName = BySite)]
[OutputType(typeof(RestorationRecord))]
public sealed class GetSiteBackupRestorationCommand : SiteBackupCommand
{
    private const string BySite = "BySite";
    private const string ByBackup = "ByBackup";

    /// <summary>Only restorations into this site. Not in the set a piped backup binds to: a backup's own site is
    /// not a filter on where it was restored.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = BySite)]
    [Alias(SiteAliases.SiteId, SiteAliases.FullName, SiteAliases.Path, SiteAliases.PSPath)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SiteCompleter))]
    public string? Site { get; set; }

    /// <summary>Only the restorations of this backup (piped from Get-SiteBackup), wherever they went.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByBackup)]
    [Alias("Backup")]
    public BackupRecord? InputObject { get; set; }

    /// <summary>Only these restorations.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>Only the restorations of these backups.</summary>
    [Parameter(ParameterSetName = BySite)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? BackupId { get; set; }

    [Parameter]
    public RestorationStatus[]? Status { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        var store = OpenStore(InputObject is not null && string.IsNullOrEmpty(Store) ? InputObject.Store : Store, mustExist: true);
        var found = BackupCatalog.ListRestorations(store, new RestorationQuery
        {
            SiteId = Site is null ? null : SiteKinds.GetSiteId(ResolveSite(Site)),
            Ids = Id ?? [],
            BackupIds = InputObject is null ? BackupId ?? [] : [InputObject.Id],
            Statuses = Status ?? [],
            Last = Last,
        });
        WriteObject(found, enumerateCollection: true);
        WriteNotFound(Id, found.Select(r => r.Id), BackupError.RestorationNotFound, $"The store '{store.Location}' has no restoration");
    });
}
