using Npgsql;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// The user triggers and rules of the restored tables (and of their partitions) switched off inside the restore's
/// transaction, as <c>pg_restore --disable-triggers</c> does for triggers, so that no trigger or rule drops, rewrites
/// or adds a row while the backup's content goes in (TRUNCATE's and DELETE's too), and switched back on, each to the
/// mode it had (on, ALWAYS or REPLICA), before the commit. Those already off stay off; foreign keys' own triggers are
/// not touched (their checks stay).
/// Other sessions never see them off: ALTER TABLE locks the table until the commit. It needs the table's owner's
/// rights; without them the restore stops before anything changed, saying so.
/// </summary>
internal sealed class TriggerPause
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly List<(string Table, string What, char Mode)> _paused;

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
            WITH restored AS (
                SELECT r.oid, format('%I.%I', n.nspname, r.relname) AS name
                FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
                JOIN pg_catalog.pg_class r ON r.oid = c.oid OR r.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree(c.oid))
                JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
                WHERE cn.nspname = $1 AND c.relname = ANY($2))
            SELECT restored.name, 'TRIGGER ' || format('%I', g.tgname), g.tgenabled
            FROM restored JOIN pg_catalog.pg_trigger g ON g.tgrelid = restored.oid
            WHERE NOT g.tgisinternal AND g.tgenabled <> 'D'
            UNION ALL
            SELECT restored.name, 'RULE ' || format('%I', w.rulename), w.ev_enabled
            FROM restored JOIN pg_catalog.pg_rewrite w ON w.ev_class = restored.oid
            WHERE w.rulename <> '_RETURN' AND w.ev_enabled <> 'D'
            ORDER BY 1, 2
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
        foreach (var (table, what, _) in paused)
        {
            try
            {
                await using var off = new NpgsqlCommand($"ALTER TABLE ONLY {table} DISABLE {what}", connection, transaction);
                await off.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == "42501")
            {
                throw new BackupException(BackupError.OperationFailed,
                    $"The restore switches off the triggers and rules of {table} (here {what.ToLowerInvariant()}) while the backup's rows go in, so that none changes them, and that needs the rights of the table's owner, which this role does not have ({e.MessageText}). Restore as the owner (or a member of its role). Nothing was restored.",
                    siteId, e);
            }
        }
        return new TriggerPause(connection, transaction, paused);
    }

    /// <summary>Each trigger and rule back in the mode it had.</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        foreach (var (table, what, mode) in _paused)
        {
            string how = mode switch { 'A' => "ENABLE ALWAYS", 'R' => "ENABLE REPLICA", _ => "ENABLE" };
            await using var on = new NpgsqlCommand($"ALTER TABLE ONLY {table} {how} {what}", _connection, _transaction);
            await on.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
