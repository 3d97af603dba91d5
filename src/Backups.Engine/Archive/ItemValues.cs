using System.Globalization;
using System.Text.Json;

namespace SiteBackup.Engine.Archive;

/// <summary>
/// How values JSON lacks travel in an item: <c>{"$binary": base64}</c> for bytes, <c>{"$date": ISO 8601}</c>
/// for timestamps, <c>{"$double": "Infinity"|"-Infinity"|"NaN"}</c> for the floating-point values JSON cannot
/// spell, and for text that is not valid in its encoding (a JSON string holds only valid Unicode) its bytes:
/// <c>{"$utf8": base64}</c> for UTF-8 text, <c>{"$utf16": base64}</c> (little-endian) for UTF-16 text. A float is
/// always written with a fraction or an exponent (<c>2.0</c>, not <c>2</c>) so that a reader can tell it from an
/// integer.
/// </summary>
public static class ItemValues
{
    public const string BinaryMarker = "$binary";
    public const string DateMarker = "$date";
    public const string DoubleMarker = "$double";
    public const string Utf8Marker = "$utf8";
    public const string Utf16Marker = "$utf16";

    private static readonly JsonEncodedText BinaryName = JsonEncodedText.Encode(BinaryMarker);
    private static readonly JsonEncodedText DoubleName = JsonEncodedText.Encode(DoubleMarker);
    private static readonly JsonEncodedText Utf8Name = JsonEncodedText.Encode(Utf8Marker);
    private static readonly JsonEncodedText Utf16Name = JsonEncodedText.Encode(Utf16Marker);

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

    /// <summary>UTF-8 text: a string when it is valid UTF-8, else its bytes under <c>$utf8</c>.</summary>
    public static void WriteUtf8Text(Utf8JsonWriter writer, ReadOnlySpan<byte> utf8)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            writer.WriteStringValue(utf8);
            return;
        }
        writer.WriteStartObject();
        writer.WriteBase64String(Utf8Name, utf8);
        writer.WriteEndObject();
    }

    /// <summary>UTF-16 text: a string when every surrogate is paired, else its bytes (little-endian) under <c>$utf16</c>.</summary>
    public static void WriteUtf16Text(Utf8JsonWriter writer, ReadOnlySpan<char> utf16)
    {
        if (IsWellFormed(utf16))
        {
            writer.WriteStringValue(utf16);
            return;
        }
        writer.WriteStartObject();
        writer.WritePropertyName(Utf16Name);
        var bytes = new byte[utf16.Length * 2];
        for (int i = 0; i < utf16.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), utf16[i]);
        writer.WriteBase64StringValue(bytes);
        writer.WriteEndObject();
    }

    private static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else return false;
        }
        return true;
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
        if (first.Name is not (BinaryMarker or DateMarker or DoubleMarker or Utf8Marker or Utf16Marker)) return false;
        marker = first.Name;
        text = first.Value.GetString()!;
        return true;
    }
}
