using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>A SQLite file as a site: every user table and virtual table is a collection, every row an item.</summary>
internal sealed class SqliteSource(string path) : ISiteSource
{
    public string SiteId => path;

    public StringComparer CollectionNames => SqliteNames.Comparer;

    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        // A file a restore is about to create has no collections yet.
        if (!File.Exists(path)) return [];
        await using var connection = await SqliteConnections.OpenAsync(path, foreignKeys: null, cancellationToken);
        try
        {
            return (await SqliteSchema.ReadAsync(connection, null, cancellationToken)).Tables.Select(t => t.Collection).ToList();
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, path);
        }
    }

    public async Task<ISiteSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw NotFound();
        var connection = await SqliteConnections.OpenAsync(path, foreignKeys: null, cancellationToken);
        try
        {
            // A deferred transaction becomes a read transaction at its first SELECT: from then on every read
            // sees the database as of that moment (WAL), or writers wait for it to end (rollback journal).
            var transaction = connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: true);
            var catalog = await SqliteSchema.ReadAsync(connection, transaction, cancellationToken);
            using var pragma = SqliteSchema.Command(connection, transaction, "PRAGMA encoding");
            var encoding = SqliteItems.ParseEncoding((string)(await pragma.ExecuteScalarAsync(cancellationToken))!);
            return new SqliteSnapshot(connection, transaction, catalog, encoding);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw SqliteConnections.Translate(e, path);
        }
    }

    public Task<ISiteRestore> BeginRestoreAsync(RestoreStart start, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) && !start.CreateMissing) throw NotFound();
        return SqliteRestore.BeginAsync(path, start, cancellationToken);
    }

    private BackupException NotFound() => new(BackupError.SiteNotFound, $"The SQLite file '{path}' does not exist.", path);
}
