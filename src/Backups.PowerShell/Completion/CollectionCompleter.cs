using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;

namespace SiteBackup.PowerShell.Completion;

/// <summary>
/// Completes collection names: from the backup named by -Id when there is one (Restore-SiteBackup restores the
/// backup's collections), else from the site named by -Site (New-SiteBackup backs up the site's collections),
/// opened with the command line's -Credential.
/// </summary>
public sealed class CollectionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var store = CompletionContext.Store(fakeBoundParameters);
            string? id = fakeBoundParameters["Id"] as string;
            string? site = CompletionContext.Site(fakeBoundParameters);
            var credential = CompletionContext.Credential(fakeBoundParameters, "Credential");
            var names = CompletionContext.WithinTimeLimit<IReadOnlyList<(string, string)>>(cancel =>
            {
                if (id is not null && CompletionContext.OpenStore(store)?.FindBackup(id) is { } backup)
                    return backup.Collections.Select(c => (CollectionSelection.Escape(c.Id), $"{c.ItemCount} item{(c.ItemCount == 1 ? "" : "s")} in backup {backup.Id}")).ToList();
                if (site is not null)
                    return SiteKinds.Open(site, credential).ListCollectionsAsync(cancel).GetAwaiter().GetResult()
                        .Select(c => (CollectionSelection.Escape(c.Id), c.DisplayName)).ToList();
                return [];
            }, []);
            return CompletionContext.Matching(names, wordToComplete).ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }
}
