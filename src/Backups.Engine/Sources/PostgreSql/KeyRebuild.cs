using Npgsql;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// Foreign keys that refer to the tables of one restore, dropped inside its transaction and added back before the
/// commit, as pg_restore adds them after loading. A key in place checks every row as it arrives (one index probe and
/// a row lock on the referenced table per row: 4.9 s of a 7.4 s restore of the benchmark's 1,000,000 items went to
/// the table with two such keys), and a key that is not deferrable fails rows that arrive before the rows they refer
/// to (a cycle, a table that refers to itself); a key added afterwards checks the whole table in one join. Same
/// result, same transaction: a row that breaks a key still fails the restore and rolls everything back.
/// </summary>
/// <remarks>
/// The keys set aside: those between two restored tables, and those from a table outside the restore (in any schema)
/// with no ON DELETE action (NO ACTION or RESTRICT: emptying the referenced table would otherwise be refused at once,
/// although the rows it refers to come back; the key is checked again, over the whole referring table, once they
/// have). Not a partition's copy of its parent's key; only where the role owns both tables (ALTER TABLE needs it;
/// otherwise the key stays in place). A key's comment is put back with it.
/// </remarks>
internal sealed class KeyRebuild
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly List<Key> _keys;

    private sealed record Key(uint Oid, string Table, string Name, string Definition, string? Comment);

    private KeyRebuild(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Key> keys)
    {
        _connection = connection;
        _transaction = transaction;
        _keys = keys;
    }

    /// <summary>The keys set aside, by their constraint oid.</summary>
    public IReadOnlySet<uint> SetAside => _keys.Select(k => k.Oid).ToHashSet();

    public static async Task<KeyRebuild> SetAsideAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT k.oid, format('%I.%I', cn.nspname, child.relname), format('%I', k.conname), pg_catalog.pg_get_constraintdef(k.oid),
                   pg_catalog.obj_description(k.oid, 'pg_constraint')
            FROM pg_catalog.pg_constraint k
            JOIN pg_catalog.pg_class child ON child.oid = k.conrelid
            JOIN pg_catalog.pg_namespace cn ON cn.oid = child.relnamespace
            JOIN pg_catalog.pg_class parent ON parent.oid = k.confrelid
            JOIN pg_catalog.pg_namespace pn ON pn.oid = parent.relnamespace
            WHERE k.contype = 'f' AND k.conparentid = 0 AND pn.nspname = $1 AND parent.relname = ANY($2)
              AND ((cn.nspname = $1 AND child.relname = ANY($2)) OR k.confdeltype IN ('a', 'r'))
              AND pg_catalog.pg_has_role(child.relowner, 'USAGE') AND pg_catalog.pg_has_role(parent.relowner, 'USAGE')
            ORDER BY k.oid
            """;
        var keys = new List<Key>();
        await using (var read = new NpgsqlCommand(sql, connection, transaction))
        {
            read.Parameters.AddWithValue(schema);
            read.Parameters.AddWithValue(tables.ToArray());
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                keys.Add(new Key(reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        foreach (var key in keys)
            await PostgreSqlSession.ExecuteAsync(connection, transaction, $"ALTER TABLE {key.Table} DROP CONSTRAINT {key.Name}", cancellationToken);
        return new KeyRebuild(connection, transaction, keys);
    }

    /// <summary>Adds the keys back as they were (name, columns, actions, deferrability, comment); each checks its
    /// table now. A key whose rows no longer find what they refer to fails the restore, naming the table: for a
    /// table outside the restore, its rows refer to rows the backup does not hold.</summary>
    public async Task AddBackAsync(string siteId, CancellationToken cancellationToken)
    {
        foreach (var key in _keys)
        {
            try
            {
                await PostgreSqlSession.ExecuteAsync(_connection, _transaction, $"ALTER TABLE {key.Table} ADD CONSTRAINT {key.Name} {key.Definition}", cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == "23503")
            {
                throw new Errors.BackupException(Errors.BackupError.InvalidArgument,
                    $"Rows of {key.Table} refer, through its key {key.Name}, to rows the restored tables do not hold ({e.Detail ?? e.MessageText}); restore {key.Table} with them, or change those rows first. Nothing was restored.",
                    siteId, e);
            }
            if (key.Comment is null) continue;
            await PostgreSqlSession.ExecuteAsync(_connection, _transaction, $"COMMENT ON CONSTRAINT {key.Name} ON {key.Table} IS {PostgreSqlSchema.Literal(key.Comment)}", cancellationToken);
        }
    }
}
