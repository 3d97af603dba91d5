using System.Net;

namespace SiteBackup.Engine.Sources;

/// <summary>One kind of site: recognises its site strings and opens them.</summary>
public interface ISiteKind
{
    /// <summary>Short name shown to users ("SQLite").</summary>
    string Name { get; }

    /// <summary>If <paramref name="site"/> is of this kind, its normalised id (no secrets, no I/O).</summary>
    bool TryGetSiteId(string site, out string siteId);

    /// <summary>Opens the site; throws SiteNotFound, SiteUnreachable or AuthenticationFailed.</summary>
    ISiteSource Open(string site, NetworkCredential? credential);
}
