using Npgsql;
using SiteBackup.Engine.Archive;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>Reads tables inside one repeatable-read transaction, each table's own rows only (never those of the
/// tables that inherit from it). The server builds each item's JSON (<c>row_to_json</c>, see
/// <see cref="PostgreSqlSchema.ExportExpression"/>), so exact numerics, arrays and json columns keep PostgreSQL's own
/// text; rows stream one at a time.</summary>
internal sealed class PostgreSqlSnapshot(string siteId, NpgsqlConnection connection, IReadOnlyList<PostgreSqlTable> tables) : ISiteSnapshot
{
    public IReadOnlyList<CollectionInfo> Collections { get; } = tables.Select(t => t.Collection).ToList();

    public async Task<long> CountAsync(CollectionInfo collection, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Table(collection).Rows}", connection);
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception e) when (e is NpgsqlException || PostgreSqlErrors.IsLost(connection))
        {
            throw PostgreSqlErrors.Translate(e, siteId, connection);
        }
    }

    public async Task ExportAsync(CollectionInfo collection, ItemWriter items, CancellationToken cancellationToken)
    {
        var table = Table(collection);
        string columns = string.Join(", ", table.Columns.Select(c => $"{PostgreSqlSchema.ExportExpression(c)} AS {c.Quoted}"));
        string sql = $"SELECT row_to_json(sb_row.*)::text FROM (SELECT {columns} FROM {table.Rows}) AS sb_row";
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Json.WriteRawValue(reader.GetString(0), skipInputValidation: true);
                items.EndItem();
            }
        }
        catch (Exception e) when (e is NpgsqlException || PostgreSqlErrors.IsLost(connection))
        {
            throw PostgreSqlErrors.Translate(e, siteId, connection);
        }
    }

    private PostgreSqlTable Table(CollectionInfo collection) =>
        tables.First(t => string.Equals(t.Collection.Id, collection.Id, StringComparison.Ordinal));

    public async ValueTask DisposeAsync() => await connection.DisposeAsync();
}
