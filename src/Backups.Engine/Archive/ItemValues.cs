using System.Globalization;
using System.Text.Json;

namespace SiteBackup.Engine.Archive;

/// <summary>
/// How values JSON lacks travel in an item: <c>{"$binary": base64}</c> for bytes, <c>{"$date": ISO 8601}</c>
/// for timestamps, <c>{"$double": "Infinity"|"-Infinity"|"NaN"}</c> for the floating-point values JSON cannot
/// spell. A float is always written with a fraction or an exponent (<c>2.0</c>, not <c>2</c>) so that a reader
/// can tell it from an integer.
/// </summary>
public static class ItemValues
{
    public const string BinaryMarker = "$binary";
    public const string DateMarker = "$date";
    public const string DoubleMarker = "$double";

    private static readonly JsonEncodedText BinaryName = JsonEncodedText.Encode(BinaryMarker);
    private static readonly JsonEncodedText DoubleName = JsonEncodedText.Encode(DoubleMarker);

    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (!double.IsFinite(value))
        {
            writer.WriteStartObject();
            writer.WriteString(DoubleName, value.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            return;
        }

        Span<byte> text = stackalloc byte[40];
        value.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture);
        if (text[..length].IndexOfAny((byte)'.', (byte)'E', (byte)'e') < 0)
        {
            text[length++] = (byte)'.';
            text[length++] = (byte)'0';
        }
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    public static void WriteBinary(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.WriteStartObject();
        writer.WriteBase64String(BinaryName, bytes);
        writer.WriteEndObject();
    }

    /// <summary>If <paramref name="value"/> is a one-property marker object, its marker name and string value.</summary>
    public static bool TryGetMarker(JsonElement value, out string marker, out string text)
    {
        marker = text = "";
        if (value.ValueKind != JsonValueKind.Object) return false;
        using var properties = value.EnumerateObject();
        if (!properties.MoveNext()) return false;
        var first = properties.Current;
        if (properties.MoveNext() || first.Value.ValueKind != JsonValueKind.String) return false;
        if (first.Name is not (BinaryMarker or DateMarker or DoubleMarker)) return false;
        marker = first.Name;
        text = first.Value.GetString()!;
        return true;
    }
}
