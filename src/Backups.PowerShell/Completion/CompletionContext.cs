using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;

namespace SiteBackup.PowerShell.Completion;

/// <summary>What the completers share: the store and site the command line names so far, resolved as the cmdlet
/// would resolve them (with its -Credential and -StoreCredential), a time limit on whatever reaches a site or a
/// store, and turning names into completion results. Completion must never throw and never hold the prompt:
/// anything that fails or takes longer than <see cref="TimeLimit"/> yields no results, and pwsh falls back to its
/// own completion.</summary>
internal static class CompletionContext
{
    /// <summary>Longer than listing a local store or site ever takes; short enough that a server that does not
    /// answer costs a moment at the prompt, not its connection timeout.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>Runs <paramref name="work"/> (which reaches a site or store) for at most <see cref="TimeLimit"/>;
    /// past it, or when it fails, the answer is <paramref name="fallback"/> and the work is told to stop.</summary>
    public static T WithinTimeLimit<T>(Func<CancellationToken, T> work, T fallback)
    {
        var cancel = new CancellationTokenSource(TimeLimit);
        var task = Task.Run(() => work(cancel.Token), cancel.Token);
        // Disposed when the work ends, which may be after the prompt has moved on.
        task.ContinueWith(_ => cancel.Dispose(), TaskScheduler.Default);
        try
        {
            return task.Wait(TimeLimit) ? task.Result : fallback;
        }
        catch (AggregateException)
        {
            return fallback;
        }
    }

    /// <summary>Opens the store the command line names (or the default store), or null when it does not exist. Call
    /// inside <see cref="WithinTimeLimit"/>: a remote store's existence is a request.</summary>
    public static IBackupStore? OpenStore(StoreArgument store)
    {
        var opened = StoreKinds.Open(store.Location, mustExist: false, new StoreAccess { Credential = store.Credential, SignInWithEntraId = false });
        return opened.Exists ? opened : null;
    }

    /// <summary>The -Store and -StoreCredential of the command line, resolved here, on the prompt's thread (a
    /// path resolves against the runspace's current location).</summary>
    public static StoreArgument Store(IDictionary bound)
    {
        string? store = bound["Store"] as string;
        string? resolved = string.IsNullOrWhiteSpace(store) ? null : StoreKinds.IsLocal(store) ? ResolvePath(store) : store;
        return new StoreArgument(resolved, Credential(bound, "StoreCredential"));
    }

    /// <summary>The site named by -Site, with a file path resolved against the current location.</summary>
    public static string? Site(IDictionary bound)
    {
        if (bound["Site"] is not string site || string.IsNullOrWhiteSpace(site)) return null;
        string? path = SiteKinds.LocalPath(site);
        return path is null ? site : ResolvePath(path);
    }

    /// <summary>A credential given on the command line (as a variable, say), or null.</summary>
    public static NetworkCredential? Credential(IDictionary bound, string name)
    {
        object? value = bound[name] is PSObject wrapped ? wrapped.BaseObject : bound[name];
        return (value as PSCredential)?.GetNetworkCredential();
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

/// <summary>A store named on the command line: its resolved location (null for the default store) and account.</summary>
internal sealed record StoreArgument(string? Location, NetworkCredential? Credential);
