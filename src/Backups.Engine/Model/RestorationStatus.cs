namespace SiteBackup.Engine.Model;

public enum RestorationStatus
{
    Pending,
    Completed,
    Failed,
}
