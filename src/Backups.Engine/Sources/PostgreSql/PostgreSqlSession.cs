using Npgsql;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// The session settings every connection of SiteBackup runs with, whatever the database, the role or the server
/// set, because they change how values print and parse or which rows and names a statement sees (pg_dump pins the
/// same ones): floats with every digit, dates in ISO order, intervals in PostgreSQL's own style, times in UTC, UTF-8,
/// backslashes as plain characters in strings, bytea as hex, XML as content, names found only where SiteBackup
/// qualifies them, and row-level security off (a read or write that a policy would filter fails instead of being
/// silently partial).
/// </summary>
internal static class PostgreSqlSession
{
    private const string Settings =
        """
        SET extra_float_digits = 3;
        SET DateStyle = 'ISO, YMD';
        SET IntervalStyle = 'postgres';
        SET TimeZone = 'UTC';
        SET client_encoding = 'UTF8';
        SET standard_conforming_strings = on;
        SET bytea_output = 'hex';
        SET xmloption = content;
        SET search_path = pg_catalog;
        SET row_security = off;
        """;

    public static Task PinAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, null, Settings, cancellationToken);

    /// <summary>Runs a statement that returns no rows; returns the rows it touched.</summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
