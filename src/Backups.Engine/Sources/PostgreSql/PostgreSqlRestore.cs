using System.Buffers;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// Replaces tables inside one transaction: TRUNCATE of every table being restored (DELETE when a table outside
/// the restore refers to one of them), then set-based inserts
/// of a thousand items at a time (<c>json_populate_record</c> turns each item into a row of the table's own types,
/// so numerics stay exact and arrays, json and uuid arrive as they left), referenced tables first. Identity and
/// serial columns keep the backup's values, and their sequences are moved past them.
/// </summary>
internal sealed class PostgreSqlRestore(
    string siteId, string schema, NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PostgreSqlTable> tables) : ISiteRestore
{
    private const int BatchItems = 1000;
    private const int BatchBytes = 8 * 1024 * 1024;

    public IReadOnlyList<CollectionInfo> Collections { get; } = tables.Select(t => t.Collection).ToList();

    public async Task<IReadOnlyList<string>> ClearAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken)
    {
        if (collectionIds.Count == 0) return collectionIds;
        try
        {
            var keys = await ReadForeignKeysAsync(cancellationToken);
            RefuseCascadesFromOutside(keys, collectionIds);
            var order = OrderByReferences(keys, collectionIds);
            if (!keys.Any(k => ids(k.Parent) && !IsRestored(k, collectionIds)))
            {
                // Nothing outside refers to these tables: one TRUNCATE empties them all without checking a foreign
                // key per row (which, on a referring column without an index, costs a scan per deleted row).
                // Readers and writers of these tables wait for the commit instead of seeing the old rows.
                string names = string.Join(", ", collectionIds.Select(id => Table(id).QualifiedName));
                await using var truncate = new NpgsqlCommand($"TRUNCATE {names}", connection, transaction);
                await truncate.ExecuteNonQueryAsync(cancellationToken);
                return order;
            }
            // A table outside the restore refers to one of them (without an ON DELETE action, refused above):
            // TRUNCATE cannot, DELETE can when no outside row refers to a deleted one. Referring tables first.
            foreach (string id in Enumerable.Reverse(order))
            {
                await using var delete = new NpgsqlCommand($"DELETE FROM {Table(id).QualifiedName}", connection, transaction);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            return order;

            bool ids(string table) => collectionIds.Contains(table, StringComparer.Ordinal);
        }
        catch (PostgresException e) when (e.SqlState == "23503")
        {
            throw new BackupException(BackupError.InvalidArgument,
                $"A table outside this restore refers to rows of one being restored ({e.MessageText}); restore them together.", siteId, e);
        }
        catch (NpgsqlException e)
        {
            throw PostgreSqlErrors.Translate(e, siteId);
        }
    }

    /// <summary>A foreign key: <see cref="Child"/> (in <see cref="ChildSchema"/>) refers to <see cref="Parent"/> of the
    /// site's schema; <see cref="OnDelete"/> is PostgreSQL's code for its delete action (c cascade, n set null, d set
    /// default, a no action, r restrict).</summary>
    private sealed record ForeignKey(string ChildSchema, string Child, string Parent, char OnDelete);

    private async Task<List<ForeignKey>> ReadForeignKeysAsync(CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT cn.nspname, child.relname, parent.relname, k.confdeltype
            FROM pg_constraint k
            JOIN pg_class child ON child.oid = k.conrelid
            JOIN pg_namespace cn ON cn.oid = child.relnamespace
            JOIN pg_class parent ON parent.oid = k.confrelid
            JOIN pg_namespace pn ON pn.oid = parent.relnamespace
            WHERE k.contype = 'f' AND pn.nspname = $1 AND child.oid <> parent.oid
            """;
        var keys = new List<ForeignKey>();
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue(schema);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(new ForeignKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetChar(3)));
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
        var byName = table.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        string sql = InsertSql(table);
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long written = 0;
        int batched = 0;
        try
        {
            json.WriteStartArray();
            while (items.Read() is { } document)
            {
                using (document)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    WriteItem(json, document.RootElement, byName, collectionId);
                }
                batched++;
                json.Flush();
                if (batched >= BatchItems || buffer.WrittenCount >= BatchBytes)
                {
                    written += await FlushAsync(sql, json, buffer, cancellationToken);
                    batched = 0;
                }
            }
            if (batched > 0) written += await FlushAsync(sql, json, buffer, cancellationToken);
            await MoveSequencesAsync(table, cancellationToken);
            return written;
        }
        catch (NpgsqlException e)
        {
            throw PostgreSqlErrors.Translate(e, siteId);
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch (NpgsqlException e)
        {
            throw PostgreSqlErrors.Translate(e, siteId);
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

    /// <summary>INSERT ... SELECT from the batch: one row per item through json_populate_record, except that a
    /// json column's <c>{"$json": null}</c> becomes a JSON null rather than SQL NULL.</summary>
    private static string InsertSql(PostgreSqlTable table)
    {
        var values = table.Columns.Select(c => c.Kind == ColumnKind.Json
            ? $"CASE WHEN json_typeof(e -> {Literal(c.Name)}) = 'object' AND (e -> {Literal(c.Name)})::jsonb = '{{\"{PostgreSqlSchema.JsonNullMarker}\": null}}'::jsonb THEN 'null'::{c.Type} ELSE r.{c.Quoted} END"
            : $"r.{c.Quoted}");
        return $"INSERT INTO {table.QualifiedName} ({string.Join(", ", table.Columns.Select(c => c.Quoted))}) OVERRIDING SYSTEM VALUE " +
               $"SELECT {string.Join(", ", values)} FROM json_array_elements($1) AS e, LATERAL json_populate_record(NULL::{table.QualifiedName}, e) AS r";
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Copies one item into the batch, turning the markers PostgreSQL does not read into the text its input
    /// functions take: <c>$date</c> into the ISO string, <c>$binary</c> into <c>\x</c> hex, <c>$double</c> into
    /// NaN or Infinity. Only for columns of those types: in a json column, an object is just an object.</summary>
    private static void WriteItem(Utf8JsonWriter json, JsonElement item, Dictionary<string, PostgreSqlColumn> columns, string collectionId)
    {
        json.WriteStartObject();
        foreach (var property in item.EnumerateObject())
        {
            if (!columns.TryGetValue(property.Name, out var column))
                throw new BackupException(BackupError.InvalidArgument,
                    $"Collection '{collectionId}' has no column '{property.Name}' that the backup holds; the table's shape has changed since the backup.",
                    collectionId);
            json.WritePropertyName(property.Name);
            if (column.Kind is not (ColumnKind.Plain or ColumnKind.Json)
                && ItemValues.TryGetMarker(property.Value, out string marker, out string text))
            {
                json.WriteStringValue(marker == ItemValues.BinaryMarker ? BinaryText(text, collectionId) : text);
            }
            else
            {
                // The value's own text, not a re-serialisation: a json column keeps its spacing and key order.
                json.WriteRawValue(property.Value.GetRawText(), skipInputValidation: true);
            }
        }
        json.WriteEndObject();
    }

    private static string BinaryText(string base64, string collectionId)
    {
        try
        {
            return "\\x" + Convert.ToHexStringLower(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new BackupException(BackupError.ArchiveCorrupt, "The archive is corrupt: a $binary value is not base64.", collectionId);
        }
    }

    private async Task<long> FlushAsync(string sql, Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        json.WriteEndArray();
        json.Flush();
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Json, Value = Encoding.UTF8.GetString(buffer.WrittenSpan) });
        long rows = await command.ExecuteNonQueryAsync(cancellationToken);
        buffer.ResetWrittenCount();
        json.Reset();
        json.WriteStartArray();
        return rows;
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
