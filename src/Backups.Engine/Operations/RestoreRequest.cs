using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Operations;

public sealed record RestoreRequest
{
    public required string BackupId { get; init; }
    public required IBackupStore Store { get; init; }

    /// <summary>The site to restore into; usually the backup's own site.</summary>
    public required ISiteSource Site { get; init; }

    /// <summary>Name patterns of the backup's collections to restore; empty means all.</summary>
    public IReadOnlyList<string> Collections { get; init; } = [];

    /// <summary>Collection in the backup → collection of the site to restore it into. Others go back where
    /// they came from.</summary>
    public IReadOnlyDictionary<string, string> Destinations { get; init; } = new Dictionary<string, string>();

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
