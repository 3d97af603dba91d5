using System.Text.Json.Nodes;

namespace SiteBackup.WixStandIn;

/// <summary>One collection as a Wix backup holds it: its definition, items and references at the moment it was taken.</summary>
public sealed record StandInCollectionCopy(string Id, string DisplayName, string Type, List<StandInField> Fields,
    List<string> Items, List<(string Field, string ItemId, List<string> Referenced)> References);

/// <summary>A backup of the Wix Data Backups API, as <c>@wix/auto_sdk_data_backups</c> shows it.</summary>
public sealed class StandInBackup
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public string Status { get; set; } = "PENDING";
    public DateTimeOffset RequestedDate { get; init; }
    public DateTimeOffset? StartedDate { get; set; }
    public DateTimeOffset? FinishedDate { get; set; }
    public DateTimeOffset? DeletedDate { get; set; }
    public long? SizeInBytes { get; set; }
    public DateTimeOffset DoneAt { get; init; }
    public bool WillFail { get; init; }
    public List<StandInCollectionCopy> Collections { get; init; } = [];

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["status"] = Status,
        ["type"] = Type,
        ["requestedDate"] = Date(RequestedDate),
        ["startedDate"] = Date(StartedDate),
        ["finishedDate"] = Date(FinishedDate),
        ["deletedDate"] = Date(DeletedDate),
        // int64 travels as a string, null until the backup is done.
        ["sizeInBytes"] = SizeInBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["collections"] = new JsonArray(Collections.Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["displayName"] = c.DisplayName }).ToArray()),
    };

    public static string? Date(DateTimeOffset? date) =>
        date?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A restoration of the Backups API: PENDING until its time comes, then COMPLETED (the content written) or FAILED.</summary>
public sealed class StandInRestoration
{
    public required string Id { get; init; }
    public required StandInBackup Backup { get; init; }
    public string Status { get; set; } = "PENDING";
    public DateTimeOffset RequestedDate { get; init; }
    public DateTimeOffset? StartedDate { get; set; }
    public DateTimeOffset? FinishedDate { get; set; }
    public DateTimeOffset DoneAt { get; init; }
    public bool WillFail { get; init; }
    /// <summary>Source collection and destination (id, display name); empty for a whole restore.</summary>
    public List<(string Source, string? Destination, string? DisplayName)> Collections { get; init; } = [];

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["backup"] = Backup.ToJson(),
        ["status"] = Status,
        ["requestedDate"] = StandInBackup.Date(RequestedDate),
        ["startedDate"] = StandInBackup.Date(StartedDate),
        ["finishedDate"] = StandInBackup.Date(FinishedDate),
        ["restorationCollections"] = new JsonArray(Collections.Select(c =>
        {
            var collection = new JsonObject { ["dataCollectionId"] = c.Source };
            if (c.Destination is not null)
                collection["restoreDestination"] = new JsonObject { ["dataCollectionId"] = c.Destination, ["displayName"] = c.DisplayName };
            return (JsonNode)collection;
        }).ToArray()),
    };
}
