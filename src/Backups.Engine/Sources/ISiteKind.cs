using System.Net;

namespace SiteBackup.Engine.Sources;

/// <summary>One kind of site: recognises its site strings and opens them.</summary>
public interface ISiteKind
{
    /// <summary>Short name shown to users ("SQLite").</summary>
    string Name { get; }

    /// <summary>How its site strings are written, for a message that lists every kind ("wix://&lt;site-id&gt;").</summary>
    string Syntax { get; }

    /// <summary>If <paramref name="site"/> is of this kind, its normalised id (no secrets, nothing over the network; a
    /// local file's symbolic link may be followed).</summary>
    bool TryGetSiteId(string site, out string siteId);

    /// <summary>The file path inside <paramref name="site"/> when the kind keeps sites in local files, so that a
    /// caller can resolve it against its own notion of the current folder; null otherwise.</summary>
    string? LocalPath(string site);

    /// <summary>Opens the site; throws SiteNotFound, SiteUnreachable or AuthenticationFailed.</summary>
    /// <param name="site">A site string of this kind.</param>
    /// <param name="credential">The credential given for the site, if any.</param>
    /// <param name="options">What else the caller knows (a recorded user; whether the site may be created).</param>
    ISiteSource Open(string site, NetworkCredential? credential, SiteOpenOptions options);
}

/// <summary>How a site is opened beyond its string and credential.</summary>
public sealed record SiteOpenOptions
{
    public static SiteOpenOptions None { get; } = new();

    /// <summary>The user a backup of this site was taken as (<see cref="ISiteSource.UserName"/>), for a kind with
    /// users to fall back on when neither the credential, the site string nor the environment names one.</summary>
    public string? RecordedUser { get; init; }

    /// <summary>The site need not exist yet: a restore will create it from a backup's definitions
    /// (<see cref="RestoreStart.CreateMissing"/>). A kind that cannot create sites ignores it.</summary>
    public bool MayNotExist { get; init; }
}
