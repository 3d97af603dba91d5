using System.Data.Common;
using System.Net;
using Npgsql;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// PostgreSQL schemas: <c>postgresql://user@host:port/database?schema=name</c> (or <c>postgres://</c>, or
/// <c>.../database/schema</c>, the form of the site id), or an Npgsql
/// connection string (<c>Host=...;Database=...;Schema=...</c>). The schema defaults to <c>public</c>. The password
/// comes from -Credential or PGPASSWORD, never from the site string: one given there is refused, unechoed. The site
/// id is <c>postgresql://host:port/database/schema</c>.
/// </summary>
internal sealed class PostgreSqlSiteKind : ISiteKind
{
    public string Name => "PostgreSQL";

    public string Syntax => "a postgresql:// URI (or an Npgsql connection string)";

    public bool TryGetSiteId(string site, out string siteId)
    {
        siteId = "";
        if (!TryParse(site, out var address, out _)) return false;
        siteId = address!.SiteId;
        return true;
    }

    public string? LocalPath(string site) => null;

    /// <summary>The user: -Credential's, else the site string's, else PGUSER, else the one the backup being
    /// restored was taken as, else (as libpq and Npgsql do) the operating-system user. Only a user named one of those
    /// ways is the source's <see cref="ISiteSource.UserName"/>, for a record to keep: the operating-system user of the
    /// machine that took a backup means nothing to the machine that restores it.</summary>
    public ISiteSource Open(string site, NetworkCredential? credential, SiteOpenOptions options)
    {
        if (!TryParse(site, out var address, out string? problem) || problem is not null)
            throw new BackupException(BackupError.InvalidArgument, problem ?? "The PostgreSQL site string cannot be read.", address?.SiteId);
        var builder = new NpgsqlConnectionStringBuilder(address!.ConnectionString);
        if (!string.IsNullOrEmpty(credential?.UserName)) builder.Username = credential.UserName;
        else if (string.IsNullOrEmpty(builder.Username) && Environment.GetEnvironmentVariable("PGUSER") is { Length: > 0 } user) builder.Username = user;
        else if (string.IsNullOrEmpty(builder.Username) && !string.IsNullOrEmpty(options.RecordedUser)) builder.Username = options.RecordedUser;
        if (!string.IsNullOrEmpty(credential?.Password)) builder.Password = credential.Password;
        else if (Environment.GetEnvironmentVariable("PGPASSWORD") is { Length: > 0 } password) builder.Password = password;
        return new PostgreSqlSource(address.SiteId, address.Schema, string.IsNullOrEmpty(builder.Username) ? null : builder.Username, builder.ConnectionString);
    }

    private sealed record Address(string SiteId, string Schema, string ConnectionString);

    /// <summary>Recognises the site string; <paramref name="problem"/> says what is wrong with one that is
    /// PostgreSQL but unusable (a password in it, say). Every site string is asked here first, so a string that
    /// cannot be PostgreSQL's is told apart without touching Npgsql: a SQLite backup never loads it.</summary>
    private static bool TryParse(string site, out Address? address, out string? problem)
    {
        address = null;
        problem = null;
        string? scheme = SiteStrings.Scheme(site);
        bool uri = scheme is "postgresql" or "postgres";
        if (!uri && !(scheme is null && site.Contains('=', StringComparison.Ordinal) && site.Contains("host", StringComparison.OrdinalIgnoreCase)))
            return false;
        return Parse(site, uri, out address, out problem);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)] // keeps Npgsql out of TryParse
    private static bool Parse(string site, bool uriForm, out Address? address, out string? problem)
    {
        address = null;
        problem = null;
        var builder = new NpgsqlConnectionStringBuilder();
        string schema = "public";
        bool timeoutGiven = false;
        if (uriForm)
        {
            if (!Uri.TryCreate(site, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host)) return false;
            builder.Host = uri.Host;
            builder.Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port;
            // /database, or /database/schema: the form of the site id itself, so a record's SiteId opens again.
            string[] path = uri.AbsolutePath.Trim('/').Split('/');
            builder.Database = Uri.UnescapeDataString(path[0]);
            if (path.Length == 2) schema = Uri.UnescapeDataString(path[1]);
            else if (path.Length > 2) problem = "A PostgreSQL site string's path is /database or /database/schema.";
            string[] userInfo = uri.UserInfo.Split(':', 2);
            if (userInfo[0].Length > 0) builder.Username = Uri.UnescapeDataString(userInfo[0]);
            if (userInfo.Length > 1) problem = "A PostgreSQL site string must not hold a password: give it with -Credential or PGPASSWORD.";
            foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] kv = pair.Split('=', 2);
                string key = Uri.UnescapeDataString(kv[0]).ToLowerInvariant();
                string value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
                switch (key)
                {
                    case "schema": schema = value; break;
                    case "sslmode": builder["SSL Mode"] = value; break;
                    case "password": problem = "A PostgreSQL site string must not hold a password: give it with -Credential or PGPASSWORD."; break;
                    default: problem ??= $"The PostgreSQL site string has a parameter '{key}' that SiteBackup does not take (it takes schema and sslmode)."; break;
                }
            }
        }
        else
        {
            var generic = new DbConnectionStringBuilder { ConnectionString = site };
            if (generic.TryGetValue("schema", out object? s)) { schema = Convert.ToString(s, System.Globalization.CultureInfo.InvariantCulture) ?? "public"; generic.Remove("schema"); }
            if (generic.ContainsKey("password") || generic.ContainsKey("pwd"))
            {
                problem = "A PostgreSQL connection string must not hold a password: give it with -Credential or PGPASSWORD.";
                generic.Remove("password");
                generic.Remove("pwd");
            }
            try { builder.ConnectionString = generic.ConnectionString; }
            catch (ArgumentException) { return false; }
            timeoutGiven = generic.ContainsKey("command timeout") || generic.ContainsKey("commandtimeout");
            if (string.IsNullOrEmpty(builder.Host)) return false;
        }

        // No statement timeout unless a connection string sets one: restoring a large table is one long
        // statement, and Ctrl+C cancels whatever runs.
        if (!timeoutGiven) builder.CommandTimeout = 0;
        if (string.IsNullOrEmpty(builder.Database)) problem ??= "The PostgreSQL site string names no database.";
        if (string.IsNullOrEmpty(schema)) problem ??= "The PostgreSQL site string names an empty schema.";
        string siteId = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}/{schema}";
        address = new Address(siteId, schema, builder.ConnectionString);
        return true;
    }
}
