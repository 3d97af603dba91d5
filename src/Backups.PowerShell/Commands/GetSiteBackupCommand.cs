using System.Management.Automation;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.PowerShell.Completion;
using SiteBackup.PowerShell.Internal;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Get-SiteBackup: lists backups, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "SiteBackup")]
[OutputType(typeof(BackupRecord))]
public sealed class GetSiteBackupCommand : SiteBackupCommand
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias(SiteAliases.SiteId, SiteAliases.FullName, SiteAliases.Path, SiteAliases.PSPath)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SiteCompleter))]
    public string? Site { get; set; }


    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    [Parameter]
    public BackupType[]? Type { get; set; }

    /// <summary>Deleted backups are listed only when asked for here (or by -Id).</summary>
    [Parameter]
    public BackupStatus[]? Status { get; set; }

    /// <summary>Only the newest this many; without -Status it counts Ready backups only, so that
    /// <c>-Last 1 | Restore-SiteBackup</c> restores the newest one that can be restored.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    private readonly NotFound _notFound = new();
    private bool _idGiven;

    protected override void BeginProcessing() => _idGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Id));

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        var store = OpenStore(Store, mustExist: true, Site);
        var found = BackupCatalog.List(store, new BackupQuery
        {
            SiteId = Site is null ? null : SiteKinds.GetSiteId(ResolveSite(Site)),
            Ids = Id ?? [],
            Types = Type ?? [],
            Statuses = Status ?? [],
            Last = Last,
        });
        WriteObject(found, enumerateCollection: true);
        // -Id from the command line is judged at the end, over every item; an Id that came with this item, now.
        var notFound = _idGiven ? _notFound : new NotFound();
        notFound.Seen(store.Location, found.Select(b => b.Id));
        if (!_idGiven) notFound.Report(this, Id, BackupError.BackupNotFound, "backup");
    });

    protected override void EndProcessing()
    {
        if (_idGiven) _notFound.Report(this, Id, BackupError.BackupNotFound, "backup");
    }
}
