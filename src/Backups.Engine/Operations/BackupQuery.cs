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

    /// <summary>Only the newest this many; 0 for all. Without <see cref="Statuses"/> (and <see cref="Ids"/>) it
    /// counts Ready backups only, so that "the newest backup" is one that can be restored, however many newer
    /// ones failed or were canceled.</summary>
    public int Last { get; init; }
}

/// <summary>Filters for listing restorations; every filter given must hold.</summary>
public sealed record RestorationQuery
{
    /// <summary>Only restorations into this site.</summary>
    public string? SiteId { get; init; }
    public IReadOnlyList<string> Ids { get; init; } = [];

    /// <summary>Only restorations of these backups.</summary>
    public IReadOnlyList<string> BackupIds { get; init; } = [];
    public IReadOnlyList<RestorationStatus> Statuses { get; init; } = [];

    /// <summary>Only the newest this many; 0 for all.</summary>
    public int Last { get; init; }
}
