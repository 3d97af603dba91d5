using Npgsql;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// The indexes of the restored tables, dropped inside the restore's transaction once the tables are empty and built
/// again, exactly as PostgreSQL prints them, after the rows are in and before the foreign keys come back, as
/// pg_restore builds them after loading. An index in place is maintained row by row as COPY writes (a unique one
/// probes on every row); one built afterwards sorts the table once. Same result, same transaction: rows that break a
/// unique index or constraint still fail the restore, and everything rolls back. Other sessions never see a table
/// without its indexes: TRUNCATE and DROP INDEX hold it locked until the commit.
/// </summary>
/// <remarks>
/// Taken: plain indexes (<c>pg_get_indexdef</c>: method, columns, expressions, collations, operator classes,
/// INCLUDE, WITH, WHERE) and the indexes of PRIMARY KEY and UNIQUE constraints (dropped and added back as
/// constraints, <c>pg_get_constraintdef</c>, with their names, INCLUDE and DEFERRABLE), with their comments.
/// Left in place, because dropping them would change or lose something a definition does not carry, or PostgreSQL
/// would refuse: an index anything else depends on (a foreign key still in place, one <see cref="KeyRebuild"/> could
/// not set aside, or a view that relies on a primary key), an index of a partitioned table or attached to one (a
/// partition's copy), one in a tablespace of its own, a constraint's index with storage parameters (neither
/// definition says them), one marked for CLUSTER or as the replica identity, one with a statistics target set on a
/// column, one not valid or not ready (a CREATE INDEX CONCURRENTLY that failed: building it would make it valid),
/// exclusion constraints, one marked as depending on an extension, and tables the role does not own or whose schema
/// it may not create in. None at all while an event trigger is enabled (it would see DDL that a restore without the
/// rebuild never ran, and may record or refuse it). Nor any index of a
/// table that a deferrable foreign key or constraint still in place involves (the restore defers constraints, and
/// their checks pending at the commit make PostgreSQL refuse to build an index on it), nor on the DELETE path of
/// <see cref="PostgreSqlRestore"/>, where the tables are not locked against readers until the commit.
/// Building runs as PostgreSQL builds any index: its expressions as the table's owner, and the index's statistics
/// and usage counters start again (the next ANALYZE, which autovacuum runs after a load, brings the statistics of
/// expression indexes back).
/// </remarks>
internal sealed class IndexRebuild
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly List<Index> _indexes;

    /// <summary>An index set aside: its table, its constraint's name (for a constraint's index), the index's own name
    /// with its schema, how it is made again (a CREATE INDEX, or the definition of its constraint), and the comments
    /// of the index and of its constraint; names quoted.</summary>
    private sealed record Index(string Table, string? Constraint, string QualifiedName, string Definition, string? IndexComment, string? ConstraintComment);

    private IndexRebuild(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Index> indexes)
    {
        _connection = connection;
        _transaction = transaction;
        _indexes = indexes;
    }

    public static async Task<IndexRebuild> SetAsideAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT format('%I.%I', n.nspname, t.relname), CASE WHEN k.oid IS NOT NULL THEN format('%I', k.conname) END, format('%I.%I', n.nspname, ic.relname),
                   CASE WHEN k.oid IS NULL THEN pg_catalog.pg_get_indexdef(ic.oid) ELSE pg_catalog.pg_get_constraintdef(k.oid) END,
                   pg_catalog.obj_description(ic.oid, 'pg_class'), pg_catalog.obj_description(k.oid, 'pg_constraint')
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
            LEFT JOIN pg_catalog.pg_constraint k ON k.conindid = ic.oid AND k.conrelid = t.oid AND k.contype IN ('p', 'u', 'x')
            WHERE n.nspname = $1 AND t.relname = ANY($2)
              AND t.relkind = 'r' AND NOT t.relispartition AND ic.relkind = 'i'
              AND pg_catalog.pg_has_role(t.relowner, 'USAGE') AND pg_catalog.has_schema_privilege(n.oid, 'CREATE')
              -- The restore runs with constraints deferred: a deferrable key or constraint still in place queues
              -- its checks for the commit, and PostgreSQL refuses to build an index on a table with checks pending.
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint f WHERE f.condeferrable AND t.oid IN (f.conrelid, f.confrelid))
              -- An event trigger would see (and may refuse or record) DDL that a restore without it never ran.
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger e WHERE e.evtenabled <> 'D')
              -- Marked as depending on an extension (ALTER INDEX ... DEPENDS ON EXTENSION), which no definition says.
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = ic.oid AND x.deptype = 'x')
              AND i.indisvalid AND i.indisready AND i.indislive AND NOT i.indisclustered AND NOT i.indisreplident
              AND (k.oid IS NULL OR k.contype IN ('p', 'u'))
              -- pg_get_indexdef does not give the tablespace; pg_get_constraintdef gives neither it nor WITH.
              AND ic.reltablespace = 0 AND (k.oid IS NULL OR ic.reloptions IS NULL)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = ic.oid)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = ic.oid AND a.attstattarget >= 0)
              -- Nothing else depends on the index (a foreign key in place) or on its constraint (a view, a key),
              -- but what is part of the constraint and comes back with it (deptype i: its index, and the triggers
              -- that check a deferrable one at the commit).
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ic.oid)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.refclassid = 'pg_catalog.pg_constraint'::regclass AND d.refobjid = k.oid
                              AND d.deptype <> 'i')
            ORDER BY ic.oid
            """;
        var indexes = new List<Index>();
        await using (var read = new NpgsqlCommand(sql, connection, transaction))
        {
            read.Parameters.AddWithValue(schema);
            read.Parameters.AddWithValue(tables.ToArray());
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                indexes.Add(new Index(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        // ONLY, as pg_dump writes it: adding a primary key back to a parent of inheritance children would otherwise
        // set NOT NULL on the children too.
        foreach (var index in indexes)
            await PostgreSqlSession.ExecuteAsync(connection, transaction, index.Constraint is { } constraint
                ? $"ALTER TABLE ONLY {index.Table} DROP CONSTRAINT {constraint}"
                : $"DROP INDEX {index.QualifiedName}", cancellationToken);
        return new IndexRebuild(connection, transaction, indexes);
    }

    /// <summary>Builds every index set aside again, with its comments, in the order they were made. A unique one that
    /// the restored rows break fails here, as it would have while they went in.</summary>
    public async Task BuildAsync(CancellationToken cancellationToken)
    {
        if (_indexes.Count == 0) return;
        // Each index was in its database's default tablespace (those elsewhere stay in place): a default_tablespace
        // the role or database sets must not move it, as pg_restore also pins it.
        await Execute("SET LOCAL default_tablespace = ''");
        foreach (var index in _indexes)
        {
            await Execute(index.Constraint is { } constraint ? $"ALTER TABLE ONLY {index.Table} ADD CONSTRAINT {constraint} {index.Definition}" : index.Definition);
            if (index.ConstraintComment is not null)
                await Execute($"COMMENT ON CONSTRAINT {index.Constraint} ON {index.Table} IS {PostgreSqlSchema.Literal(index.ConstraintComment)}");
            if (index.IndexComment is not null)
                await Execute($"COMMENT ON INDEX {index.QualifiedName} IS {PostgreSqlSchema.Literal(index.IndexComment)}");
        }

        Task Execute(string sql) => PostgreSqlSession.ExecuteAsync(_connection, _transaction, sql, cancellationToken);
    }
}
