using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;

namespace SiteBackup.PowerShell.Completion;

/// <summary>Completes -Id with the backups of the store on the command line (or the default store): Ready ones
/// first, newest first, then the others; the tooltip says what each one is. On Get-SiteBackup, where -Site
/// filters, the ids are narrowed to that site; elsewhere -Site is where a backup goes, not where it came from.</summary>
public sealed class BackupIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var store = CompletionContext.Store(fakeBoundParameters);
            string? site = commandName.EndsWith("Get-SiteBackup", StringComparison.OrdinalIgnoreCase) ? CompletionContext.Site(fakeBoundParameters) : null;
            var backups = CompletionContext.WithinTimeLimit(_ =>
                CompletionContext.OpenStore(store) is { } opened
                    ? BackupCatalog.List(opened, new BackupQuery { SiteId = site is null ? null : SiteKinds.GetSiteId(site) })
                    : [], []);
            return CompletionContext.Matching(
                backups.OrderBy(b => b.Status == BackupStatus.Ready ? 0 : 1) // stable: newest first within each
                    .Select(b => (b.Id, $"{b.Type} {b.Status} {Times.Show(b.RequestedDate)} {b.SiteId}")),
                wordToComplete).ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }
}
