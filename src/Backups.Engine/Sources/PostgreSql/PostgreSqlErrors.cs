using System.Net.Sockets;
using Npgsql;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>PostgreSQL and Npgsql errors as engine errors. Messages carry the site id, never the password.</summary>
internal static class PostgreSqlErrors
{
    /// <summary>True when <paramref name="connection"/> is gone (the server ended it, the network dropped it): whatever
    /// failed on it then, the site is what went away.</summary>
    public static bool IsLost(NpgsqlConnection connection) =>
        connection.FullState.HasFlag(System.Data.ConnectionState.Broken) || connection.State == System.Data.ConnectionState.Closed;

    /// <summary>As <see cref="Translate(Exception, string)"/>, and any failure on a connection that is gone (Npgsql
    /// can report it as a COPY or a reader already ended) is SiteUnreachable with the first cause found.</summary>
    public static Exception Translate(Exception e, string siteId, NpgsqlConnection connection) =>
        e is not (BackupException or OperationCanceledException or NpgsqlException) && IsLost(connection)
            ? new BackupException(BackupError.SiteUnreachable, $"The connection to PostgreSQL at '{siteId}' was lost: {e.Message}", siteId, e)
            : Translate(e, siteId);

    public static Exception Translate(Exception e, string siteId) => e switch
    {
        BackupException or OperationCanceledException => e,
        PostgresException { SqlState: "28P01" or "28000" } => new BackupException(BackupError.AuthenticationFailed,
            $"PostgreSQL refused the credentials for '{siteId}': {((PostgresException)e).MessageText}", siteId, e),
        PostgresException { SqlState: "3D000" } => new BackupException(BackupError.SiteNotFound,
            $"The database of '{siteId}' does not exist.", siteId, e),
        PostgresException { SqlState: "42P01" } => new BackupException(BackupError.CollectionNotFound,
            $"A table of '{siteId}' does not exist: {((PostgresException)e).MessageText}", siteId, e),
        PostgresException { SqlState: "57P03" or "53300" } => new BackupException(BackupError.SiteUnreachable,
            $"PostgreSQL at '{siteId}' does not accept connections now: {((PostgresException)e).MessageText}", siteId, e),
        // admin_shutdown, crash_shutdown: the server ended this session (a restart, a failover, pg_terminate_backend).
        PostgresException { SqlState: "57P01" or "57P02" } => new BackupException(BackupError.SiteUnreachable,
            $"PostgreSQL at '{siteId}' ended the connection: {((PostgresException)e).MessageText}", siteId, e),
        // A key that is not deferrable and that this role could not set aside checks each row as it arrives.
        PostgresException { SqlState: "23503" } p => new BackupException(BackupError.InvalidArgument,
            $"PostgreSQL at '{siteId}' refused the backup's rows{Where(p)}: {p.MessageText}{(p.Detail is { Length: > 0 } detail ? $" ({detail})" : "")}. A foreign key that is not DEFERRABLE checks each row as it arrives, and SiteBackup sets such keys aside only on tables the restoring role owns: restore as the owner, make the key DEFERRABLE, or restore the tables it joins together.", siteId, e),
        // 22: a value the column's type refuses; 23: a row a constraint refuses (key, unique, not null, check).
        PostgresException p when p.SqlState.StartsWith("22", StringComparison.Ordinal) || p.SqlState.StartsWith("23", StringComparison.Ordinal) || p.SqlState == "42703" => new BackupException(BackupError.InvalidArgument,
            $"PostgreSQL at '{siteId}' refused the backup's rows{Where(p)}: {p.MessageText}{(p.Detail is { Length: > 0 } detail ? $" ({detail})" : "")}. The table is not as it was when backed up, or its constraints refuse what it held then.", siteId, e),
        // Row-level security with row_security off: the role would see only some rows.
        PostgresException { SqlState: "42501" } p when p.MessageText.Contains("row-level security", StringComparison.Ordinal) => new BackupException(BackupError.OperationFailed,
            $"This role is subject to a row-level security policy at '{siteId}' ({p.MessageText}): a backup or restore of only the rows it may see would not be one. Run it as the table's owner, a superuser or a role with BYPASSRLS.", siteId, e),
        PostgresException p => new BackupException(BackupError.OperationFailed,
            $"PostgreSQL error on '{siteId}': {p.MessageText}", siteId, e),
        NpgsqlException n when n.Message.Contains("password", StringComparison.OrdinalIgnoreCase) => new BackupException(BackupError.AuthenticationFailed,
            $"PostgreSQL at '{siteId}' wants a password: give it with -Credential or PGPASSWORD.", siteId, e),
        NpgsqlException { InnerException: SocketException or TimeoutException or IOException } or NpgsqlException { IsTransient: true } => new BackupException(BackupError.SiteUnreachable,
            $"PostgreSQL at '{siteId}' cannot be reached: {e.InnerException?.Message ?? e.Message}", siteId, e),
        NpgsqlException => new BackupException(BackupError.SiteUnreachable, $"PostgreSQL at '{siteId}': {e.Message}", siteId, e),
        _ => e,
    };

    /// <summary>Where PostgreSQL says a refused row was: the table and column it names, and COPY's own context (the
    /// line and the value).</summary>
    private static string Where(PostgresException p)
    {
        var parts = new List<string>();
        if (p.TableName is { Length: > 0 } table) parts.Add($"table {(p.SchemaName is { Length: > 0 } schema ? schema + "." : "")}{table}");
        if (p.ColumnName is { Length: > 0 } column) parts.Add($"column {column}");
        if (p.Where is { Length: > 0 } where) parts.Add(where.ReplaceLineEndings(" / "));
        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
    }
}
