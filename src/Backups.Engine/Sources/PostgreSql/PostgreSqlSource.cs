using Npgsql;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>A PostgreSQL schema as a site: every table is a collection, every row an item.</summary>
internal sealed class PostgreSqlSource(string siteId, string schema, string? userName, string connectionString) : ISiteSource
{
    public string SiteId => siteId;

    public string? UserName => userName;

    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            return (await PostgreSqlSchema.ReadTablesAsync(connection, schema, cancellationToken)).Select(t => t.Collection).ToList();
        }
        catch (Exception e) when (e is NpgsqlException)
        {
            throw PostgreSqlErrors.Translate(e, siteId);
        }
    }

    public async Task<ISiteSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            // One snapshot for every table: a repeatable-read, read-only transaction.
            await using (var begin = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", connection))
                await begin.ExecuteNonQueryAsync(cancellationToken);
            var tables = await PostgreSqlSchema.ReadTablesAsync(connection, schema, cancellationToken);
            return new PostgreSqlSnapshot(siteId, connection, tables);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw PostgreSqlErrors.Translate(e, siteId);
        }
    }

    public async Task<ISiteRestore> BeginRestoreAsync(RestoreStart start, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // Deferrable foreign keys are checked at the commit, when every collection is in.
            await using (var defer = new NpgsqlCommand("SET CONSTRAINTS ALL DEFERRED", connection, transaction))
                await defer.ExecuteNonQueryAsync(cancellationToken);
            var tables = await PostgreSqlSchema.ReadTablesAsync(connection, schema, cancellationToken);
            return new PostgreSqlRestore(siteId, schema, connection, transaction, tables, start.FormatVersion);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw PostgreSqlErrors.Translate(e, siteId);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await PostgreSqlSession.PinAsync(connection, cancellationToken);
            if (!await PostgreSqlSchema.SchemaExistsAsync(connection, schema, cancellationToken))
                throw new BackupException(BackupError.SiteNotFound, $"The database of '{siteId}' has no schema '{schema}'.", siteId);
            return connection;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw PostgreSqlErrors.Translate(e, siteId);
        }
    }
}
