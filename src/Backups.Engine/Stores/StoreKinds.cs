using System.Net;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Stores.AzureBlob;
using SiteBackup.Engine.Stores.Folder;

namespace SiteBackup.Engine.Stores;

/// <summary>Every store kind the engine knows, in the order store strings are tried, and the default store.
/// Adding a kind is one line in <see cref="All"/>.</summary>
public static class StoreKinds
{
    private static readonly IStoreKind[] All =
    [
        new AzureBlobStoreKind(),
        new WixPlatform.WixPlatformStoreKind(),
        // Folders come last because they take any path.
        new FolderStoreKind(),
    ];

    /// <summary>The environment variable that names the default store.</summary>
    public const string StoreVariable = "SITEBACKUP_STORE";

    /// <summary>Opens a store, or the default store.</summary>
    /// <param name="store">A folder path, <c>azblob://container/prefix</c> or <c>wix://&lt;site-id&gt;</c> (Wix's own backups
    /// of the site); null or empty for the default store.</param>
    /// <param name="mustExist">When true, a store named explicitly that does not exist is StoreNotFound; the default
    /// store is never an error, it is simply empty until the first backup.</param>
    /// <param name="credential">For an Azure Blob store, the account (see <see cref="AzureBlobStoreKind"/>); a folder
    /// store needs none and ignores it.</param>
    public static IBackupStore Open(string? store, bool mustExist, NetworkCredential? credential = null) =>
        Open(store, mustExist, StoreAccess.With(credential));

    /// <summary>Opens a store, or the default store, with <paramref name="access"/> (a credential, a session's sign-in).</summary>
    public static IBackupStore Open(string? store, bool mustExist, StoreAccess access)
    {
        bool isDefault = string.IsNullOrWhiteSpace(store);
        string location = isDefault ? DefaultLocation() : store!;
        IBackupStore opened = Find(location).Open(location, access);
        if (mustExist && !isDefault && !opened.Exists)
            throw new BackupException(BackupError.StoreNotFound, $"The store '{opened.Location}' does not exist.", opened.Location);
        return opened;
    }

    /// <summary>True when <paramref name="store"/> names a local folder (to be resolved against the current
    /// location), false for a store URI.</summary>
    public static bool IsLocal(string store) => Find(store).IsLocal;

    /// <summary>True when <paramref name="store"/> takes the site's credential when no store credential is given.</summary>
    public static bool TakesSiteCredential(string store) => Find(store).TakesSiteCredential;

    private static IStoreKind Find(string store) => All.First(k => k.Recognises(store));

    /// <summary>
    /// $SITEBACKUP_STORE, else a per-user data folder: $XDG_DATA_HOME/SiteBackup (or ~/.local/share/SiteBackup) on
    /// Linux and macOS, %LOCALAPPDATA%\SiteBackup on Windows. macOS is given the XDG folder on purpose, as
    /// command-line tools there usually are, rather than ~/Library/Application Support.
    /// </summary>
    public static string DefaultLocation()
    {
        string? configured = Environment.GetEnvironmentVariable(StoreVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "SiteBackup");
        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        string data = Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "SiteBackup");
    }
}
