using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using SiteBackup.Engine.Sources;

namespace SiteBackup.PowerShell.Completion;

/// <summary>
/// Completes collection names: from the backup named by -Id when there is one (Restore-SiteBackup restores the
/// backup's collections), else from the site named by -Site (New-SiteBackup backs up the site's collections).
/// </summary>
public sealed class CollectionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            IEnumerable<(string, string)> names = [];
            if (fakeBoundParameters["Id"] is string id && CompletionContext.Store(fakeBoundParameters)?.FindBackup(id) is { } backup)
            {
                names = backup.Collections.Select(c => (c.Id, $"{c.ItemCount} items in backup {backup.Id}"));
            }
            else if (CompletionContext.Site(fakeBoundParameters) is { } site)
            {
                names = SiteKinds.Open(site).ListCollectionsAsync(CancellationToken.None).GetAwaiter().GetResult()
                    .Select(c => (c.Id, c.DisplayName));
            }
            return CompletionContext.Matching(names, wordToComplete).ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }
}
