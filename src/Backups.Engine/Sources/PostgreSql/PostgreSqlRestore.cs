using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// Replaces tables inside one transaction, each table's own rows only (never those of the tables that inherit from
/// it): their user triggers switched off (<see cref="TriggerPause"/>), TRUNCATE of every table being restored (DELETE
/// when a table outside the restore refers to one with a key that cannot be set aside), then each table's items
/// streamed in with COPY, referenced tables first. Foreign keys to restored tables are set aside while the rows go in
/// and added back, checked over the whole table at once, before the commit (<see cref="KeyRebuild"/>); their indexes
/// are dropped once they are empty and built again after the rows are in (<see cref="IndexRebuild"/>); and every
/// table's row count is checked against what was written. Identity and serial columns keep the backup's values, and
/// their sequences are moved past them. Any failure rolls all of it back.
/// </summary>
internal sealed class PostgreSqlRestore(
    string siteId, string schema, NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PostgreSqlTable> tables, int formatVersion) : ISiteRestore
{
    private const int CopyChunk = 64 * 1024;
    private const string StagingTable = "sitebackup_items";
    /// <summary>COPY's binary header: the signature, no flags, no header extension.</summary>
    private static readonly byte[] CopyHeader = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public IReadOnlyList<CollectionInfo> Collections { get; } = tables.Select(t => t.Collection).ToList();

    private KeyRebuild? setAside;
    private IndexRebuild? indexes;
    private TriggerPause? paused;
    private readonly Dictionary<PostgreSqlTable, long> written = [];

    public async Task<IReadOnlyList<string>> ClearAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken)
    {
        if (collectionIds.Count == 0) return collectionIds;
        try
        {
            var keys = await ReadForeignKeysAsync(cancellationToken);
            RefuseCascadesFromOutside(keys, collectionIds);
            var order = OrderByReferences(keys, collectionIds);
            paused = await TriggerPause.PauseAsync(connection, transaction, schema, collectionIds, siteId, cancellationToken);
            setAside = await KeyRebuild.SetAsideAsync(connection, transaction, schema, collectionIds, cancellationToken);
            var aside = setAside.SetAside;
            if (!keys.Any(k => ids(k.Parent) && !IsRestored(k, collectionIds) && !aside.Contains(k.Oid))
                && !await HasInvalidIndexAsync(collectionIds, cancellationToken))
            {
                // No key from outside stands in the way: one TRUNCATE empties them all without checking a foreign
                // key per row (which, on a referring column without an index, costs a scan per deleted row).
                // Readers and writers of these tables wait for the commit instead of seeing the old rows.
                string names = string.Join(", ", collectionIds.Select(id => Table(id).Rows));
                await ExecuteAsync($"TRUNCATE {names}", cancellationToken);
                indexes = await IndexRebuild.SetAsideAsync(connection, transaction, schema, collectionIds, cancellationToken);
                return order;
            }
            // A table outside the restore refers to one of them with a key this role cannot set aside (it does not
            // own the table; keys with an ON DELETE action were refused above): TRUNCATE cannot, DELETE can when no
            // outside row refers to a deleted one, or the key is deferred to the commit. Or one has an index that is
            // not valid, which TRUNCATE would build again. Referring tables first.
            foreach (string id in Enumerable.Reverse(order))
            {
                await ExecuteAsync($"DELETE FROM {Table(id).Rows}", cancellationToken);
            }
            return order;

            bool ids(string table) => collectionIds.Contains(table, StringComparer.Ordinal);
        }
        catch (PostgresException e) when (e.SqlState == "23503")
        {
            throw new BackupException(BackupError.InvalidArgument,
                $"A table outside this restore refers to rows of one being restored ({e.MessageText}); restore them together.", siteId, e);
        }
        catch (Exception e) when (e is NpgsqlException || PostgreSqlErrors.IsLost(connection))
        {
            throw PostgreSqlErrors.Translate(e, siteId, connection);
        }
    }

    /// <summary>Whether a table to restore has an index that is not valid (a CREATE INDEX CONCURRENTLY that failed):
    /// TRUNCATE builds every index of its table again, which would make it valid, so such tables are emptied with
    /// DELETE, which leaves the index as it was.</summary>
    private async Task<bool> HasInvalidIndexAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                JOIN pg_catalog.pg_class t ON t.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                WHERE NOT i.indisvalid AND n.nspname = $1 AND t.relname = ANY($2))
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue(schema);
        command.Parameters.AddWithValue(collectionIds.ToArray());
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A foreign key: <see cref="Child"/> (in <see cref="ChildSchema"/>) refers to <see cref="Parent"/> of the
    /// site's schema; <see cref="OnDelete"/> is PostgreSQL's code for its delete action (c cascade, n set null, d set
    /// default, a no action, r restrict).</summary>
    private sealed record ForeignKey(uint Oid, string ChildSchema, string Child, string Parent, char OnDelete);

    private async Task<List<ForeignKey>> ReadForeignKeysAsync(CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT k.oid, cn.nspname, child.relname, parent.relname, k.confdeltype
            FROM pg_catalog.pg_constraint k
            JOIN pg_catalog.pg_class child ON child.oid = k.conrelid
            JOIN pg_catalog.pg_namespace cn ON cn.oid = child.relnamespace
            JOIN pg_catalog.pg_class parent ON parent.oid = k.confrelid
            JOIN pg_catalog.pg_namespace pn ON pn.oid = parent.relnamespace
            WHERE k.contype = 'f' AND k.conparentid = 0 AND pn.nspname = $1 AND child.oid <> parent.oid
            """;
        var keys = new List<ForeignKey>();
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue(schema);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(new ForeignKey(reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetChar(4)));
        return keys;
    }

    private bool IsRestored(ForeignKey key, IReadOnlyList<string> ids) =>
        key.ChildSchema == schema && ids.Contains(key.Child, StringComparer.Ordinal);

    /// <summary>A foreign key from a table outside the restore with ON DELETE CASCADE, SET NULL or SET DEFAULT would
    /// change that table when the restore empties its own: refuse before anything is touched.</summary>
    private void RefuseCascadesFromOutside(List<ForeignKey> keys, IReadOnlyList<string> ids)
    {
        var cascading = keys.FirstOrDefault(k => k.OnDelete is 'c' or 'n' or 'd'
            && ids.Contains(k.Parent, StringComparer.Ordinal) && !IsRestored(k, ids));
        if (cascading is not null)
            throw new BackupException(BackupError.InvalidArgument,
                $"Table '{cascading.Child}', which this restore does not include, refers to '{cascading.Parent}' with an ON DELETE action that would change it; restore them together.",
                cascading.Parent);
    }

    /// <summary>The tables in an order that puts each before the tables that refer to it (foreign keys within the
    /// restore); a cycle keeps the given order for what is left, and deferrable keys then wait for the commit.</summary>
    private List<string> OrderByReferences(List<ForeignKey> keys, IReadOnlyList<string> ids)
    {
        var parents = ids.ToDictionary(
            id => id,
            id => keys.Where(k => k.Child == id && IsRestored(k, ids) && ids.Contains(k.Parent, StringComparer.Ordinal)).Select(k => k.Parent).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        var order = new List<string>(ids.Count);
        var left = ids.ToList();
        while (left.Count > 0)
        {
            var ready = left.FirstOrDefault(id => parents[id].All(order.Contains)) ?? left[0];
            order.Add(ready);
            left.Remove(ready);
        }
        return order;
    }

    public async Task<long> WriteAsync(string collectionId, ItemReader items, CancellationToken cancellationToken)
    {
        var table = Table(collectionId);
        // Archives before version 3 kept composite and extension-typed values as JSON objects and arrays, which only
        // PostgreSQL's own JSON functions turn back into values.
        long count = formatVersion < 3 && table.Columns.Any(c => c.Structured)
            ? await PopulateRowsAsync(table, collectionId, items, cancellationToken)
            : await CopyRowsAsync(table, collectionId, items, cancellationToken);
        written[table] = written.GetValueOrDefault(table) + count;
        return count;
    }

    /// <summary>
    /// For items that keep composite or extension-typed values as JSON (archives before version 3): streams them with COPY into a temporary
    /// one-column table, then turns them all into rows with one INSERT ... SELECT, where json_populate_record gives
    /// each value the table's own type. The temporary table lives only inside this transaction.
    /// </summary>
    private async Task<long> PopulateRowsAsync(PostgreSqlTable table, string collectionId, ItemReader items, CancellationToken cancellationToken)
    {
        var byName = table.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var item = new ArrayBufferWriter<byte>(4096);
        var chunk = new ArrayBufferWriter<byte>(CopyChunk * 2);
        using var json = new Utf8JsonWriter(item, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        // The items staged, not the rows the INSERT reports: a rule could make it report fewer while the count check
        // then finds what it left.
        long staged = 0;
        try
        {
            await ExecuteAsync($"CREATE TEMP TABLE IF NOT EXISTS {StagingTable} (item json) ON COMMIT DROP; TRUNCATE {StagingTable}", cancellationToken);
            await using (var copy = await connection.BeginRawBinaryCopyAsync($"COPY {StagingTable} (item) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                try
                {
                    chunk.Write(CopyHeader);
                    while (items.Read() is { } element)
                    {
                        staged++;
                        cancellationToken.ThrowIfCancellationRequested();
                        WriteItem(json, element, byName, collectionId);
                        json.Flush();
                        // One tuple of COPY's binary format: one field, its length, its bytes (json's binary form is its text).
                        BinaryPrimitives.WriteInt16BigEndian(chunk.GetSpan(2), 1);
                        chunk.Advance(2);
                        BinaryPrimitives.WriteInt32BigEndian(chunk.GetSpan(4), item.WrittenCount);
                        chunk.Advance(4);
                        chunk.Write(item.WrittenSpan);
                        item.ResetWrittenCount();
                        json.Reset();
                        if (chunk.WrittenCount >= CopyChunk)
                        {
                            await copy.WriteAsync(chunk.WrittenMemory, cancellationToken);
                            chunk.ResetWrittenCount();
                        }
                    }
                    BinaryPrimitives.WriteInt16BigEndian(chunk.GetSpan(2), -1);
                    chunk.Advance(2);
                    await copy.WriteAsync(chunk.WrittenMemory, cancellationToken);
                }
                catch
                {
                    // Disposing the stream would end the COPY as if complete; a refused item must abort it instead.
                    await AbortAsync(copy.CancelAsync);
                    throw;
                }
            }
            await ExecuteAsync(InsertSql(table), cancellationToken);
            return staged;
        }
        catch (Exception e) when (e is NpgsqlException || PostgreSqlErrors.IsLost(connection))
        {
            throw PostgreSqlErrors.Translate(e, siteId, connection);
        }
    }

    /// <summary>
    /// The fast way in, as pg_restore takes it: the items as rows of COPY's text format straight into the table
    /// (<see cref="CopyText"/>), a refused item aborting the COPY. COPY writes identity columns as given.
    /// </summary>
    private async Task<long> CopyRowsAsync(PostgreSqlTable table, string collectionId, ItemReader items, CancellationToken cancellationToken)
    {
        var positions = table.Columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var values = new JsonElement?[table.Columns.Count];
        var row = new StringBuilder(CopyChunk * 2);
        long written = 0;
        try
        {
            // A table without columns takes COPY without a column list: each row an empty line.
            string columns = table.Columns.Count == 0 ? "" : $" ({string.Join(", ", table.Columns.Select(c => c.Quoted))})";
            var copy = await connection.BeginTextImportAsync($"COPY {table.QualifiedName}{columns} FROM STDIN", cancellationToken);
            try
            {
                while (items.Read() is { } item)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    CopyText.AppendRow(row, item, table, positions, values, collectionId, textMarkers: formatVersion >= 3);
                    written++;
                    if (row.Length >= CopyChunk)
                    {
                        await copy.WriteAsync(row, cancellationToken);
                        row.Clear();
                    }
                }
                await copy.WriteAsync(row, cancellationToken);
            }
            catch
            {
                // Disposing the writer would end the COPY as if complete; a refused item must abort it instead
                // (and a cancelled writer is not disposed: that would flush into the ended COPY).
                await AbortAsync(copy.CancelAsync);
                throw;
            }
            await copy.DisposeAsync(); // ends the COPY; PostgreSQL checks every row here
            return written;
        }
        catch (Exception e) when (e is NpgsqlException || PostgreSqlErrors.IsLost(connection))
        {
            throw PostgreSqlErrors.Translate(e, siteId, connection);
        }
    }

    /// <summary>Aborts a COPY after a failure. A connection that is gone cannot take the abort, and then the failure
    /// that ended it is the one to report, not the abort's.</summary>
    private async Task AbortAsync(Func<Task> cancel)
    {
        try
        {
            await cancel();
        }
        catch (Exception) when (PostgreSqlErrors.IsLost(connection))
        {
            // Nothing to abort: the server dropped the COPY with the connection.
        }
    }

    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) =>
        PostgreSqlSession.ExecuteAsync(connection, transaction, sql, cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CheckCountsAsync(cancellationToken);
            // The restore deferred every deferrable constraint; their checks still pending (a deferrable key to a table
            // outside the restore, as Django makes them) would make PostgreSQL refuse the ALTER TABLE of a key or a
            // trigger coming back (55006). Checked now, in the same transaction: a row they refuse fails the restore,
            // as it would have at the commit.
            await ExecuteAsync("SET CONSTRAINTS ALL IMMEDIATE", cancellationToken);
            // Indexes before keys (a key needs the unique index it refers to), and before the sequences move (each
            // takes the largest value of its column, which an index gives at once).
            if (indexes is not null) await indexes.BuildAsync(cancellationToken);
            foreach (var table in written.Keys) await MoveSequencesAsync(table, cancellationToken);
            if (setAside is not null) await setAside.AddBackAsync(siteId, cancellationToken);
            if (paused is not null) await paused.ResumeAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException || PostgreSqlErrors.IsLost(connection))
        {
            throw PostgreSqlErrors.Translate(e, siteId, connection);
        }
    }

    /// <summary>Every table written holds exactly the rows written into it (a rule, say, could otherwise have sent
    /// some elsewhere while every statement succeeded).</summary>
    private async Task CheckCountsAsync(CancellationToken cancellationToken)
    {
        foreach (var (table, rows) in written)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table.Rows}", connection, transaction);
            long held = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            if (held != rows)
                throw new BackupException(BackupError.OperationFailed,
                    $"After {rows} rows were written into {table.QualifiedName}, it holds {held}: something changed them as they went in. Nothing was restored.", siteId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    private PostgreSqlTable Table(string collectionId) =>
        tables.FirstOrDefault(t => string.Equals(t.Collection.Id, collectionId, StringComparison.Ordinal))
        ?? throw new BackupException(BackupError.CollectionNotFound, $"The site '{siteId}' has no collection '{collectionId}'.", collectionId);

    /// <summary>INSERT ... SELECT from the staged items: one row per item through json_populate_record, except that a
    /// json column's <c>{"$json": null}</c> becomes a JSON null rather than SQL NULL.</summary>
    private static string InsertSql(PostgreSqlTable table)
    {
        var values = table.Columns.Select(c => c.Kind == ColumnKind.Json
            ? $"CASE WHEN json_typeof(s.item -> {PostgreSqlSchema.Literal(c.Name)}) = 'object' AND (s.item -> {PostgreSqlSchema.Literal(c.Name)})::jsonb = '{{\"{PostgreSqlSchema.JsonMarker}\": null}}'::jsonb THEN 'null'::{c.Type} ELSE r.{c.Quoted} END"
            : $"r.{c.Quoted}");
        return $"INSERT INTO {table.QualifiedName} ({string.Join(", ", table.Columns.Select(c => c.Quoted))}) OVERRIDING SYSTEM VALUE " +
               $"SELECT {string.Join(", ", values)} FROM {StagingTable} AS s, LATERAL json_populate_record(NULL::{table.QualifiedName}, s.item) AS r";
    }

    /// <summary>Copies one item into the batch, turning the markers PostgreSQL does not read into the text its input
    /// functions take: <c>$date</c> into the ISO string, <c>$binary</c> into <c>\x</c> hex, <c>$double</c> into
    /// NaN or Infinity. Only for columns of those types: in a json column, an object is just an object.</summary>
    private static void WriteItem(Utf8JsonWriter json, JsonElement item, Dictionary<string, PostgreSqlColumn> columns, string collectionId)
    {
        json.WriteStartObject();
        foreach (var property in item.EnumerateObject())
        {
            if (!columns.TryGetValue(property.Name, out var column))
                throw ShapeErrors.ColumnMissing(collectionId, property.Name);
            json.WritePropertyName(property.Name);
            if (column.Kind is not (ColumnKind.Plain or ColumnKind.Json)
                && ItemValues.TryGetMarker(property.Value, out string marker, out string text))
            {
                json.WriteStringValue(marker == ItemValues.BinaryMarker ? CopyText.BinaryText(text, collectionId) : text);
            }
            else
            {
                // The value's own text, not a re-serialisation: a json column keeps its spacing and key order.
                json.WriteRawValue(property.Value.GetRawText(), skipInputValidation: true);
            }
        }
        json.WriteEndObject();
    }

    /// <summary>Moves each serial or identity sequence of the table past the largest value now in it (never back).</summary>
    private async Task MoveSequencesAsync(PostgreSqlTable table, CancellationToken cancellationToken)
    {
        foreach (var column in table.Columns)
        {
            await using var find = new NpgsqlCommand("SELECT pg_get_serial_sequence($1, $2)", connection, transaction);
            find.Parameters.AddWithValue(table.QualifiedName);
            find.Parameters.AddWithValue(column.Name);
            if (await find.ExecuteScalarAsync(cancellationToken) is not string sequence) continue;
            string sql =
                $"SELECT setval($1, m) FROM (SELECT max({column.Quoted})::bigint AS m FROM {table.QualifiedName}) AS x " +
                "WHERE m IS NOT NULL AND m > COALESCE(pg_sequence_last_value($1::regclass), 0)";
            await using var move = new NpgsqlCommand(sql, connection, transaction);
            move.Parameters.AddWithValue(sequence);
            await move.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
