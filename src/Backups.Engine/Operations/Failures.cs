using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Operations;

internal static class Failures
{
    /// <summary>File-system failures (a full disk, a read-only folder) become OperationFailed; engine errors and
    /// cancellation pass through; anything else is a bug and stays what it is.</summary>
    public static Exception Translate(Exception e, string what) => e switch
    {
        BackupException or OperationCanceledException => e,
        IOException or UnauthorizedAccessException => new BackupException(BackupError.OperationFailed, $"{what}: {e.Message}", null, e),
        _ => e,
    };
}
