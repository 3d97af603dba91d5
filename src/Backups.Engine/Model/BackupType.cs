namespace SiteBackup.Engine.Model;

public enum BackupType
{
    /// <summary>Asked for by a person or a job; at most a few are kept (3 by default).</summary>
    OnDemand,
    /// <summary>Taken by a schedule when the newest one is old enough (7 days by default).</summary>
    Auto,
}
