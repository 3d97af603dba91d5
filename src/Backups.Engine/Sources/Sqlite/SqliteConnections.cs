using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>Opening SQLite files the one way the engine does, and turning SQLite errors into engine errors.</summary>
internal static class SqliteConnections
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCorrupt = 11;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    /// <param name="path">The file.</param>
    /// <param name="foreignKeys">Whether the connection enforces foreign keys (null: SQLite's default).</param>
    /// <param name="cancellationToken">Stops the wait for a locked file.</param>
    /// <param name="create">Create the file: only a restore that makes a site from a backup asks for this.</param>
    public static async Task<SqliteConnection> OpenAsync(string path, bool? foreignKeys, CancellationToken cancellationToken, bool create = false)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            // ReadWrite never creates the file; a missing file is an error, not a new empty database.
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            // No pooling: the file is released when the operation ends, which matters to users who move or
            // delete it next (and on Windows, where an open file cannot be deleted).
            Pooling = false,
            // The command timeout is also how long Microsoft.Data.Sqlite retries a busy database.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(LockWait.Timeout.TotalSeconds)),
            ForeignKeys = foreignKeys,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Reading the schema proves the file is a database (SQLite opens any file lazily).
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_schema";
            await probe.ExecuteScalarAsync(cancellationToken);
            return connection;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw Translate(e, path);
        }
    }

    public static Exception Translate(Exception e, string path) => e switch
    {
        BackupException or OperationCanceledException => e,
        SqliteException { SqliteErrorCode: SqliteNotADatabase } => new BackupException(
            BackupError.InvalidArgument, $"'{path}' is not a SQLite database.", path, e),
        SqliteException { SqliteErrorCode: SqliteCorrupt } => new BackupException(
            BackupError.SiteCorrupt, $"The SQLite file '{path}' is damaged ({((SqliteException)e).Message}); PRAGMA integrity_check says where, and a backup can replace it.", path, e),
        SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => new BackupException(
            BackupError.SiteUnreachable, $"The SQLite file '{path}' stayed locked by another connection for {LockWait.Timeout.TotalSeconds:0.#} s.", path, e),
        SqliteException { SqliteErrorCode: SqliteCantOpen } => new BackupException(
            BackupError.SiteUnreachable, $"The SQLite file '{path}' cannot be opened: {e.Message}", path, e),
        SqliteException s => new BackupException(
            BackupError.OperationFailed, $"SQLite error on '{path}': {s.Message}", path, e),
        _ => e,
    };
}
