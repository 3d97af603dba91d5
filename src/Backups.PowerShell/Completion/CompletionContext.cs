using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;

namespace SiteBackup.PowerShell.Completion;

/// <summary>What the completers share: the store and site the command line names so far, resolved as the cmdlet
/// would resolve them, and turning names into completion results. Completion must never throw: anything that
/// fails yields no results, and pwsh falls back to its own completion.</summary>
internal static class CompletionContext
{
    public static IBackupStore? Store(IDictionary bound)
    {
        try
        {
            string? store = bound["Store"] as string;
            string? resolved = string.IsNullOrWhiteSpace(store) ? null : StoreKinds.IsLocal(store) ? ResolvePath(store) : store;
            var credential = (bound["StoreCredential"] as System.Management.Automation.PSCredential)?.GetNetworkCredential();
            var opened = StoreKinds.Open(resolved, mustExist: false, credential);
            return opened.Exists ? opened : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>The site named by -Site, with a file path resolved against the current location.</summary>
    public static string? Site(IDictionary bound)
    {
        if (bound["Site"] is not string site || string.IsNullOrWhiteSpace(site)) return null;
        string? path = SiteKinds.LocalPath(site);
        return path is null ? site : ResolvePath(path);
    }

    public static IEnumerable<CompletionResult> Matching(IEnumerable<(string Value, string ToolTip)> candidates, string word)
    {
        var pattern = WildcardPattern.Get(word.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return candidates
            .Where(c => pattern.IsMatch(c.Value))
            .Select(c => new CompletionResult(Quote(c.Value), c.Value, CompletionResultType.ParameterValue, c.ToolTip));
    }

    private static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`' or ',' or ';' or '(' or ')' or '{' or '}' or '@' or '#' or '&' or '|')
            ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
            : value;

    /// <summary>Resolves a path as the cmdlet will (relative to the current location, ~ expanded), by asking the
    /// runspace the completion runs in.</summary>
    private static string ResolvePath(string path)
    {
        using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddScript("$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])").AddArgument(path);
        return ps.Invoke<string>().FirstOrDefault() ?? Path.GetFullPath(path);
    }
}
