using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SiteBackup.PowerShell.Completion;

/// <summary>Completes -Site with the sites that have backups in the store on the command line (or the default
/// store). When none matches (a relative path being typed, say), it returns null, which hands the word to pwsh's
/// own path completion (an empty list would not).</summary>
public sealed class SiteCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var store = CompletionContext.Store(fakeBoundParameters);
            if (store is null) return null!;
            var sites = store.ListBackups()
                .GroupBy(b => b.SiteId, StringComparer.Ordinal)
                .Select(g => (g.Key, $"{g.Count()} backups, the newest {g.Max(b => b.RequestedDate).ToLocalTime():g}"))
                .OrderBy(s => s.Key, StringComparer.Ordinal);
            var found = CompletionContext.Matching(sites, wordToComplete).ToList();
            return found.Count > 0 ? found : null!;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null!;
        }
    }
}
