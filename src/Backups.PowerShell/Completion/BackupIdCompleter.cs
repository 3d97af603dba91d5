using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;

namespace SiteBackup.PowerShell.Completion;

/// <summary>Completes -Id with the backups of the store on the command line (or the default store), newest
/// first; the tooltip says what each one is. On Get-SiteBackup, where -Site filters, the ids are narrowed to that
/// site; elsewhere -Site is where a backup goes, not where it came from.</summary>
public sealed class BackupIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var store = CompletionContext.Store(fakeBoundParameters);
            if (store is null) return [];
            string? site = commandName.EndsWith("Get-SiteBackup", StringComparison.OrdinalIgnoreCase) ? CompletionContext.Site(fakeBoundParameters) : null;
            var backups = BackupCatalog.List(store, new BackupQuery { SiteId = site is null ? null : SiteKinds.GetSiteId(site) });
            return CompletionContext.Matching(
                backups.Select(b => (b.Id, string.Create(CultureInfo.CurrentCulture, $"{b.Type} {b.Status} {b.RequestedDate.ToLocalTime():g} {b.SiteId}"))),
                wordToComplete).ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }
}
