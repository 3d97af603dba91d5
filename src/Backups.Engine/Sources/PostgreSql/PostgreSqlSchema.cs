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

    /// <summary>A json object's text whose first key is the marker's name, however escaped (a reader of the item
    /// unescapes names, so <c>{"$jso\u006e": 1}</c> would read as the marker): such an object is kept as its text.
    /// An object with more keys after it is kept so too, which costs nothing but readability; telling them apart
    /// would mean reading the whole value (json_object_keys, whose subquery cost each row about as much as building
    /// its JSON, even where it never ran).</summary>
    private const string MarkerFirstKey = """^\{\s*"(\$|\\u0024)(j|\\u006[aA])(s|\\u0073)(o|\\u006[fF])(n|\\u006[eE])"\s*:""";

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
        // A domain's values are its base type's (domains over domains followed to the end), for the column and for
        // an array's element. Types PostgreSQL ships have oids below 16384 (FirstNormalObjectId): everything else,
        // extension types too wherever they were installed, is the database's own.
        const string sql =
            """
            SELECT c.relname, c.relkind = 'p', a.attname, bt.typname, a.attgenerated <> '', bt.typcategory = 'A',
                   bt.typtype = 'c' OR (bt.typcategory = 'U' AND bt.oid >= 16384)
                     OR COALESCE(et.typtype = 'c' OR (et.typcategory = 'U' AND et.oid >= 16384), false),
                   bt.oid < 16384 AND bt.typtype <> 'c',
                   COALESCE(et.oid < 16384 AND et.typcategory IN ('N', 'B', 'S'), false)
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN LATERAL (
                WITH RECURSIVE d(oid, depth) AS (
                    SELECT a.atttypid, 0
                    UNION ALL SELECT t.typbasetype, d.depth + 1 FROM d JOIN pg_catalog.pg_type t ON t.oid = d.oid WHERE t.typtype = 'd')
                SELECT oid FROM d ORDER BY depth DESC LIMIT 1) AS base ON true
            LEFT JOIN pg_catalog.pg_type bt ON bt.oid = base.oid
            LEFT JOIN LATERAL (
                WITH RECURSIVE d(oid, depth) AS (
                    SELECT bt.typelem, 0 WHERE bt.typcategory = 'A'
                    UNION ALL SELECT t.typbasetype, d.depth + 1 FROM d JOIN pg_catalog.pg_type t ON t.oid = d.oid WHERE t.typtype = 'd')
                SELECT oid FROM d ORDER BY depth DESC LIMIT 1) AS element ON true
            LEFT JOIN pg_catalog.pg_type et ON et.oid = element.oid
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
                bool structured = reader.GetBoolean(6), builtin = reader.GetBoolean(7), naturalElements = reader.GetBoolean(8);
                var kind = reader.GetBoolean(5) ? (naturalElements ? ColumnKind.Array : ColumnKind.Text)
                    : builtin ? KindOf(type)
                    : ColumnKind.Text; // the database's own types (enums, domains' bases, composites, extensions)
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

    /// <summary>A string literal (standard_conforming_strings is on in every session, see <see cref="PostgreSqlSession"/>).</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The SQL for one column's value as JSON in an item (see <see cref="ColumnKind"/>).</summary>
    public static string ExportExpression(PostgreSqlColumn column)
    {
        string q = column.Quoted;
        return column.Kind switch
        {
            ColumnKind.Date => $"CASE WHEN {q} IS NULL THEN NULL ELSE json_build_object('$date', {q}) END",
            ColumnKind.Binary => $"CASE WHEN {q} IS NULL THEN NULL ELSE json_build_object('$binary', translate(encode({q}, 'base64'), E'\\n', '')) END",
            // The text form where the value alone would not come back as it is: spacing around it (an item keeps the
            // JSON, not the spaces; jsonb never has any), or an object a reader would take for the marker. jsonb's
            // text has no escapes, so its test is exact: an object whose only key is the marker's.
            ColumnKind.Json when column.Type == "jsonb" =>
                $"CASE WHEN {q} IS NULL THEN NULL " +
                $"WHEN jsonb_typeof({q}) = 'object' AND {q} ? '{JsonMarker}' AND {q} - '{JsonMarker}' = '{{}}'::jsonb THEN jsonb_build_object('{JsonMarker}', {q}::text) " +
                $"WHEN jsonb_typeof({q}) = 'null' THEN '{{\"{JsonMarker}\": null}}'::jsonb ELSE {q} END",
            // json keeps its text as written. Every row pays for these tests, so they are the cheapest that decide:
            // its first and last characters, and for an object (123 is '{') a regular expression anchored at its
            // start (MarkerFirstKey) rather than a subquery over its keys.
            ColumnKind.Json =>
                $"CASE WHEN {q} IS NULL THEN NULL " +
                $"WHEN ascii({q}::text) IN (9, 10, 13, 32) OR right({q}::text, 1) IN (' ', E'\\t', E'\\n', E'\\r') " +
                $"OR (ascii({q}::text) = 123 AND {q}::text ~ {Literal(MarkerFirstKey)}) THEN json_build_object('{JsonMarker}', {q}::text) " +
                $"WHEN json_typeof({q}) = 'null' THEN '{{\"{JsonMarker}\": null}}'::json ELSE {q} END",
            ColumnKind.Float => $"CASE WHEN {q} IS NULL THEN NULL WHEN {q}::text IN ('NaN', 'Infinity', '-Infinity') THEN json_build_object('$double', {q}::text) ELSE to_json({q}) END",
            ColumnKind.Array => $"CASE WHEN {q} IS NULL THEN NULL WHEN array_dims({q}) IS NULL OR array_dims({q}) ~ '^(\\[1:[0-9]+\\])+$' THEN to_json({q}) ELSE to_json(format('%s', {q})) END",
            // format's %s is the type's output function, whatever casts to text the database defines. num_nulls, not
            // IS NULL: a composite whose fields are all NULL IS NULL, and is still a value, (,,).
            ColumnKind.Text => $"CASE WHEN num_nulls({q}) = 1 THEN NULL ELSE format('%s', {q}) END",
            _ => q,
        };
    }
}
