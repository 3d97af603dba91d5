using System.Net;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// Wix sites: <c>wix://&lt;site-id&gt;</c>, the site's GUID, with <c>?apps=include</c> to back up the collections of
/// installed Wix apps too. By default a backup takes the site's own (NATIVE) collections only: app collections
/// (WIX_APP, BLOCKS_APP) belong to apps that keep writing them on their own terms, and EXTERNAL collections live in
/// another database that Wix only proxies, so they are never taken. A restore can write into any collection the site
/// has whose capabilities let it be emptied and written. The API key comes from -Credential's password or WIX_API_KEY, never from the site string. The site id is
/// <c>wix://&lt;site-id&gt;</c>.
/// </summary>
internal sealed class WixSiteKind : ISiteKind
{
    public const string ApiKeyVariable = "WIX_API_KEY";

    public string Name => "Wix";

    public string Syntax => "wix://<site-id>";

    public bool TryGetSiteId(string site, out string siteId)
    {
        siteId = "";
        if (!TryParse(site, out var parsed, out _)) return false;
        siteId = parsed.SiteId;
        return true;
    }

    public string? LocalPath(string site) => null;

    public ISiteSource Open(string site, NetworkCredential? credential, SiteOpenOptions options) =>
        Open(site, credential, WixOptions.FromEnvironment());

    /// <summary>Opens the site with <paramref name="options"/> instead of the environment's (tests hand their own in).</summary>
    internal static WixSource Open(string site, NetworkCredential? credential, WixOptions options)
    {
        if (!TryParse(site, out var parsed, out string? problem) || problem is not null)
            // Not the string itself: a key pasted where the site id goes would be in every error view.
            throw new BackupException(BackupError.InvalidArgument, problem ?? "The Wix site string cannot be read.", "wix://…");
        string? key = !string.IsNullOrEmpty(credential?.Password) ? credential.Password : Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrEmpty(key))
            throw new BackupException(BackupError.AuthenticationFailed,
                $"A Wix site needs an API key: give it as -Credential's password or in {ApiKeyVariable}.", parsed.SiteId);
        return new WixSource(parsed.SiteId, parsed.WixSiteId, key, parsed.IncludeApps, options);
    }

    /// <summary>A Wix site string's site id (the GUID), and what is wrong with it (null when nothing): for the store of
    /// the site's own backups, which takes the same string. False for a string of another kind.</summary>
    internal static bool TryParseSite(string site, out string wixSiteId, out string? problem)
    {
        bool wix = TryParse(site, out var parsed, out problem);
        wixSiteId = parsed.WixSiteId;
        return wix;
    }

    private sealed record Parsed(string SiteId, string WixSiteId, bool IncludeApps);

    private static bool TryParse(string site, out Parsed parsed, out string? problem)
    {
        parsed = new Parsed("", "", false);
        problem = null;
        if (SiteStrings.Scheme(site) != "wix") return false;
        string rest = site[(site.IndexOf(':') + 1)..].TrimStart('/');
        int query = rest.IndexOf('?');
        string id = (query >= 0 ? rest[..query] : rest).TrimEnd('/');
        string options = query >= 0 ? rest[(query + 1)..] : "";
        if (!Guid.TryParse(id, out var guid))
        {
            // Not echoed: whatever stands there (a key pasted by mistake, say) could be a secret.
            problem = "A Wix site string is wix://<site-id>, the site's id (a GUID); the API key goes in -Credential or " + ApiKeyVariable + ".";
            return true;
        }
        bool apps = false;
        foreach (string pair in options.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(pair, "apps=include", StringComparison.OrdinalIgnoreCase)) apps = true;
            else if (!string.Equals(pair, "apps=exclude", StringComparison.OrdinalIgnoreCase))
                problem = "A Wix site string takes one option: ?apps=include (or exclude, the default). The API key goes in -Credential or " + ApiKeyVariable + ".";
        }
        string wixSiteId = guid.ToString("D");
        parsed = new Parsed($"wix://{wixSiteId}", wixSiteId, apps);
        return true;
    }
}
