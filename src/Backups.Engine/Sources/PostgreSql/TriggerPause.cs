using Npgsql;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// The user triggers of the restored tables (and of their partitions) switched off inside the restore's transaction,
/// as <c>pg_restore --disable-triggers</c> does, so that no trigger drops, rewrites or adds a row while the backup's
/// content goes in (TRUNCATE's triggers too), and switched back on, each to the mode it had (on, ALWAYS or REPLICA),
/// before the commit. Triggers already off stay off; foreign keys' own triggers are not touched (their checks stay).
/// Other sessions never see them off: ALTER TABLE locks the table until the commit. It needs the table's owner's
/// rights; without them the restore stops before anything changed, saying so.
/// </summary>
internal sealed class TriggerPause
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly List<(string Table, string Trigger, char Mode)> _paused;

    private TriggerPause(NpgsqlConnection connection, NpgsqlTransaction transaction, List<(string, string, char)> paused)
    {
        _connection = connection;
        _transaction = transaction;
        _paused = paused;
    }

    public static async Task<TriggerPause> PauseAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, IReadOnlyList<string> tables, string siteId, CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT format('%I.%I', n.nspname, r.relname), format('%I', g.tgname), g.tgenabled
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
            JOIN pg_catalog.pg_class r ON r.oid = c.oid OR r.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree(c.oid))
            JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
            JOIN pg_catalog.pg_trigger g ON g.tgrelid = r.oid
            WHERE cn.nspname = $1 AND c.relname = ANY($2) AND NOT g.tgisinternal AND g.tgenabled <> 'D'
            ORDER BY g.oid
            """;
        var paused = new List<(string, string, char)>();
        await using (var read = new NpgsqlCommand(sql, connection, transaction))
        {
            read.Parameters.AddWithValue(schema);
            read.Parameters.AddWithValue(tables.ToArray());
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                paused.Add((reader.GetString(0), reader.GetString(1), reader.GetChar(2)));
        }
        foreach (var (table, trigger, _) in paused)
        {
            try
            {
                await using var off = new NpgsqlCommand($"ALTER TABLE ONLY {table} DISABLE TRIGGER {trigger}", connection, transaction);
                await off.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == "42501")
            {
                throw new BackupException(BackupError.OperationFailed,
                    $"The restore switches off the triggers of {table} (here {trigger}) while the backup's rows go in, so that none changes them, and that needs the rights of the table's owner, which this role does not have ({e.MessageText}). Restore as the owner (or a member of its role). Nothing was restored.",
                    siteId, e);
            }
        }
        return new TriggerPause(connection, transaction, paused);
    }

    /// <summary>Each trigger back in the mode it had.</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        foreach (var (table, trigger, mode) in _paused)
        {
            string how = mode switch { 'A' => "ENABLE ALWAYS", 'R' => "ENABLE REPLICA", _ => "ENABLE" };
            await using var on = new NpgsqlCommand($"ALTER TABLE ONLY {table} {how} TRIGGER {trigger}", _connection, _transaction);
            await on.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
