using System.Management.Automation;
using SiteBackup.Engine.Errors;

namespace SiteBackup.PowerShell.Internal;

/// <summary>
/// The one mapping from engine errors to ErrorRecords. The error id is the engine's error name, so every
/// FullyQualifiedErrorId starts with a stable id (SiteNotFound, ArchiveCorrupt, ...) that runbooks can catch on.
/// </summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(BackupException e) =>
        // A restoration that ended in this error is its target: on a site without transactions it says what was written.
        new(e, e.Error.ToString(), Category(e.Error), (object?)e.Restoration ?? e.Target);

    public static ErrorRecord InvalidArgument(string message, object? target) =>
        From(new BackupException(BackupError.InvalidArgument, message, target?.ToString()));

    public static ErrorCategory Category(BackupError error) => error switch
    {
        BackupError.InvalidArgument => ErrorCategory.InvalidArgument,
        BackupError.SiteNotFound => ErrorCategory.ObjectNotFound,
        BackupError.SiteUnreachable => ErrorCategory.ConnectionError,
        BackupError.SiteCorrupt => ErrorCategory.InvalidData,
        BackupError.AuthenticationFailed => ErrorCategory.AuthenticationError,
        BackupError.CollectionNotFound => ErrorCategory.ObjectNotFound,
        BackupError.CollectionNotWritable => ErrorCategory.PermissionDenied,
        BackupError.BackupNotFound => ErrorCategory.ObjectNotFound,
        BackupError.RestorationNotFound => ErrorCategory.ObjectNotFound,
        BackupError.BackupNotReady => ErrorCategory.InvalidOperation,
        BackupError.ArchiveCorrupt => ErrorCategory.InvalidData,
        BackupError.ArchiveVersionUnsupported => ErrorCategory.InvalidData,
        BackupError.StoreNotFound => ErrorCategory.ObjectNotFound,
        BackupError.StoreLocked => ErrorCategory.ResourceBusy,
        BackupError.OperationFailed => ErrorCategory.WriteError,
        BackupError.Canceled => ErrorCategory.OperationStopped,
        BackupError.EncryptionKeyRequired => ErrorCategory.InvalidArgument,
        BackupError.EncryptionKeyMismatch => ErrorCategory.SecurityError,
        BackupError.WaitTimedOut => ErrorCategory.OperationTimeout,
        _ => ErrorCategory.NotSpecified,
    };
}
