using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Records left Pending by a process that died (killed, crashed, the machine lost power). A Pending record whose
/// operation nobody holds any more is abandoned: listing shows it Failed at once, and the next backup or removal
/// in the store writes it so and removes whatever archive it left.
/// </summary>
internal static class Abandoned
{
    public const string BackupError = "Abandoned: the process taking this backup ended before it finished.";

    public const string RestorationError =
        "Abandoned: the process restoring this backup ended before it recorded the outcome. Each collection holds either all of its old content or all of the backup's.";

    public static BackupRecord AsSeen(IBackupStore store, BackupRecord backup) =>
        backup.Status == BackupStatus.Pending && !store.IsOperationRunning(backup.Id)
            ? backup with { Status = BackupStatus.Failed, Error = BackupError }
            : backup;

    public static RestorationRecord AsSeen(IBackupStore store, RestorationRecord restoration) =>
        restoration.Status == RestorationStatus.Pending && !store.IsOperationRunning(restoration.Id)
            ? restoration with { Status = RestorationStatus.Failed, Error = RestorationError }
            : restoration;

    /// <summary>Writes abandoned records as Failed and removes their archives. Call under the store lock.</summary>
    public static void Recover(IBackupStore store, DateTimeOffset now)
    {
        foreach (var backup in store.ListBackups())
        {
            var seen = AsSeen(store, backup);
            if (ReferenceEquals(seen, backup)) continue;
            store.DeleteArchive(backup.Id);
            store.SaveBackup(seen with { FinishedDate = backup.FinishedDate ?? now });
        }
        foreach (var restoration in store.ListRestorations())
        {
            var seen = AsSeen(store, restoration);
            if (!ReferenceEquals(seen, restoration)) store.SaveRestoration(seen with { FinishedDate = restoration.FinishedDate ?? now });
        }
    }
}
