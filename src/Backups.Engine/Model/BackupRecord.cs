using System.Text.Json.Serialization;

namespace SiteBackup.Engine.Model;

/// <summary>
/// The record of one backup. Stores keep it beside the archive so that listing never opens an archive.
/// </summary>
public sealed record BackupRecord
{
    public required string Id { get; init; }

    /// <summary>The site, normalised and without secrets (for SQLite the absolute path of the file).</summary>
    public required string SiteId { get; init; }

    public BackupType Type { get; init; }
    public BackupStatus Status { get; init; }
    public DateTimeOffset RequestedDate { get; init; }
    public DateTimeOffset? StartedDate { get; init; }
    public DateTimeOffset? FinishedDate { get; init; }
    public DateTimeOffset? DeletedDate { get; init; }

    /// <summary>Size of the archive; 0 until the backup is ready.</summary>
    public long SizeInBytes { get; init; }

    public IReadOnlyList<BackupCollection> Collections { get; init; } = [];

    /// <summary>Why the backup failed or was canceled; null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>Where the backup lives. Set by the store when it hands the record out; never written into it,
    /// so that a store can be moved or mounted elsewhere.</summary>
    [JsonIgnore]
    public string Store { get; init; } = "";
}
