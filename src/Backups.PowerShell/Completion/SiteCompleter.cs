using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SiteBackup.PowerShell.Completion;

/// <summary>Completes -Site with the sites that have backups in the store on the command line (or the default
/// store). When none matches (a relative path being typed, say), pwsh's own path completion takes over.</summary>
public sealed class SiteCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var store = CompletionContext.Store(fakeBoundParameters);
            if (store is null) return [];
            var sites = store.ListBackups()
                .GroupBy(b => b.SiteId, StringComparer.Ordinal)
                .Select(g => (g.Key, $"{g.Count()} backups, the newest {g.Max(b => b.RequestedDate).ToLocalTime():g}"))
                .OrderBy(s => s.Key, StringComparer.Ordinal);
            return CompletionContext.Matching(sites, wordToComplete).ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }
}
