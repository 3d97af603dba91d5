using System.Text.Json;
using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Archive;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>Reads tables inside one read transaction. Each value keeps its SQLite storage class: INTEGER as a
/// JSON integer, REAL as a JSON float (2.0, never 2), TEXT as a string, BLOB as <c>{"$binary": ...}</c>, NULL as
/// null. Declared column types do not matter to SQLite and are not consulted.</summary>
internal sealed class SqliteSnapshot(
    SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<SqliteTable> tables) : ISiteSnapshot
{
    public IReadOnlyList<CollectionInfo> Collections { get; } = tables.Select(t => t.Collection).ToList();

    public async Task<long> CountAsync(CollectionInfo collection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT count(*) FROM {Table(collection).QuotedName}";
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, connection.DataSource);
        }
    }

    public async Task ExportAsync(CollectionInfo collection, ItemWriter items, CancellationToken cancellationToken)
    {
        var table = Table(collection);
        var names = table.Columns.Select(c => JsonEncodedText.Encode(c)).ToArray();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(SqliteSchema.Quote))} FROM {table.QuotedName}";
        try
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var json = items.Json;
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                json.WriteStartObject();
                for (int i = 0; i < names.Length; i++)
                {
                    json.WritePropertyName(names[i]);
                    WriteValue(json, reader, i);
                }
                json.WriteEndObject();
                items.EndItem();
            }
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, connection.DataSource);
        }
    }

    private static void WriteValue(Utf8JsonWriter json, SqliteDataReader reader, int i)
    {
        if (reader.IsDBNull(i))
        {
            json.WriteNullValue();
            return;
        }
        // On a row, GetFieldType reports the storage class of this very value, not the column's declared type.
        var type = reader.GetFieldType(i);
        if (type == typeof(long)) json.WriteNumberValue(reader.GetInt64(i));
        else if (type == typeof(double)) ItemValues.WriteDouble(json, reader.GetDouble(i));
        else if (type == typeof(byte[])) ItemValues.WriteBinary(json, reader.GetFieldValue<byte[]>(i));
        else json.WriteStringValue(reader.GetString(i));
    }

    private SqliteTable Table(CollectionInfo collection) =>
        tables.First(t => string.Equals(t.Collection.Id, collection.Id, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
