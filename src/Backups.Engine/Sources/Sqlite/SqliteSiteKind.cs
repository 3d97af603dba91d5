using System.Net;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// SQLite files: a plain path, or <c>sqlite:&lt;path&gt;</c> (also <c>sqlite:///abs/path</c>). The site id is the
/// absolute path. A file that does not exist is SiteNotFound: a backup tool must never create an empty database
/// where the user expected theirs. Only a restore asked to create what is missing makes one, from a backup.
/// </summary>
internal sealed class SqliteSiteKind : ISiteKind
{
    private const string Prefix = "sqlite:";

    public string Name => "SQLite";

    public string Syntax => "the path of a SQLite file (or sqlite:<path>)";

    public bool TryGetSiteId(string site, out string siteId)
    {
        siteId = "";
        string? path = PathOf(site);
        if (path is null) return false;
        try
        {
            siteId = Path.GetFullPath(path);
            // A file that is a symbolic link is the site it points to: backups of "current.db" and of its target are
            // backups of one file, for filters and for retention alike. (A link in a folder of the path is kept as it
            // is: macOS's /tmp is one, and its files are known by their /tmp paths.)
            if (File.Exists(siteId) && File.ResolveLinkTarget(siteId, returnFinalTarget: true) is { } target) siteId = target.FullName;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
    }

    public ISiteSource Open(string site, NetworkCredential? credential, SiteOpenOptions options)
    {
        if (HasParameters(site))
        {
            // sqlite: URIs could carry parameters (and someone may try a password there); none is used, and the
            // query is never echoed back.
            string shown = SiteStrings.Describe(site);
            throw new BackupException(BackupError.InvalidArgument, $"'{shown}?...': a SQLite site takes no parameters.", shown);
        }
        if (!TryGetSiteId(site, out string path))
            throw new BackupException(BackupError.InvalidArgument, $"'{SiteStrings.Describe(site)}' is not a valid SQLite file path.", SiteStrings.Describe(site));
        if (Directory.Exists(path))
            throw new BackupException(BackupError.InvalidArgument, $"'{path}' is a folder, not a SQLite file.", path);
        if (!File.Exists(path) && !options.MayNotExist)
            throw new BackupException(BackupError.SiteNotFound, $"The SQLite file '{path}' does not exist.", path);
        // SQLite has no credentials; a credential given for it is ignored rather than refused, so a runbook can
        // pass the same -Credential to every site it walks.
        return new SqliteSource(path);
    }

    /// <summary>The file path, for the caller to resolve; none for a sqlite: string with parameters, which
    /// <see cref="Open"/> refuses as it is.</summary>
    public string? LocalPath(string site) => HasParameters(site) ? null : PathOf(site);

    private static bool HasParameters(string site) =>
        site.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && site.Contains('?', StringComparison.Ordinal);

    private static string? PathOf(string site)
    {
        if (site.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            string rest = SiteStrings.Describe(site)[Prefix.Length..]; // never the parameters
            // sqlite:///var/x.db and sqlite://C:/x.db carry the path after two slashes, as in a URI.
            return rest.StartsWith("//", StringComparison.Ordinal) ? rest[2..] : rest;
        }
        return SiteStrings.Scheme(site) is null ? site : null;
    }
}
