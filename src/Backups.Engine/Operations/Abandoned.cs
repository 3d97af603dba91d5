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

    public static BackupRecord AsSeen(IBackupStore store, BackupRecord backup) => Judge(store, backup).Seen;

    public static RestorationRecord AsSeen(IBackupStore store, RestorationRecord restoration) => Judge(store, restoration).Seen;

    // The record is read again after the probe finds no holder. An operation saves its outcome before it lets go
    // of its hold, so one that ended between the listing and the probe has its outcome on record by now: only a
    // record still Pending then was left by a process that died. (Without the second read, a restoration that
    // completed a moment before another process recovered the store was overwritten as abandoned.)
    private static (BackupRecord Seen, bool Abandoned) Judge(IBackupStore store, BackupRecord backup)
    {
        if (backup.Status != BackupStatus.Pending || store.IsOperationRunning(backup.Id)) return (backup, false);
        var now = store.FindBackup(backup.Id) ?? backup;
        return now.Status == BackupStatus.Pending ? (now with { Status = BackupStatus.Failed, Error = BackupError }, true) : (now, false);
    }

    private static (RestorationRecord Seen, bool Abandoned) Judge(IBackupStore store, RestorationRecord restoration)
    {
        if (restoration.Status != RestorationStatus.Pending || store.IsOperationRunning(restoration.Id)) return (restoration, false);
        var now = store.FindRestoration(restoration.Id) ?? restoration;
        return now.Status == RestorationStatus.Pending ? (now with { Status = RestorationStatus.Failed, Error = RestorationError }, true) : (now, false);
    }

    /// <summary>Writes abandoned records as Failed and removes their archives, and the archives left beside records
    /// that say they have none (a removal interrupted between its record and its archive). Call under the store lock.</summary>
    public static void Recover(IBackupStore store, DateTimeOffset now)
    {
        var statuses = new Dictionary<string, BackupStatus>(StringComparer.Ordinal);
        foreach (var backup in store.ListBackups())
        {
            statuses[backup.Id] = backup.Status;
            var (seen, abandoned) = Judge(store, backup);
            if (!abandoned) continue;
            store.DeleteArchive(backup.Id);
            store.SaveBackup(seen with { FinishedDate = backup.FinishedDate ?? now });
            statuses[backup.Id] = BackupStatus.Failed;
        }
        // An archive is swept only when its record says it has none; one without a record is left alone.
        foreach (string id in store.ListArchiveIds())
        {
            if (!statuses.TryGetValue(id, out var status) || status is not (BackupStatus.Deleted or BackupStatus.Failed or BackupStatus.Canceled)) continue;
            try
            {
                store.DeleteArchive(id);
            }
            catch (Errors.BackupException)
            {
                // Held open elsewhere, or kept by a policy: swept another time; it must not stop the operation.
            }
        }
        foreach (var restoration in store.ListRestorations())
        {
            var (seen, abandoned) = Judge(store, restoration);
            if (abandoned) store.SaveRestoration(seen with { FinishedDate = restoration.FinishedDate ?? now });
        }
    }
}
