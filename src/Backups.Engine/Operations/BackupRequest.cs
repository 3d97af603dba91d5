using System.IO.Compression;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Operations;

public sealed record BackupRequest
{
    public required ISiteSource Site { get; init; }
    public required IBackupStore Store { get; init; }
    public BackupType Type { get; init; } = BackupType.OnDemand;

    /// <summary>Name patterns of the collections to back up; empty means all.</summary>
    public IReadOnlyList<string> Collections { get; init; } = [];
    public IReadOnlyList<string> ExcludeCollections { get; init; } = [];

    /// <summary>Take an automatic backup even when none is due.</summary>
    public bool Force { get; init; }

    public CompressionLevel Compression { get; init; } = CompressionLevel.Optimal;

    /// <summary>Seals the archive with this key (AES-256-GCM); null writes it unencrypted.</summary>
    public Archive.Encryption.ArchiveKey? EncryptionKey { get; init; }
    public TimeSpan LockTimeout { get; init; } = LockWait.Timeout;
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Where the backup says what a person should know that is not an error: what of the site it cannot keep
    /// (also in the record's <see cref="BackupRecord.Omissions"/>).</summary>
    public IProgress<string>? Warnings { get; init; }
}

/// <summary>What a backup request would come to: why it would be skipped, or the collections it would take and the
/// backups retention would then remove.</summary>
public sealed record BackupPreview(string? SkippedReason, IReadOnlyList<CollectionInfo> Collections, IReadOnlyList<BackupRecord> WouldRemove);

/// <summary>What a backup request came to: the new backup, or why none was taken; and what retention removed.</summary>
public sealed record BackupOutcome(BackupRecord? Backup, string? SkippedReason, IReadOnlyList<BackupRecord> Removed);
