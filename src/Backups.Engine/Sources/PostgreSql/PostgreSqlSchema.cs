using Npgsql;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>How a column's values travel in an item.</summary>
internal enum ColumnKind
{
    /// <summary>As PostgreSQL's own JSON for the type: numbers exact, booleans, text and the types whose JSON is their
    /// text (uuid, inet, interval, enums, ranges, geometry, ...).</summary>
    Plain,
    /// <summary>date, timestamp, timestamptz: <c>{"$date": ...}</c>.</summary>
    Date,
    /// <summary>bytea: <c>{"$binary": base64}</c>.</summary>
    Binary,
    /// <summary>json, jsonb: the JSON itself; <c>{"$json": null}</c> for a JSON null (so it stays apart from SQL NULL),
    /// <c>{"$json": "text"}</c> for a value whose text the item could not keep otherwise (spacing around it) or that
    /// would read as a marker.</summary>
    Json,
    /// <summary>real, double precision, numeric: numbers, with NaN and infinities as <c>{"$double": ...}</c>.</summary>
    Float,
    /// <summary>An array of numbers, booleans or strings: a JSON array when its bounds start at 1, else its text
    /// (<c>[0:2]={1,2,3}</c>), which PostgreSQL reads back as it wrote it.</summary>
    Array,
    /// <summary>Everything whose JSON would not read back as the same value (composites, hstore and other extension
    /// types, arrays of anything but numbers, booleans and strings): its text, as the type's output function writes it
    /// and its input function reads it, as pg_dump keeps every value.</summary>
    Text,
}

/// <summary>A column: its name, its base type's name, and how its values travel. <paramref name="Structured"/>: a
/// composite or extension type (or an array of one), whose values archives before format 2's text values kept as
/// JSON objects or arrays that only PostgreSQL's own JSON functions turn back into values.</summary>
internal sealed record PostgreSqlColumn(string Name, string Type, ColumnKind Kind, bool Structured = false)
{
    public string Quoted => PostgreSqlSchema.Quote(Name);
}

/// <summary>A table of the schema and the columns an item carries (generated columns are PostgreSQL's to compute).
/// <paramref name="Partitioned"/>: read and written through the parent, which holds no rows of its own; any other
/// table is read, emptied and counted <c>ONLY</c> itself, never with the tables that inherit from it.</summary>
internal sealed record PostgreSqlTable(CollectionInfo Collection, string QualifiedName, IReadOnlyList<PostgreSqlColumn> Columns, bool Partitioned = false)
{
    /// <summary>The table's own rows, as a FROM or TRUNCATE names them.</summary>
    public string Rows => Partitioned ? QualifiedName : "ONLY " + QualifiedName;
}

internal static class PostgreSqlSchema
{
    public const string JsonMarker = "$json";

    public static async Task<bool> SchemaExistsAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", connection);
        command.Parameters.AddWithValue(schema);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Every ordinary and partitioned table of <paramref name="schema"/> (partitions are read through their
    /// parent), with its columns in order; a table without columns too (its rows are empty items).</summary>
    public static async Task<IReadOnlyList<PostgreSqlTable>> ReadTablesAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT c.relname, c.relkind = 'p', a.attname, bt.typname, a.attgenerated <> '', a.attndims > 0 OR bt.typcategory = 'A',
                   bt.typtype = 'c' OR (bt.typcategory = 'U' AND bt.typnamespace <> 'pg_catalog'::regnamespace)
                     OR COALESCE(et.typtype = 'c' OR (et.typcategory = 'U' AND et.typnamespace <> 'pg_catalog'::regnamespace), false),
                   COALESCE(ebt.typnamespace = 'pg_catalog'::regnamespace AND ebt.typcategory IN ('N', 'B', 'S'), false)
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            LEFT JOIN pg_catalog.pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
            LEFT JOIN pg_catalog.pg_type ebt ON ebt.oid = CASE WHEN et.typtype = 'd' THEN et.typbasetype ELSE et.oid END
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ORDER BY c.relname COLLATE "C", a.attnum
            """;
        var tables = new List<(string Name, bool Partitioned, List<PostgreSqlColumn> Columns)>();
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            command.Parameters.AddWithValue(schema);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                string name = reader.GetString(0);
                if (tables.Count == 0 || tables[^1].Name != name) tables.Add((name, reader.GetBoolean(1), []));
                if (reader.IsDBNull(2) || reader.GetBoolean(4)) continue; // no columns, or a generated one
                string type = reader.GetString(3);
                bool structured = reader.GetBoolean(6);
                var kind = reader.GetBoolean(5) ? (reader.GetBoolean(7) ? ColumnKind.Array : ColumnKind.Text)
                    : structured ? ColumnKind.Text
                    : KindOf(type);
                tables[^1].Columns.Add(new PostgreSqlColumn(reader.GetString(2), type, kind, structured));
            }
        }
        return tables
            .Select(t => new PostgreSqlTable(new CollectionInfo(t.Name, t.Name), $"{Quote(schema)}.{Quote(t.Name)}", t.Columns, t.Partitioned))
            .ToList();
    }

    private static ColumnKind KindOf(string type) => type switch
    {
        "date" or "timestamp" or "timestamptz" => ColumnKind.Date,
        "bytea" => ColumnKind.Binary,
        "json" or "jsonb" => ColumnKind.Json,
        "float4" or "float8" or "numeric" => ColumnKind.Float,
        _ => ColumnKind.Plain,
    };

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The SQL for one column's value as JSON in an item (see <see cref="ColumnKind"/>).</summary>
    public static string ExportExpression(PostgreSqlColumn column)
    {
        string q = column.Quoted;
        return column.Kind switch
        {
            ColumnKind.Date => $"CASE WHEN {q} IS NULL THEN NULL ELSE json_build_object('$date', {q}) END",
            ColumnKind.Binary => $"CASE WHEN {q} IS NULL THEN NULL ELSE json_build_object('$binary', translate(encode({q}, 'base64'), E'\\n', '')) END",
            // The text form where the value alone would not come back as it is: spacing around it (an item keeps the
            // JSON, not the spaces), or an object that reads as the marker itself.
            ColumnKind.Json =>
                $"CASE WHEN {q} IS NULL THEN NULL " +
                $"WHEN {q}::text <> btrim({q}::text, E' \\t\\n\\r') OR (json_typeof({q}::json) = 'object' AND ARRAY(SELECT json_object_keys({q}::json)) = ARRAY['{JsonMarker}']) " +
                $"THEN json_build_object('{JsonMarker}', {q}::text) " +
                $"WHEN json_typeof({q}::json) = 'null' THEN '{{\"{JsonMarker}\": null}}'::json ELSE {q}::json END",
            ColumnKind.Float => $"CASE WHEN {q} IS NULL THEN NULL WHEN {q}::text IN ('NaN', 'Infinity', '-Infinity') THEN json_build_object('$double', {q}::text) ELSE to_json({q}) END",
            ColumnKind.Array => $"CASE WHEN {q} IS NULL THEN NULL WHEN array_dims({q}) IS NULL OR array_dims({q}) ~ '^(\\[1:[0-9]+\\])+$' THEN to_json({q}) ELSE to_json({q}::text) END",
            ColumnKind.Text => $"{q}::text",
            _ => q,
        };
    }
}
