using System.Net;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Sources.PostgreSql;
using SiteBackup.Engine.Sources.Sqlite;
using SiteBackup.Engine.Sources.Wix;

namespace SiteBackup.Engine.Sources;

/// <summary>Every site kind the engine knows, in the order site strings are tried. Adding a kind is one line here.</summary>
public static class SiteKinds
{
    private static readonly ISiteKind[] All =
    [
        new PostgreSqlSiteKind(),
        new WixSiteKind(),
        // SQLite comes last because it also takes plain paths.
        new SqliteSiteKind(),
    ];

    /// <summary>The normalised id of <paramref name="site"/>, without opening it.</summary>
    public static string GetSiteId(string site) => Find(site).SiteId;

    /// <summary>The local file path inside <paramref name="site"/>, or null when the site is not a local file.</summary>
    public static string? LocalPath(string site)
    {
        if (string.IsNullOrWhiteSpace(site)) return null;
        foreach (var kind in All)
        {
            if (kind.TryGetSiteId(site, out _)) return kind.LocalPath(site);
        }
        return null;
    }

    /// <summary>Opens <paramref name="site"/>; see <see cref="ISiteKind.Open"/>.</summary>
    public static ISiteSource Open(string site, NetworkCredential? credential = null, SiteOpenOptions? options = null) =>
        Find(site).Kind.Open(site, credential, options ?? SiteOpenOptions.None);

    private static (ISiteKind Kind, string SiteId) Find(string site)
    {
        if (string.IsNullOrWhiteSpace(site))
            throw new BackupException(BackupError.InvalidArgument, "The site is empty.");
        foreach (var kind in All)
        {
            if (kind.TryGetSiteId(site, out string siteId)) return (kind, siteId);
        }
        string shown = SiteStrings.Describe(site);
        var syntaxes = All.Select(k => k.Syntax).ToList();
        throw new BackupException(
            BackupError.InvalidArgument,
            $"'{shown}' is not a site SiteBackup knows: give {string.Join(", ", syntaxes[..^1])} or {syntaxes[^1]}.",
            shown);
    }
}
