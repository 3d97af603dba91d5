using System.Management.Automation;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Stores;
using SiteBackup.PowerShell.Completion;

namespace SiteBackup.PowerShell.Commands;

/// <summary>
/// The base of the cmdlets that act on existing backups (restore, remove, test): a backup comes either as a
/// record from the pipeline (which knows its store) or as -Id with -Store (or the default store).
/// </summary>
public abstract class BackupTargetCommand : SiteBackupCommand
{
    protected const string ByInputObject = "ByInputObject";
    protected const string ById = "ById";

    private bool _idGiven;

    /// <summary>One record or several (<c>-InputObject (Get-SiteBackup ...)</c>), as other cmdlets take them.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    public BackupRecord[]? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ById)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string Id { get; set; } = "";

    protected override void BeginProcessing() => _idGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Id));

    /// <summary>
    /// A record piped in while -Id names a backup on the command line would otherwise bind only its Store, and the
    /// -Id backup would be acted on in its place; PowerShell refuses input it cannot bind, and so does this.
    /// </summary>
    protected void RefuseInputWithId()
    {
        if (_idGiven && MyInvocation.ExpectingInput)
            ThrowTerminatingError(new ErrorRecord(
                new ParameterBindingException($"{MyInvocation.MyCommand.Name} takes a backup either from the pipeline or from -Id, not both: -Id names one on the command line, and pipeline input was given too."),
                "InputObjectNotBound", ErrorCategory.InvalidArgument, Id));
    }

    /// <summary>Runs <paramref name="work"/> for each backup this pipeline item names (the -Id, or each record),
    /// read afresh from its store (its status may have changed since it was listed), each one as its own item: a
    /// failure of one is a non-terminating error (BackupNotFound, say) and the others go on.</summary>
    protected void ForEachBackup(Action<IBackupStore, BackupRecord> work)
    {
        RefuseInputWithId();
        var named = InputObject is null
            ? [(Id, Store, (string?)null)]
            : InputObject.Select(r => (r.Id, string.IsNullOrEmpty(Store) ? (string?)r.Store : Store, (string?)r.SiteId)).ToList();
        foreach (var (id, store, site) in named)
        {
            ForEachItem(() =>
            {
                var opened = OpenStore(store, mustExist: true, site);
                work(opened, BackupCatalog.Get(opened, id));
            });
        }
    }
}
