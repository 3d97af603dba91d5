using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Model;
using SQLitePCL;

namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// Reads a SQLite file inside one read transaction, through SQLite's own C API (Microsoft.Data.Sqlite would turn
/// every TEXT value into a .NET string, and text that is not valid UTF-8 into U+FFFD). Each value keeps its storage
/// class: INTEGER as a JSON integer, REAL as a JSON float (2.0, never 2), TEXT as a string (or its bytes, when they are
/// not valid in the file's encoding), BLOB as <c>{"$binary": ...}</c>, NULL as null. A row whose rowid is no column of
/// its own carries it in the property the manifest names; a virtual table kept through its shadow tables is their
/// rows; definitions, sequences and statistics are read in the same transaction.
/// </summary>
internal sealed class SqliteSnapshot(
    SqliteConnection connection, SqliteTransaction transaction, SqliteCatalog catalog, SqliteEncoding encoding) : ISiteSnapshot
{
    public IReadOnlyList<CollectionInfo> Collections { get; } = catalog.Tables.Select(t => t.Collection).ToList();

    /// <summary>The file's omissions (virtual tables that cannot be read or written), and of the selected tables:
    /// rowids that cannot be read, and an FTS index over another table's content that is backed up without that table
    /// (a restore rebuilds it from whatever that table then holds).</summary>
    public IReadOnlyList<Omission> Omissions(IReadOnlyList<CollectionInfo> selected)
    {
        var omissions = catalog.Omissions.ToList();
        var names = selected.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var table in catalog.Tables.Where(t => names.Contains(t.Name)))
        {
            if (table.RowidUnreachable)
                omissions.Add(new Omission(table.Name, "its rowids cannot be read, because its columns take every name for them (rowid, oid and _rowid_); its rows are kept without them."));
            if (table.Kind == SqliteTableKind.Rebuilt && table.ContentTable is { } content && !names.Contains(content, SqliteNames.Comparer))
                omissions.Add(new Omission(table.Name, $"it is a full-text index over '{content}', which this backup does not hold: a restore rebuilds it from what '{content}' holds then."));
        }
        return omissions;
    }

    public CollectionLayout Layout(CollectionInfo collection)
    {
        var table = Table(collection);
        return table.Kind switch
        {
            SqliteTableKind.Shadowed => new CollectionLayout { Storage = CollectionLayout.ShadowTables, Rowid = SqliteItems.RowidProperty(table), Defined = true },
            SqliteTableKind.Rebuilt => new CollectionLayout { Storage = CollectionLayout.Rebuilt, Defined = true },
            _ => new CollectionLayout { Rowid = table.Rowid is null ? null : SqliteItems.RowidProperty(table), Defined = table.Sql is not null },
        };
    }

    public async Task<long> CountAsync(CollectionInfo collection, CancellationToken cancellationToken)
    {
        var table = Table(collection);
        long count = 0;
        foreach (var part in Parts(table)) count += await CountAsync(part, cancellationToken);
        return count;
    }

    private async Task<long> CountAsync(SqliteTable table, CancellationToken cancellationToken)
    {
        using var command = SqliteSchema.Command(connection, transaction, $"SELECT count(*) FROM {table.QuotedName}");
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, connection.DataSource);
        }
    }

    /// <summary>The tables whose rows are the collection's items: itself, its shadow tables, or none.</summary>
    private static IReadOnlyList<SqliteTable> Parts(SqliteTable table) => table.Kind switch
    {
        SqliteTableKind.Shadowed => table.Shadows,
        SqliteTableKind.Rebuilt => [],
        _ => [table],
    };

    public Task ExportAsync(CollectionInfo collection, ItemWriter items, CancellationToken cancellationToken)
    {
        var table = Table(collection);
        string rowidProperty = SqliteItems.RowidProperty(table);
        try
        {
            foreach (var part in Parts(table))
                Export(part, table.Kind == SqliteTableKind.Shadowed ? part.Suffix : null, rowidProperty, items, cancellationToken);
            return Task.CompletedTask;
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, connection.DataSource);
        }
    }

    private void Export(SqliteTable table, string? shadow, string rowidProperty, ItemWriter items, CancellationToken cancellationToken)
    {
        var names = table.Columns.Select(c => JsonEncodedText.Encode(c)).ToArray();
        var rowidName = JsonEncodedText.Encode(rowidProperty);
        var shadowName = JsonEncodedText.Encode(CollectionLayout.ShadowProperty);
        bool withRowid = table.Rowid is not null;
        var selected = (withRowid ? [table.Rowid!] : Array.Empty<string>()).Concat(table.Columns).Select(SqliteSchema.Quote);
        var db = connection.Handle!;
        using var statement = SqliteItems.Prepare(db, $"SELECT {string.Join(", ", selected.DefaultIfEmpty("NULL"))} FROM {table.QuotedName}");
        var json = items.Json;
        while (SqliteItems.Step(db, statement))
        {
            cancellationToken.ThrowIfCancellationRequested();
            json.WriteStartObject();
            if (shadow is not null) json.WriteString(shadowName, shadow);
            int first = 0;
            if (withRowid)
            {
                json.WriteNumber(rowidName, raw.sqlite3_column_int64(statement, 0));
                first = 1;
            }
            for (int i = 0; i < names.Length; i++)
            {
                json.WritePropertyName(names[i]);
                WriteValue(json, statement, first + i);
            }
            json.WriteEndObject();
            items.EndItem();
        }
    }

    private void WriteValue(Utf8JsonWriter json, sqlite3_stmt statement, int i)
    {
        switch (raw.sqlite3_column_type(statement, i))
        {
            case raw.SQLITE_INTEGER:
                json.WriteNumberValue(raw.sqlite3_column_int64(statement, i));
                return;
            case raw.SQLITE_FLOAT:
                ItemValues.WriteDouble(json, raw.sqlite3_column_double(statement, i));
                return;
            case raw.SQLITE_BLOB:
                ItemValues.WriteBinary(json, raw.sqlite3_column_blob(statement, i));
                return;
            case raw.SQLITE_TEXT:
                // column_blob gives a TEXT value's bytes as the file keeps them, in its encoding, unconverted.
                var bytes = raw.sqlite3_column_blob(statement, i);
                if (encoding == SqliteEncoding.Utf8) ItemValues.WriteUtf8Text(json, bytes);
                else ItemValues.WriteUtf16Text(json, Utf16(bytes));
                return;
            default:
                json.WriteNullValue();
                return;
        }
    }

    /// <summary>A UTF-16 value's code units, in this machine's order whatever the file's.</summary>
    private ReadOnlySpan<char> Utf16(ReadOnlySpan<byte> bytes)
    {
        var units = MemoryMarshal.Cast<byte, char>(bytes);
        if ((encoding == SqliteEncoding.Utf16Le) == BitConverter.IsLittleEndian) return units;
        var swapped = new char[units.Length];
        for (int i = 0; i < units.Length; i++) swapped[i] = (char)BinaryPrimitives.ReverseEndianness(units[i]);
        return swapped;
    }

    public async Task<byte[]?> ReadDefinitionsAsync(IReadOnlyList<CollectionInfo> collections, CancellationToken cancellationToken)
    {
        try
        {
            return await SqliteDefinitions.ReadAsync(connection, transaction, collections.Select(Table).ToList(), catalog.Computed, cancellationToken);
        }
        catch (SqliteException e)
        {
            throw SqliteConnections.Translate(e, connection.DataSource);
        }
    }

    private SqliteTable Table(CollectionInfo collection) =>
        catalog.Tables.First(t => string.Equals(t.Collection.Id, collection.Id, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
