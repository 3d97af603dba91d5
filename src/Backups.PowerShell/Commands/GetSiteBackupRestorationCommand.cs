using System.Management.Automation;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.PowerShell.Completion;
using SiteBackup.PowerShell.Internal;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Get-SiteBackupRestoration: lists restorations, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "SiteBackupRestoration", DefaultParameterSetName = BySite)]
[OutputType(typeof(RestorationRecord))]
public sealed class GetSiteBackupRestorationCommand : SiteBackupCommand
{
    private const string BySite = "BySite";
    private const string ByBackup = "ByBackup";

    private readonly NotFound _notFound = new();
    private bool _siteGiven;

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

    /// <summary>Only the restorations of these backups (with piped backups: of those too).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? BackupId { get; set; }

    [Parameter]
    public RestorationStatus[]? Status { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void BeginProcessing() => _siteGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Site));

    protected override void ProcessRecord()
    {
        if (_siteGiven && MyInvocation.ExpectingInput)
        {
            // The piped input could bind only its Store: the same site-wide list would come once per item.
            ThrowTerminatingError(new ErrorRecord(
                new ParameterBindingException("Get-SiteBackupRestoration takes backups from the pipeline or -Site, not both; to keep a backup's restorations into one site, pipe them on to Where-Object Site -eq ..."),
                "InputObjectNotBound", ErrorCategory.InvalidArgument, Site));
        }
        ForEachItem(() =>
        {
            var store = OpenStore(InputObject is not null && string.IsNullOrEmpty(Store) ? InputObject.Store : Store, mustExist: true);
            var found = BackupCatalog.ListRestorations(store, new RestorationQuery
            {
                SiteId = Site is null ? null : SiteKinds.GetSiteId(ResolveSite(Site)),
                Ids = Id ?? [],
                BackupIds = [.. BackupId ?? [], .. InputObject is null ? [] : new[] { InputObject.Id }],
                Statuses = Status ?? [],
                Last = Last,
            });
            WriteObject(found, enumerateCollection: true);
            _notFound.Seen(store.Location, found.Select(r => r.Id));
        });
    }

    // -Id comes from the command line only: one that no piped item found is an error once, at the end.
    protected override void EndProcessing() =>
        _notFound.Report(this, Id, BackupError.RestorationNotFound, "restoration");
}
