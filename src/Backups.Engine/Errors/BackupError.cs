namespace SiteBackup.Engine.Errors;

/// <summary>
/// The stable kinds of failure. Their names are the public error ids: the cmdlets put them at the start of
/// every FullyQualifiedErrorId, and runbooks catch on them, so a name never changes once shipped (and new ones go at
/// the end, so that no number changes either).
/// </summary>
public enum BackupError
{
    InvalidArgument,
    SiteNotFound,
    SiteUnreachable,
    AuthenticationFailed,
    CollectionNotFound,
    BackupNotFound,
    BackupNotReady,
    ArchiveCorrupt,
    ArchiveVersionUnsupported,
    StoreNotFound,
    StoreLocked,
    /// <summary>A backup or restore that failed for a reason none of the others name (a full disk, say).</summary>
    OperationFailed,
    Canceled,
    /// <summary>The site's own data is damaged (a SQLite file whose pages do not read back): neither a backup nor a
    /// restore can go on until it is repaired or replaced.</summary>
    SiteCorrupt,
    RestorationNotFound,
    /// <summary>A destination of a restore does not allow what a restore does to it (a Wix app collection whose
    /// capabilities do not let it be emptied or written): refused before anything is written.</summary>
    CollectionNotWritable,
    /// <summary>The backup is encrypted and no key was given (-EncryptionKey), or the store requires encryption and
    /// a backup into it was given none.</summary>
    EncryptionKeyRequired,
    /// <summary>The key given is not the one the backup was encrypted with: refused before anything is read or written.</summary>
    EncryptionKeyMismatch,
    /// <summary>The platform (Wix's own backups) had not finished a backup or restoration when the wait's time limit
    /// passed: the work goes on there, and its record says later how it ended. Not OperationFailed, which says it ended
    /// badly, so that a runbook can tell the two apart.</summary>
    WaitTimedOut,
}
