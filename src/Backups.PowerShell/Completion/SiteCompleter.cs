using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using SiteBackup.Engine.Model;

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
            var sites = CompletionContext.WithinTimeLimit<IReadOnlyList<(string, string)>>(_ =>
                CompletionContext.OpenStore(store)?.ListBackups()
                    .GroupBy(b => b.SiteId, StringComparer.Ordinal)
                    .Select(g => (g.Key, $"{g.Count()} backups, the newest {Times.Show(g.Max(b => b.RequestedDate))}"))
                    .OrderBy(s => s.Key, StringComparer.Ordinal)
                    .ToList() ?? [], []);
            var found = CompletionContext.Matching(sites, wordToComplete).ToList();
            return found.Count > 0 ? found : null!;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null!;
        }
    }
}
