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

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    public BackupRecord? InputObject { get; set; }

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

    /// <summary>The backup this pipeline item names, read afresh from its store (its status may have changed
    /// since the record was listed). Throws BackupNotFound.</summary>
    protected (IBackupStore Store, BackupRecord Backup) ResolveBackup()
    {
        RefuseInputWithId();
        var store = OpenStore(InputObject is not null && string.IsNullOrEmpty(Store) ? InputObject.Store : Store, mustExist: true);
        return (store, BackupCatalog.Get(store, InputObject?.Id ?? Id));
    }
}
