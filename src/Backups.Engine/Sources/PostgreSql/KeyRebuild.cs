using Npgsql;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// Foreign keys between the tables of one restore, dropped inside its transaction and added back before the commit,
/// as pg_restore adds them after loading. A key in place checks every row as it arrives (one index probe and a row
/// lock on the referenced table per row: 4.9 s of a 7.4 s restore of the benchmark's 1,000,000 items went to the
/// table with two such keys); a key added afterwards checks the whole table in one join. Same result, same
/// transaction: a row that breaks a key still fails the restore and rolls everything back.
/// </summary>
/// <remarks>
/// Only keys whose both tables are restored (a key to a table outside would hold a lock on that table until the
/// commit), that the user owns both tables of (ALTER TABLE needs it; otherwise the key stays and checks per row),
/// that are not a partition's copy of its parent's key, and that carry no comment (dropping would lose it).
/// </remarks>
internal sealed class KeyRebuild
{
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;
    private readonly List<(string Table, string Name, string Definition)> keys;

    private KeyRebuild(NpgsqlConnection connection, NpgsqlTransaction transaction, List<(string, string, string)> keys)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.keys = keys;
    }

    public static async Task<KeyRebuild> SetAsideAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT format('%I.%I', $1::text, child.relname), format('%I', k.conname), pg_get_constraintdef(k.oid)
            FROM pg_constraint k
            JOIN pg_class child ON child.oid = k.conrelid
            JOIN pg_class parent ON parent.oid = k.confrelid
            JOIN pg_namespace n ON n.oid = child.relnamespace AND n.oid = parent.relnamespace
            WHERE k.contype = 'f' AND k.conparentid = 0 AND n.nspname = $1
              AND child.relname = ANY($2) AND parent.relname = ANY($2)
              AND pg_has_role(child.relowner, 'USAGE') AND pg_has_role(parent.relowner, 'USAGE')
              AND obj_description(k.oid, 'pg_constraint') IS NULL
            ORDER BY k.oid
            """;
        var keys = new List<(string, string, string)>();
        await using (var read = new NpgsqlCommand(sql, connection, transaction))
        {
            read.Parameters.AddWithValue(schema);
            read.Parameters.AddWithValue(tables.ToArray());
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                keys.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        foreach (var (table, name, _) in keys)
        {
            await using var drop = new NpgsqlCommand($"ALTER TABLE {table} DROP CONSTRAINT {name}", connection, transaction);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        return new KeyRebuild(connection, transaction, keys);
    }

    /// <summary>Adds the keys back as they were (name, columns, actions, deferrability); each checks its table now.</summary>
    public async Task AddBackAsync(CancellationToken cancellationToken)
    {
        foreach (var (table, name, definition) in keys)
        {
            await using var add = new NpgsqlCommand($"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}", connection, transaction);
            await add.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
