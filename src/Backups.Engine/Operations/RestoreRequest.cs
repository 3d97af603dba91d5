using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Operations;

/// <summary>What a restore request would do: the backup as it is now in the store, and where each collection goes.</summary>
public sealed record RestorePreview(Model.BackupRecord Backup, IReadOnlyList<RestoreStep> Steps);

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

    /// <summary>The key of an encrypted backup; ignored for one that is not encrypted.</summary>
    public Archive.Encryption.ArchiveKey? EncryptionKey { get; init; }

    /// <summary>Create the site when it does not exist, and collections it lacks, from the backup's definitions
    /// (-CreateMissing). Without it a restore writes only into collections that exist.</summary>
    public bool CreateMissing { get; init; }

    /// <summary>Where the restore says what a person should know that is not an error (a store it could not write
    /// its record into, say).</summary>
    public IProgress<string>? Warnings { get; init; }
}
