using Npgsql;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>How a column's values travel in an item.</summary>
internal enum ColumnKind
{
    /// <summary>As PostgreSQL's own JSON for the type (numbers exact, text, booleans, arrays, uuid, ...).</summary>
    Plain,
    /// <summary>date, timestamp, timestamptz: <c>{"$date": ...}</c>.</summary>
    Date,
    /// <summary>bytea: <c>{"$binary": base64}</c>.</summary>
    Binary,
    /// <summary>json, jsonb: the JSON itself; a JSON null is <c>{"$json": null}</c> so it stays apart from SQL NULL.</summary>
    Json,
    /// <summary>real, double precision, numeric: numbers, with NaN and infinities as <c>{"$double": ...}</c>.</summary>
    Float,
}

/// <summary>A column: its name, its base type's name, how its values travel, and whether it is
/// <paramref name="Structured"/>: a composite or extension type (or an array of one), whose values may travel as
/// JSON objects that only PostgreSQL's own JSON functions turn back into values. Built-in types of the "user-defined"
/// category (json, jsonb, uuid, xml, ...) are not: their JSON is their text.</summary>
internal sealed record PostgreSqlColumn(string Name, string Type, ColumnKind Kind, bool Structured = false)
{
    public string Quoted => PostgreSqlSchema.Quote(Name);
}

/// <summary>A table of the schema and the columns an item carries (generated columns are PostgreSQL's to compute).</summary>
internal sealed record PostgreSqlTable(CollectionInfo Collection, string QualifiedName, IReadOnlyList<PostgreSqlColumn> Columns)
{
    /// <summary>True when every value can be written in COPY's text format by SiteBackup itself.</summary>
    public bool TakesCopyText => !Columns.Any(c => c.Structured);
}

internal static class PostgreSqlSchema
{
    public const string JsonNullMarker = "$json";

    public static async Task<bool> SchemaExistsAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = $1", connection);
        command.Parameters.AddWithValue(schema);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Every ordinary and partitioned table of <paramref name="schema"/> (partitions are read through their
    /// parent), with its columns in order.</summary>
    public static async Task<IReadOnlyList<PostgreSqlTable>> ReadTablesAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT c.relname, a.attname, bt.typname, a.attgenerated <> '' AS generated, a.attndims > 0 OR bt.typcategory = 'A' AS is_array,
                   bt.typtype = 'c' OR (bt.typcategory = 'U' AND bt.typnamespace <> 'pg_catalog'::regnamespace)
                     OR COALESCE(et.typtype = 'c' OR (et.typcategory = 'U' AND et.typnamespace <> 'pg_catalog'::regnamespace), false) AS structured
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ORDER BY c.relname, a.attnum
            """;
        var columns = new List<(string Table, PostgreSqlColumn Column)>();
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            command.Parameters.AddWithValue(schema);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetBoolean(3)) continue;
                string type = reader.GetString(2);
                var kind = reader.GetBoolean(4) ? ColumnKind.Plain : KindOf(type);
                columns.Add((reader.GetString(0), new PostgreSqlColumn(reader.GetString(1), type, kind, reader.GetBoolean(5))));
            }
        }
        return columns.GroupBy(c => c.Table, StringComparer.Ordinal)
            .Select(g => new PostgreSqlTable(new CollectionInfo(g.Key, g.Key), $"{Quote(schema)}.{Quote(g.Key)}", g.Select(c => c.Column).ToList()))
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
            ColumnKind.Json => $"CASE WHEN {q} IS NULL THEN NULL WHEN json_typeof({q}::json) = 'null' THEN '{{\"{JsonNullMarker}\": null}}'::json ELSE {q}::json END",
            ColumnKind.Float => $"CASE WHEN {q} IS NULL THEN NULL WHEN {q}::text IN ('NaN', 'Infinity', '-Infinity') THEN json_build_object('$double', {q}::text) ELSE to_json({q}) END",
            _ => q,
        };
    }
}
