using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Stores;

/// <summary>
/// A store whose backups the platform itself takes, keeps and restores (Wix's own backups of a site): SiteBackup holds
/// no archive of them, so the operations ask the platform instead of writing and reading archives. It is an
/// <see cref="IBackupStore"/> for listing, so the same cmdlets and pipelines work; what needs an archive is refused.
/// </summary>
public interface IPlatformStore : IBackupStore
{
    /// <summary>The one site whose backups these are (<c>wix://&lt;site-id&gt;</c>).</summary>
    string SiteId { get; }


    /// <summary>Asks for an on-demand backup; returns its record as the platform gives it (Pending).</summary>
    Task<BackupRecord> CreateAsync(CancellationToken cancellationToken);

    /// <summary>The backups with these statuses and types (all when empty), as the platform filters them.</summary>
    Task<IReadOnlyList<BackupRecord>> ListAsync(IReadOnlyList<BackupStatus> statuses, IReadOnlyList<BackupType> types, CancellationToken cancellationToken);

    /// <summary>Starts a restore of the whole backup (<paramref name="collections"/> empty) or of some collections,
    /// each into its destination; returns the restoration's record (Pending).</summary>
    Task<RestorationRecord> RestoreAsync(BackupRecord backup, IReadOnlyList<(string Source, string Destination)> collections, CancellationToken cancellationToken);

    Task<IReadOnlyList<RestorationRecord>> ListRestorationsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the backup; it then lists as Deleted.</summary>
    Task DeleteAsync(string backupId, CancellationToken cancellationToken);

    /// <summary>How often to look while waiting, and for how long at most.</summary>
    PlatformWait Wait { get; }
}

/// <summary>Waiting for the platform: the first look after <see cref="FirstDelay"/>, each next one twice as late up to
/// <see cref="MaxDelay"/>, giving up after <see cref="Timeout"/>.</summary>
public sealed record PlatformWait(TimeSpan FirstDelay, TimeSpan MaxDelay, TimeSpan Timeout);
