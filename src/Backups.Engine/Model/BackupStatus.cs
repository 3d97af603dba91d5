namespace SiteBackup.Engine.Model;

/// <summary>Where a backup is in its life, as in the Wix Data Backups service.</summary>
public enum BackupStatus
{
    /// <summary>Requested or running.</summary>
    Pending,
    /// <summary>Complete and usable.</summary>
    Ready,
    Failed,
    /// <summary>The archive is gone; the record stays.</summary>
    Deleted,
    Canceled,
}
