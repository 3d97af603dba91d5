using System.Text.Json.Serialization;

namespace SiteBackup.Engine.Model;

/// <summary>The record of one restore. It holds the whole backup record, as the Wix service does.</summary>
public sealed record RestorationRecord
{
    private readonly DisplayList<RestorationCollection> _collections = new(null);

    public required string Id { get; init; }
    public required BackupRecord Backup { get; init; }

    /// <summary>The site restored into; usually the backup's own site. PowerShell also shows it as <c>Site</c>.</summary>
    public required string SiteId { get; init; }

    public RestorationStatus Status { get; init; }
    public DateTimeOffset RequestedDate { get; init; }
    public DateTimeOffset? StartedDate { get; init; }
    public DateTimeOffset? FinishedDate { get; init; }

    public IReadOnlyList<RestorationCollection> Collections { get => _collections; init => _collections = new(value); }

    /// <summary>True when the site applied the restore as one transaction, so a failure changed nothing; false for
    /// a site without transactions (Wix), where <see cref="Collections"/> says what was written.</summary>
    public bool Transactional { get; init; } = true;

    /// <summary>Why the restoration failed or was canceled; null otherwise.</summary>
    public string? Error { get; init; }

    [JsonIgnore]
    public string Store { get; init; } = "";

    /// <summary>"Restoration &lt;id&gt; of backup &lt;id&gt; (Failed, 2026-11-25 13:19:05Z)": short, for an error's target.</summary>
    public override string ToString() => $"Restoration {Id} of backup {Backup.Id} ({Status}, {Times.Show(RequestedDate)})";
}
