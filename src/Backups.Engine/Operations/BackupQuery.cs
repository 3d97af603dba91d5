using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Operations;

/// <summary>Filters for listing backups. Deleted backups are listed only when <see cref="Statuses"/> asks for them
/// or <see cref="Ids"/> names them.</summary>
public sealed record BackupQuery
{
    public string? SiteId { get; init; }
    public IReadOnlyList<string> Ids { get; init; } = [];
    public IReadOnlyList<BackupType> Types { get; init; } = [];
    public IReadOnlyList<BackupStatus> Statuses { get; init; } = [];

    /// <summary>Only the newest this many; 0 for all.</summary>
    public int Last { get; init; }
}
