using System.Net.Sockets;
using Npgsql;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>PostgreSQL and Npgsql errors as engine errors. Messages carry the site id, never the password.</summary>
internal static class PostgreSqlErrors
{
    public static Exception Translate(Exception e, string siteId) => e switch
    {
        BackupException or OperationCanceledException => e,
        PostgresException { SqlState: "28P01" or "28000" } => new BackupException(BackupError.AuthenticationFailed,
            $"PostgreSQL refused the credentials for '{siteId}': {((PostgresException)e).MessageText}", siteId, e),
        PostgresException { SqlState: "3D000" } => new BackupException(BackupError.SiteNotFound,
            $"The database of '{siteId}' does not exist.", siteId, e),
        PostgresException { SqlState: "42P01" } => new BackupException(BackupError.CollectionNotFound,
            $"A table of '{siteId}' does not exist: {((PostgresException)e).MessageText}", siteId, e),
        PostgresException { SqlState: "57P03" or "53300" or "57P01" } => new BackupException(BackupError.SiteUnreachable,
            $"PostgreSQL at '{siteId}' does not accept connections now: {((PostgresException)e).MessageText}", siteId, e),
        // 22: a value the column's type refuses; 23: a row a constraint refuses (key, unique, not null, check).
        PostgresException p when p.SqlState.StartsWith("22", StringComparison.Ordinal) || p.SqlState.StartsWith("23", StringComparison.Ordinal) || p.SqlState == "42703" => new BackupException(BackupError.InvalidArgument,
            $"The backup does not fit the tables of '{siteId}' any more: {p.MessageText}", siteId, e),
        PostgresException p => new BackupException(BackupError.OperationFailed,
            $"PostgreSQL error on '{siteId}': {p.MessageText}", siteId, e),
        NpgsqlException n when n.Message.Contains("password", StringComparison.OrdinalIgnoreCase) => new BackupException(BackupError.AuthenticationFailed,
            $"PostgreSQL at '{siteId}' wants a password: give it with -Credential or PGPASSWORD.", siteId, e),
        NpgsqlException { InnerException: SocketException or TimeoutException or IOException } or NpgsqlException { IsTransient: true } => new BackupException(BackupError.SiteUnreachable,
            $"PostgreSQL at '{siteId}' cannot be reached: {e.InnerException?.Message ?? e.Message}", siteId, e),
        NpgsqlException => new BackupException(BackupError.SiteUnreachable, $"PostgreSQL at '{siteId}': {e.Message}", siteId, e),
        _ => e,
    };
}
