using System.Text.Json;
using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// Replaces tables inside one write transaction: DELETE, then one prepared INSERT per item. Nothing is visible to
/// other connections until the commit, so each table holds all its old rows or all the backup's.
/// </summary>
internal sealed class SqliteRestore(
    string path, SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<SqliteTable> tables) : ISiteRestore
{
    public IReadOnlyList<CollectionInfo> Collections { get; } = tables.Select(t => t.Collection).ToList();

    /// <summary>Foreign keys are not enforced on this connection, so any order will do.</summary>
    public async Task<IReadOnlyList<string>> ClearAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken)
    {
        try
        {
            foreach (string id in collectionIds)
            {
                using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = $"DELETE FROM {Table(id).QuotedName}";
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            return collectionIds;
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, path);
        }
    }

    public Task<long> WriteAsync(string collectionId, ItemReader items, CancellationToken cancellationToken)
    {
        var table = Table(collectionId);
        var columns = new HashSet<string>(table.Columns, StringComparer.OrdinalIgnoreCase);
        try
        {
            using var inserts = new InsertCommands(connection, transaction, table);
            long written = 0;
            while (items.Read() is { } document)
            {
                using (document)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var command = inserts.For(document.RootElement, columns, collectionId);
                    int p = 0;
                    foreach (var property in document.RootElement.EnumerateObject())
                        command.Parameters[p++].Value = ToSqlite(property.Value);
                    command.ExecuteNonQuery();
                    written++;
                }
            }
            return Task.FromResult(written);
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, path);
        }
    }

    private SqliteTable Table(string collectionId) =>
        tables.FirstOrDefault(t => string.Equals(t.Collection.Id, collectionId, StringComparison.Ordinal))
        ?? throw new BackupException(BackupError.CollectionNotFound, $"The site has no collection '{collectionId}'.", collectionId);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, path);
        }
    }

    /// <summary>The SQLite value for a JSON value, so that it is stored with the storage class it was read with.</summary>
    private static object ToSqlite(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return DBNull.Value;
            case JsonValueKind.String:
                return value.GetString()!;
            case JsonValueKind.True:
                return 1L;
            case JsonValueKind.False:
                return 0L;
            case JsonValueKind.Number:
                // TryGetInt64 takes plain integers only: "2.0" and "1E+20" fall through to REAL, as they were written.
                if (value.TryGetInt64(out long integer)) return integer;
                return value.GetDouble();
            default:
                if (ItemValues.TryGetMarker(value, out string marker, out string text))
                {
                    switch (marker)
                    {
                        case ItemValues.BinaryMarker:
                            try { return Convert.FromBase64String(text); }
                            catch (FormatException) { throw new BackupException(BackupError.ArchiveCorrupt, "The archive is corrupt: a $binary value is not base64.", null); }
                        case ItemValues.DoubleMarker:
                            return double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                        case ItemValues.DateMarker:
                            return text; // SQLite keeps dates as ISO 8601 text.
                    }
                }
                // Objects and arrays from sites with JSON columns are kept as their JSON text.
                return value.GetRawText();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    /// <summary>Prepared INSERT statements, one per distinct list of properties (almost always just one).</summary>
    private sealed class InsertCommands(SqliteConnection connection, SqliteTransaction transaction, SqliteTable table) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _byShape = new(StringComparer.Ordinal);
        private readonly List<string> _names = [];
        private SqliteCommand? _last;
        private string[] _lastNames = [];

        public SqliteCommand For(JsonElement item, HashSet<string> columns, string collectionId)
        {
            _names.Clear();
            foreach (var property in item.EnumerateObject()) _names.Add(property.Name);
            if (_last is not null && _names.SequenceEqual(_lastNames, StringComparer.Ordinal)) return _last;

            string shape = string.Join('\0', _names);
            if (!_byShape.TryGetValue(shape, out var command))
            {
                foreach (string name in _names)
                {
                    if (!columns.Contains(name))
                        throw new BackupException(
                            BackupError.InvalidArgument,
                            $"Collection '{collectionId}' has no column '{name}' that the backup holds; the table's shape has changed since the backup.",
                            collectionId);
                }
                command = connection.CreateCommand();
                command.Transaction = transaction;
                var placeholders = _names.Select((_, i) => "$p" + i).ToList();
                command.CommandText = _names.Count == 0
                    ? $"INSERT INTO {table.QuotedName} DEFAULT VALUES"
                    : $"INSERT INTO {table.QuotedName} ({string.Join(", ", _names.Select(SqliteSchema.Quote))}) VALUES ({string.Join(", ", placeholders)})";
                foreach (string placeholder in placeholders) command.Parameters.Add(new SqliteParameter(placeholder, null));
                command.Prepare();
                _byShape.Add(shape, command);
            }
            _last = command;
            _lastNames = [.. _names];
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _byShape.Values) command.Dispose();
        }
    }
}
