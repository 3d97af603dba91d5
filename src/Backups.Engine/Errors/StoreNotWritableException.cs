namespace SiteBackup.Engine.Errors;

/// <summary>
/// A store that refused a write: a read-only file system or share (a snapshot mounted for disaster recovery), a full
/// disk, an account allowed to read but not to write. Reading the store may still work, so an operation that only
/// needs to read (a restore, a verification) can go on without writing its record. <see cref="BackupException.Error"/>
/// keeps the id a caller sees (OperationFailed, or AuthenticationFailed for an account without the permission).
/// </summary>
public sealed class StoreNotWritableException(BackupError error, string message, string? target = null, Exception? inner = null)
    : BackupException(error, message, target, inner);
