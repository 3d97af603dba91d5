using System.Collections.Concurrent;
using System.Management.Automation;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;
using SiteBackup.PowerShell.Internal;

namespace SiteBackup.PowerShell.Commands;

/// <summary>
/// What every SiteBackup cmdlet shares: resolving -Site and -Store against the current location, cancelling the
/// engine on Ctrl+C (StopProcessing), running engine work off the pipeline thread while its progress is written
/// on it, and turning engine errors into ErrorRecords with stable ids.
/// </summary>
public abstract class SiteBackupCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The store: a folder path, <c>azblob://container/prefix</c> or a container URL (Azure Blob Storage), or <c>wix://&lt;site-id&gt;</c> for Wix's own
    /// backups of that site; the default store when not given. A piped record brings its own.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrWhiteSpace]
    public string? Store { get; set; }

    /// <summary>The credential for the site (for PostgreSQL the user and password, for Wix the API key as the
    /// password). SQLite files need none.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The account of an Azure Blob store: its name as the user name and its key as the password, a SAS token
    /// as the password, or a whole connection string as the password. Without it: a SAS in the store URL,
    /// AZURE_STORAGE_CONNECTION_STRING for azblob://, or Entra ID for a store named by its URL.</summary>
    [Parameter]
    [Credential]
    public PSCredential? StoreCredential { get; set; }

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken Cancellation => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A site string with its file path (if it has one) resolved against the current location, so
    /// that relative paths and ~ mean what they mean at the prompt.</summary>
    protected string ResolveSite(string site)
    {
        // A PowerShell drive (Temp:, one made with New-PSDrive) makes a path, however much "Data:" looks like a scheme.
        string? path = IsFileSystemDrivePath(site) ? site : SiteKinds.LocalPath(site);
        return path is null ? site : ResolvePath(path);
    }

    private bool IsFileSystemDrivePath(string path)
    {
        int colon = path.IndexOf(':');
        if (colon < 2) return false;
        string name = path[..colon];
        return SessionState.Drive.GetAll().Any(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)
            && string.Equals(d.Provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A path resolved against the current location, ~ and drives included; one this session cannot
    /// resolve (a drive it does not have) is InvalidArgument.</summary>
    private string ResolvePath(string path)
    {
        try
        {
            return SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception e) when (e is SessionStateException or NotSupportedException or ArgumentException)
        {
            throw new BackupException(BackupError.InvalidArgument, $"'{path}' is not a path here: {e.Message}", path, e);
        }
    }

    /// <param name="site">The site string as given.</param>
    /// <param name="recordedUser">The user a backup of this very site was taken as, for a kind of site with users to
    /// fall back on (a piped record restored into its own site).</param>
    /// <param name="mayNotExist">A restore with -CreateMissing will create the site if it does not exist.</param>
    protected ISiteSource OpenSite(string site, string? recordedUser = null, bool mayNotExist = false) =>
        SiteKinds.Open(ResolveSite(site), Credential?.GetNetworkCredential(), new SiteOpenOptions { RecordedUser = recordedUser, MayNotExist = mayNotExist });

    /// <summary>Opens <paramref name="store"/> (a folder path is resolved against the current location), or the
    /// default store.</summary>
    /// <param name="store">The store string, or null for the default store.</param>
    /// <param name="mustExist">A store named here that does not exist is StoreNotFound.</param>
    /// <param name="site">The site the command acts on, when it has one (its -Site, or a piped record's): a store that
    /// is that very site's platform (Wix's own backups) takes -Credential, the site's key, when -StoreCredential is not
    /// given. Never another site's credential: a runbook that passes a database password to every command must not
    /// send it to Wix.</param>
    protected IBackupStore OpenStore(string? store, bool mustExist, string? site = null)
    {
        string? resolved = ResolveStore(store);
        bool ownSite = resolved is not null && site is not null && StoreKinds.TakesSiteCredential(resolved)
            && string.Equals(SiteKinds.GetSiteId(ResolveSite(site)), SiteKinds.GetSiteId(resolved), StringComparison.OrdinalIgnoreCase);
        return OpenStoreWith(resolved, mustExist, StoreCredential ?? (ownSite ? Credential : null));
    }

    /// <summary>Opens an already resolved store string (null: the default store) with <paramref name="credential"/>,
    /// and this session's Az sign-in for a store that signs in with Entra ID.</summary>
    protected IBackupStore OpenStoreWith(string? resolved, bool mustExist, PSCredential? credential)
    {
        return StoreKinds.Open(resolved, mustExist, new StoreAccess
        {
            Credential = credential?.GetNetworkCredential(),
            SessionToken = resource => AzSession.GetToken(this, resource),
        });
    }

    /// <summary>A store string with a folder path resolved against the current location; null for the default.</summary>
    protected string? ResolveStore(string? store) =>
        string.IsNullOrWhiteSpace(store) ? null
        : StoreKinds.IsLocal(store) ? ResolvePath(store)
        : store;

    protected T RunEngine<T>(Func<IProgress<BackupProgress>, CancellationToken, Task<T>> work) =>
        RunEngine((progress, _, cancel) => work(progress, cancel));

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and pumps its progress into Write-Progress and its warnings
    /// into Write-Warning here, on the pipeline thread, until it ends. Ctrl+C cancels it; the bars are closed
    /// whatever happens.
    /// </summary>
    protected T RunEngine<T>(Func<IProgress<BackupProgress>, IProgress<string>, CancellationToken, Task<T>> work)
    {
        using var queue = new BlockingCollection<object>();
        var progress = new QueueProgress<BackupProgress>(queue);
        var warnings = new QueueProgress<string>(queue);
        var bars = new ProgressWriter(this, parentId: 1);
        var task = Task.Run(() => work(progress, warnings, Cancellation), Cancellation);
        void Show(object report)
        {
            if (report is BackupProgress step) bars.Write(step);
            else WriteWarning((string)report);
        }
        try
        {
            while (!task.IsCompleted)
            {
                if (queue.TryTake(out var report, 100)) Show(report);
            }
            while (queue.TryTake(out var report)) Show(report);
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            bars.Complete();
        }
    }

    /// <summary>Runs one pipeline item's work; an engine error becomes a non-terminating error and the pipeline
    /// goes on with the next item, so -ErrorAction decides what happens.</summary>
    protected void ForEachItem(Action work)
    {
        try
        {
            work();
        }
        catch (BackupException e)
        {
            WriteError(ErrorRecords.From(e));
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Up to ten names for a message a person reads, and how many more.</summary>
    protected static string Names(IEnumerable<string> names)
    {
        var all = names.ToList();
        return string.Join(", ", all.Take(10)) + (all.Count > 10 ? $" and {all.Count - 10} more" : "");
    }

    /// <summary>
    /// ShouldProcess, with -Force skipping the confirmation prompt. -WhatIf still only reports, and an explicit
    /// -Confirm still asks, whatever -Force says.
    /// </summary>
    protected bool ShouldProcess(string target, string action, bool force)
    {
        bool confirmAsked = MyInvocation.BoundParameters.TryGetValue("Confirm", out object? confirm) && ((SwitchParameter)confirm).IsPresent;
        return force && !confirmAsked && !WhatIfActive() || ShouldProcess(target, action);
    }

    /// <summary>
    /// True when ShouldProcess will report (-WhatIf) or ask (-Confirm, or an impact at or above $ConfirmPreference,
    /// unless -Force or -Confirm:$false): only then is a preview of the run worth its round trips to the site and
    /// store, to name what the run would really do. The run checks the same things again before it starts.
    /// </summary>
    protected bool WillReportOrAsk(ConfirmImpact impact, bool force)
    {
        if (WhatIfActive()) return true;
        if (MyInvocation.BoundParameters.TryGetValue("Confirm", out object? confirm)) return ((SwitchParameter)confirm).IsPresent;
        if (force) return false;
        var preference = LanguagePrimitives.TryConvertTo(GetVariableValue("ConfirmPreference"), out ConfirmImpact set) ? set : ConfirmImpact.High;
        return preference != ConfirmImpact.None && impact >= preference;
    }

    private bool WhatIfActive() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
            ? ((SwitchParameter)whatIf).IsPresent
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>Engine progress and warnings land here from any thread and wait for the pipeline thread.</summary>
    private sealed class QueueProgress<T>(BlockingCollection<object> queue) : IProgress<T> where T : notnull
    {
        public void Report(T value)
        {
            if (!queue.IsAddingCompleted) queue.Add(value);
        }
    }
}
