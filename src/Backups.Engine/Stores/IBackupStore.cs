using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;

namespace SiteBackup.Engine.Stores;

/// <summary>
/// Where archives and records live. One implementation per kind (a folder under Stores/), registered in
/// <see cref="StoreKinds"/>. Records are written whole and atomically; listing reads records only.
/// </summary>
public interface IBackupStore
{
    /// <summary>The store as users name it (an absolute folder path, a container URI without secrets).</summary>
    string Location { get; }

    /// <summary>False when nothing has been stored here yet.</summary>
    bool Exists { get; }

    /// <summary>Takes the store's lock, waiting at most <paramref name="timeout"/>; throws StoreLocked after that.
    /// Held while records change together (a new backup and the retention it triggers), never during the long
    /// work of reading a site or writing an archive. A holder that dies releases it.</summary>
    IDisposable Lock(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Marks the backup or restoration <paramref name="id"/> as being worked on by this process until the
    /// result is disposed. A record left Pending by a process that died is told apart by this.</summary>
    IDisposable HoldOperation(string id);

    /// <summary>True while some live process holds the operation <paramref name="id"/>.</summary>
    bool IsOperationRunning(string id);

    RetentionPolicy ReadRetention();
    void WriteRetention(RetentionPolicy policy);

    IReadOnlyList<BackupRecord> ListBackups();
    BackupRecord? FindBackup(string id);
    void SaveBackup(BackupRecord backup);

    /// <summary>Removes the record of backup <paramref name="id"/> (a pruned tombstone; its archive is already gone).</summary>
    void DeleteBackupRecord(string id);

    IReadOnlyList<RestorationRecord> ListRestorations();
    RestorationRecord? FindRestoration(string id);
    void SaveRestoration(RestorationRecord restoration);

    /// <summary>Starts writing the archive of backup <paramref name="id"/> where nobody can list it.</summary>
    IArchiveUpload BeginArchive(string id);

    /// <summary>Opens a stored archive for reading; throws BackupNotFound when it is gone.</summary>
    Stream OpenArchive(string id);

    void DeleteArchive(string id);

    /// <summary>The ids of the archives the store holds: complete ones only, not uploads still in progress.</summary>
    IReadOnlyList<string> ListArchiveIds();
}

/// <summary>An archive being written. <see cref="Commit"/> makes it visible in one step; disposing an upload
/// that was not committed removes what was written.</summary>
public interface IArchiveUpload : IDisposable
{
    Stream Stream { get; }

    /// <summary>Publishes the archive; returns its size in bytes.</summary>
    long Commit();
}
