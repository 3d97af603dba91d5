using System.Management.Automation;
using SiteBackup.Engine.Errors;

namespace SiteBackup.PowerShell.Internal;

/// <summary>
/// The ids a Get- command was asked for, against what it found; each one missing is a non-terminating error, as
/// Get-Item reports each path it cannot find. Ids from the command line are judged once, over everything every
/// pipeline item found; ids that came with a pipeline item, with that item alone.
/// </summary>
internal sealed class NotFound
{
    private readonly HashSet<string> _found = new(StringComparer.OrdinalIgnoreCase);
    private string? _store;

    public void Seen(string store, IEnumerable<string> ids)
    {
        _store = store;
        _found.UnionWith(ids);
    }

    /// <param name="cmdlet">Where the errors go.</param>
    /// <param name="asked">The ids asked for.</param>
    /// <param name="error">The error id (BackupNotFound, RestorationNotFound).</param>
    /// <param name="what">"backup", "restoration".</param>
    public void Report(Cmdlet cmdlet, IEnumerable<string>? asked, BackupError error, string what)
    {
        if (_store is null) return; // no store was read: its own error has been said
        foreach (string id in asked ?? [])
        {
            if (!_found.Contains(id))
                cmdlet.WriteError(ErrorRecords.From(new BackupException(error, $"The store '{_store}' has no {what} '{id}' that matches the other filters.", id)));
        }
    }
}
