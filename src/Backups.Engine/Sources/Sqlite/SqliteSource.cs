using Microsoft.Data.Sqlite;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>A SQLite file as a site: every user table is a collection, every row an item.</summary>
internal sealed class SqliteSource(string path) : ISiteSource
{
    public string SiteId => path;

    public StringComparer CollectionNames => SqliteNames.Comparer;

    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await SqliteConnections.OpenAsync(path, foreignKeys: null, cancellationToken);
        try
        {
            return (await SqliteSchema.ReadTablesAsync(connection, null, cancellationToken)).Select(t => t.Collection).ToList();
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, path);
        }
    }

    public async Task<ISiteSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var connection = await SqliteConnections.OpenAsync(path, foreignKeys: null, cancellationToken);
        try
        {
            // A deferred transaction becomes a read transaction at its first SELECT: from then on every read
            // sees the database as of that moment (WAL), or writers wait for it to end (rollback journal).
            var transaction = connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: true);
            var tables = await SqliteSchema.ReadTablesAsync(connection, transaction, cancellationToken);
            return new SqliteSnapshot(connection, transaction, tables);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw SqliteConnections.Translate(e, path);
        }
    }

    public async Task<ISiteRestore> BeginRestoreAsync(CancellationToken cancellationToken)
    {
        // Foreign keys are not enforced while restoring: the order of collections cannot then make a restore
        // fail, and ON DELETE actions cannot reach collections the restore was not asked to touch.
        var connection = await SqliteConnections.OpenAsync(path, foreignKeys: false, cancellationToken);
        try
        {
            // Immediate: take the write lock now, so that a restore fails (or waits) before it reads anything.
            var transaction = connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
            var tables = await SqliteSchema.ReadTablesAsync(connection, transaction, cancellationToken);
            return new SqliteRestore(path, connection, transaction, tables);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw SqliteConnections.Translate(e, path);
        }
    }
}
