using System.Management.Automation;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.PowerShell.Completion;

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

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        var store = OpenStore(Store, mustExist: true);
        var found = BackupCatalog.List(store, new BackupQuery
        {
            SiteId = Site is null ? null : SiteKinds.GetSiteId(ResolveSite(Site)),
            Ids = Id ?? [],
            Types = Type ?? [],
            Statuses = Status ?? [],
            Last = Last,
        });
        WriteObject(found, enumerateCollection: true);
        WriteNotFound(Id, found.Select(b => b.Id), BackupError.BackupNotFound, $"The store '{store.Location}' has no backup");
    });
}
