using System.Net;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Sources.Wix;

namespace SiteBackup.Engine.Stores.WixPlatform;

/// <summary>
/// Wix's own backups of a site as a store: <c>-Store wix://&lt;site-id&gt;</c>, the same string as the site. The store is
/// named by its site because that is what it is: the backups the Wix Data Backups service keeps for that one site, on
/// the platform, with no archive outside it. The API key comes from -StoreCredential's password, -Credential's (the
/// site's, which is the same key), or WIX_API_KEY.
/// </summary>
internal sealed class WixPlatformStoreKind : IStoreKind
{
    public string Name => "Wix backups";

    public bool Recognises(string store) => WixSiteKind.TryParseSite(store, out _, out _);

    public bool IsLocal => false;

    public bool TakesSiteCredential => true;

    public IBackupStore Open(string store, StoreAccess access) => Open(store, access.Credential, WixOptions.FromEnvironment());

    internal static WixPlatformStore Open(string store, NetworkCredential? credential, WixOptions options)
    {
        if (!WixSiteKind.TryParseSite(store, out string wixSiteId, out string? problem) || problem is not null)
            throw new BackupException(BackupError.InvalidArgument, problem ?? "The Wix store string cannot be read.", "wix://…"); // never the string: it may hold a key
        string? key = !string.IsNullOrEmpty(credential?.Password) ? credential.Password : Environment.GetEnvironmentVariable(WixSiteKind.ApiKeyVariable);
        if (string.IsNullOrEmpty(key))
            throw new BackupException(BackupError.AuthenticationFailed,
                $"Wix's backups of a site need its API key: give it as -StoreCredential's (or -Credential's) password or in {WixSiteKind.ApiKeyVariable}.", $"wix://{wixSiteId}");
        return new WixPlatformStore(wixSiteId, key, options);
    }
}
