using System.Text.Json.Serialization;

namespace SiteBackup.Engine.Model;

/// <summary>The record of one restore. It holds the whole backup record, as the Wix service does.</summary>
public sealed record RestorationRecord
{
    public required string Id { get; init; }
    public required BackupRecord Backup { get; init; }

    /// <summary>The site restored into; usually the backup's own site.</summary>
    public required string SiteId { get; init; }

    public RestorationStatus Status { get; init; }
    public DateTimeOffset RequestedDate { get; init; }
    public DateTimeOffset? StartedDate { get; init; }
    public DateTimeOffset? FinishedDate { get; init; }
    public IReadOnlyList<RestorationCollection> Collections { get; init; } = [];

    /// <summary>True when the site applied the restore as one transaction, so a failure changed nothing; false for
    /// a site without transactions (Wix), where <see cref="Collections"/> says what was written.</summary>
    public bool Transactional { get; init; } = true;

    /// <summary>Why the restoration failed; null otherwise.</summary>
    public string? Error { get; init; }

    [JsonIgnore]
    public string Store { get; init; } = "";
}
