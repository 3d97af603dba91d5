namespace SiteBackup.Engine.Sources;

/// <summary>Helpers for reading site strings.</summary>
internal static class SiteStrings
{
    /// <summary>The URI scheme of <paramref name="site"/> ("postgresql", "wix"), or null for a plain path.
    /// A one-letter scheme is a Windows drive ("C:\..."), not a scheme.</summary>
    public static string? Scheme(string site)
    {
        int colon = site.IndexOf(':');
        if (colon <= 1) return null;
        var scheme = site.AsSpan(0, colon);
        foreach (char c in scheme)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return null;
        }
        return char.IsAsciiLetter(scheme[0]) ? scheme.ToString().ToLowerInvariant() : null;
    }

    /// <summary>The site string cut before anything that could be a secret (a URI's user info or query).</summary>
    public static string Describe(string site)
    {
        if (Uri.TryCreate(site, UriKind.Absolute, out var uri) && !uri.IsFile && uri.UserInfo.Length > 0)
            return $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? "" : ":" + uri.Port)}{uri.AbsolutePath}";
        int query = site.IndexOf('?');
        return query >= 0 ? site[..query] : site;
    }
}
