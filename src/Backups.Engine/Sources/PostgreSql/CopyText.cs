using System.Text;
using System.Text.Json;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.PostgreSql;

/// <summary>
/// Items as rows of COPY's text format, in the text each column type's input function reads: numbers as their JSON
/// text (exact), strings as they are (the text of a value kept as text, an array with other bounds among them),
/// booleans as t/f, JSON arrays as array literals, json columns as their JSON text, and the markers as what they stand
/// for (<c>$date</c> its ISO text, <c>$binary</c> <c>\x</c> hex, <c>$double</c> NaN or Infinity, <c>$json</c> a JSON
/// null or the text kept). Absent properties and nulls are NULL (\N).
/// </summary>
internal static class CopyText
{
    /// <summary>One item as one row. <paramref name="textMarkers"/>: whether <c>{"$json": "text"}</c> is a json
    /// value's text (archives of version 3 on); before, it was an object like any other.</summary>
    public static void AppendRow(StringBuilder row, JsonElement item, PostgreSqlTable table, Dictionary<string, int> positions, JsonElement?[] values, string collectionId, bool textMarkers)
    {
        Array.Clear(values);
        foreach (var property in item.EnumerateObject())
        {
            if (!positions.TryGetValue(property.Name, out int at))
                throw ShapeErrors.ColumnMissing(collectionId, property.Name);
            values[at] = property.Value;
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) row.Append('\t');
            AppendField(row, values[i], table.Columns[i], collectionId, textMarkers);
        }
        row.Append('\n');
    }

    private static void AppendField(StringBuilder row, JsonElement? field, PostgreSqlColumn column, string collectionId, bool textMarkers)
    {
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            row.Append("\\N");
            return;
        }
        if (column.Kind == ColumnKind.Json)
        {
            Escape(row, JsonText(value, textMarkers));
            return;
        }
        if (column.Kind != ColumnKind.Plain && ItemValues.TryGetMarker(value, out string marker, out string text))
        {
            Escape(row, marker == ItemValues.BinaryMarker ? BinaryText(text, collectionId) : text);
            return;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.String: Escape(row, value.GetString()!); break;
            case JsonValueKind.Number: row.Append(value.GetRawText()); break;
            case JsonValueKind.True: row.Append('t'); break;
            case JsonValueKind.False: row.Append('f'); break;
            case JsonValueKind.Array:
                var literal = new StringBuilder();
                AppendArray(literal, value);
                Escape(row, literal.ToString());
                break;
            default: Escape(row, value.GetRawText()); break;
        }
    }

    /// <summary>A json column's text: <c>{"$json": null}</c> is a JSON null, <c>{"$json": "text"}</c> that text as it
    /// was; anything else is the JSON itself.</summary>
    public static string JsonText(JsonElement value, bool textMarkers)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            using var properties = value.EnumerateObject();
            if (properties.MoveNext() && properties.Current.Name == PostgreSqlSchema.JsonMarker)
            {
                var marked = properties.Current.Value;
                if (!properties.MoveNext())
                {
                    if (marked.ValueKind == JsonValueKind.Null) return "null";
                    if (textMarkers && marked.ValueKind == JsonValueKind.String) return marked.GetString()!;
                }
            }
        }
        return value.GetRawText();
    }

    /// <summary>A JSON array as an array literal: <c>{1,NULL,"a \"b\""}</c>, nested for more dimensions.</summary>
    private static void AppendArray(StringBuilder literal, JsonElement array)
    {
        literal.Append('{');
        bool first = true;
        foreach (var element in array.EnumerateArray())
        {
            if (!first) literal.Append(',');
            first = false;
            switch (element.ValueKind)
            {
                case JsonValueKind.Null: literal.Append("NULL"); break;
                case JsonValueKind.Array: AppendArray(literal, element); break;
                case JsonValueKind.Number: literal.Append(element.GetRawText()); break;
                case JsonValueKind.True: literal.Append('t'); break;
                case JsonValueKind.False: literal.Append('f'); break;
                case JsonValueKind.String: Quote(literal, element.GetString()!); break;
                default: Quote(literal, element.GetRawText()); break;
            }
        }
        literal.Append('}');
    }

    private static void Quote(StringBuilder literal, string text)
    {
        literal.Append('"');
        foreach (char c in text)
        {
            if (c is '"' or '\\') literal.Append('\\');
            literal.Append(c);
        }
        literal.Append('"');
    }

    /// <summary>COPY text format: backslash, tab, line feed and carriage return are escaped; nothing else is.</summary>
    private static void Escape(StringBuilder row, string text)
    {
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': row.Append("\\\\"); break;
                case '\t': row.Append("\\t"); break;
                case '\n': row.Append("\\n"); break;
                case '\r': row.Append("\\r"); break;
                default: row.Append(c); break;
            }
        }
    }

    public static string BinaryText(string base64, string collectionId)
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
}
