using System.Text.Json;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// A multi-reference field: <see cref="Field"/> refers to items of <see cref="Referenced"/>. A two-way relation shows
/// in the referenced collection too, as its field <see cref="ReferencingField"/> (the Collections API's
/// <c>typeMetadata.multiReference.referencingFieldKey</c>): one relation, seen from both sides.
/// </summary>
internal sealed record WixMultiReference(string Field, string Referenced, string? ReferencingField = null);

/// <summary>One multi-reference: <see cref="ItemId"/>'s <see cref="Field"/> refers to <see cref="Referenced"/>.</summary>
internal sealed record WixReference(string Field, string ItemId, string Referenced);

/// <summary>
/// A collection as Wix lists it: <see cref="Type"/> is NATIVE, WIX_APP, BLOCKS_APP or EXTERNAL; <see cref="Operations"/>
/// the data operations its capabilities allow (null when the listing states none: a native collection allows all);
/// <see cref="MaxPageSize"/> and <see cref="PagingModes"/> as it states them; <see cref="MultiReferences"/> its
/// multi-reference fields.
/// </summary>
internal sealed record WixCollection(string Id, string DisplayName, string Type, IReadOnlySet<string>? Operations,
    int? MaxPageSize, IReadOnlyList<string> PagingModes, IReadOnlyList<WixMultiReference> MultiReferences)
{
    public bool Allows(string operation) => Operations is null || Operations.Contains(operation);

    /// <summary>Cursor paging unless the collection states it takes offset paging only.</summary>
    public bool ByCursor => PagingModes.Count == 0 || PagingModes.Contains("CURSOR");

    /// <summary>The page to ask for: the SDK's caps (100 by cursor, 1000 by offset) or the collection's own, if smaller.</summary>
    public int PageSize(int cursorCap) => Math.Max(1, Math.Min(ByCursor ? cursorCap : 1000, MaxPageSize ?? int.MaxValue));

    /// <summary>The app options that make a query return every item (Wix Stores leaves hidden products out unless
    /// asked). Null for a collection that needs none (or none SiteBackup knows of: see the README).</summary>
    public IReadOnlyDictionary<string, bool>? AppOptions => Id == "Stores/Products" ? StoresProducts : null;

    private static readonly Dictionary<string, bool> StoresProducts = new() { ["includeHiddenProducts"] = true };

    public WixMultiReference? MultiReference(string field) => MultiReferences.FirstOrDefault(r => r.Field == field);

    public CollectionInfo Info => new(Id, DisplayName);

    /// <summary>True when <paramref name="other"/>'s field <paramref name="field"/> is the other side of a two-way
    /// relation one of this collection's fields holds.</summary>
    public bool IsOtherSide(WixCollection other, WixMultiReference field) =>
        MultiReferences.Any(mine => mine.Referenced == other.Id && field.Referenced == Id
            && (mine.ReferencingField == field.Field || field.ReferencingField == mine.Field));
}

/// <summary>Reading the JSON Wix answers with.</summary>
internal static class WixJson
{
    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string? ItemId(JsonElement data) => Text(data, "_id");

    /// <summary>One result of a bulk call, by the index of what it answers; <paramref name="Saved"/> is the item's data as
    /// Wix keeps it when the call asked for it (<c>returnEntity</c>), valid while the answer is.</summary>
    public sealed record BulkResult(int Index, bool Success, string Code, string Message, JsonElement Saved = default);

    /// <summary>
    /// The per-item results of a bulk call (<c>results[].{metadata}</c>: <c>itemMetadata</c> of an item,
    /// <c>referenceMetadata</c> of a reference), each matched to what was sent by <c>originalIndex</c>. An answer with
    /// fewer or more results than were sent, or none, is the API failing: nothing can be said of the rest. A result with
    /// neither success nor an error did not write its item, and says so as code SKIPPED.
    /// </summary>
    public static List<BulkResult> Results(JsonDocument answer, string metadata, int sent, string what, string collectionId)
    {
        if (!answer.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array || results.GetArrayLength() != sent)
            throw new Errors.BackupException(Errors.BackupError.SiteUnreachable,
                $"The Wix Data API answered {what} into '{collectionId}' without a result for each of the {sent} sent.", collectionId);
        var read = new List<BulkResult>(sent);
        int at = 0;
        foreach (var result in results.EnumerateArray())
        {
            var meta = result.TryGetProperty(metadata, out var m) ? m : result;
            int index = meta.TryGetProperty("originalIndex", out var i) && i.TryGetInt32(out int n) && n >= 0 && n < sent ? n : at;
            at++;
            if (meta.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True)
            {
                var saved = result.TryGetProperty("dataItem", out var item) && item.ValueKind == JsonValueKind.Object
                    && item.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? data : default;
                read.Add(new BulkResult(index, true, "", "", saved));
                continue;
            }
            var error = meta.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
            read.Add(error.ValueKind == JsonValueKind.Object
                ? new BulkResult(index, false, Text(error, "code") ?? "UNKNOWN", Text(error, "description") ?? Text(error, "message") ?? "refused")
                : new BulkResult(index, false, "SKIPPED", "Wix reported neither success nor an error"));
        }
        return read;
    }
}
