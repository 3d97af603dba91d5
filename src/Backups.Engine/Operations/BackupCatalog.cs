using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Operations;

/// <summary>Listing, finding and removing backups and restorations in a store.</summary>
public static class BackupCatalog
{
    /// <summary>Backups matching <paramref name="query"/>, newest first.</summary>
    public static IReadOnlyList<BackupRecord> List(IBackupStore store, BackupQuery query)
    {
        // Wix's own backups are filtered by Wix (its status and type filters); the rest is the same.
        IEnumerable<BackupRecord> backups = store is IPlatformStore platform
            ? platform.ListAsync(query.Statuses, query.Types, CancellationToken.None).GetAwaiter().GetResult()
            : store.ListBackups().Select(b => Abandoned.AsSeen(store, b));
        if (query.SiteId is not null) backups = backups.Where(b => string.Equals(b.SiteId, query.SiteId, StringComparison.Ordinal));
        if (query.Ids.Count > 0) backups = backups.Where(b => query.Ids.Contains(b.Id, StringComparer.OrdinalIgnoreCase));
        if (query.Types.Count > 0) backups = backups.Where(b => query.Types.Contains(b.Type));
        if (query.Statuses.Count > 0) backups = backups.Where(b => query.Statuses.Contains(b.Status));
        else if (query.Ids.Count == 0)
            // Deleted backups only when asked for; -Last alone counts the backups that can be restored.
            backups = backups.Where(b => query.Last > 0 ? b.Status == BackupStatus.Ready : b.Status != BackupStatus.Deleted);
        backups = Newest(backups);
        if (query.Last > 0) backups = backups.Take(query.Last);
        return backups.ToList();
    }

    /// <summary>The backup <paramref name="id"/>; throws BackupNotFound.</summary>
    public static BackupRecord Get(IBackupStore store, string id) =>
        (store.FindBackup(id) is { } found ? Abandoned.AsSeen(store, found) : null)
        ?? throw new BackupException(BackupError.BackupNotFound, $"The store '{store.Location}' has no backup '{id}'.", id);

    /// <summary>
    /// Removes the archive of backup <paramref name="id"/> and keeps its record with status Deleted. Removing a
    /// Deleted backup again changes nothing; a Pending one (still running) is refused with BackupNotReady.
    /// </summary>
    public static BackupRecord Remove(IBackupStore store, string id, TimeSpan lockTimeout, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        using (store.Lock(lockTimeout, cancellationToken))
        {
            Abandoned.Recover(store, clock.GetUtcNow());
            var backup = Get(store, id);
            CheckRemovable(backup);
            return backup.Status == BackupStatus.Deleted ? backup : MarkDeleted(store, backup, clock.GetUtcNow());
        }
    }

    /// <summary>Throws BackupNotReady for a backup that is still being written; <see cref="Remove"/> checks the same,
    /// and a caller that asks first (-WhatIf) calls this before asking.</summary>
    public static void CheckRemovable(BackupRecord backup)
    {
        if (backup.Status == BackupStatus.Pending)
            throw new BackupException(BackupError.BackupNotReady, $"Backup '{backup.Id}' is still being written and cannot be removed yet.", backup.Id);
    }

    /// <summary>Records <paramref name="ready"/> (whose archive is complete in the store) as Ready and only then lets
    /// the store's retention remove older backups of its site, all under the store lock; returns what it removed.</summary>
    internal static IReadOnlyList<BackupRecord> PublishReady(IBackupStore store, BackupRecord ready, TimeSpan lockTimeout, TimeProvider clock)
    {
        using (store.Lock(lockTimeout, CancellationToken.None))
        {
            store.SaveBackup(ready);
            var policy = store.ReadRetention();
            var listed = store.ListBackups();
            var removed = new List<BackupRecord>();
            foreach (var old in Retention.RetentionRules.Expired(listed, ready.SiteId, policy))
                removed.Add(MarkDeleted(store, old, clock.GetUtcNow()));
            PruneRecords(store, listed, policy, clock.GetUtcNow());
            return removed;
        }
    }

    /// <summary>Removes the records of backups that have had no archive (Deleted, Failed, Canceled) for longer than
    /// the policy keeps them, of every site in the store. The archive is removed again first (a removal interrupted
    /// between its record and its archive may have left one), so no pruned record leaves an archive behind.</summary>
    internal static int PruneRecords(IBackupStore store, IEnumerable<BackupRecord> listed, Retention.RetentionPolicy policy, DateTimeOffset now)
    {
        int pruned = 0;
        foreach (var gone in listed.Where(b => b.Status is BackupStatus.Deleted or BackupStatus.Failed or BackupStatus.Canceled))
        {
            var since = gone.DeletedDate ?? gone.FinishedDate ?? gone.RequestedDate;
            if (now - since <= policy.DeletedRecordRetention) continue;
            store.DeleteArchive(gone.Id);
            store.DeleteBackupRecord(gone.Id);
            pruned++;
        }
        return pruned;
    }

    /// <summary>Records the deletion first, then deletes the archive: a crash in between leaves a Deleted record
    /// whose archive is still there, which the next backup or removal in the store sweeps away
    /// (<see cref="Abandoned.Recover"/>); never a Ready record whose archive is gone.</summary>
    internal static BackupRecord MarkDeleted(IBackupStore store, BackupRecord backup, DateTimeOffset now)
    {
        var deleted = backup with { Status = BackupStatus.Deleted, DeletedDate = now };
        store.SaveBackup(deleted);
        store.DeleteArchive(backup.Id);
        return deleted;
    }

    /// <summary>Restorations matching <paramref name="query"/>, newest first.</summary>
    public static IReadOnlyList<RestorationRecord> ListRestorations(IBackupStore store, RestorationQuery? query = null)
    {
        query ??= new RestorationQuery();
        IEnumerable<RestorationRecord> restorations = store.ListRestorations().Select(r => Abandoned.AsSeen(store, r));
        if (query.SiteId is not null) restorations = restorations.Where(r => string.Equals(r.SiteId, query.SiteId, StringComparison.Ordinal));
        if (query.Ids.Count > 0) restorations = restorations.Where(r => query.Ids.Contains(r.Id, StringComparer.OrdinalIgnoreCase));
        if (query.BackupIds.Count > 0) restorations = restorations.Where(r => query.BackupIds.Contains(r.Backup.Id, StringComparer.OrdinalIgnoreCase));
        if (query.Statuses.Count > 0) restorations = restorations.Where(r => query.Statuses.Contains(r.Status));
        restorations = restorations.OrderByDescending(r => r.RequestedDate).ThenByDescending(r => r.Id, StringComparer.Ordinal);
        if (query.Last > 0) restorations = restorations.Take(query.Last);
        return restorations.ToList();
    }

    private static IEnumerable<BackupRecord> Newest(IEnumerable<BackupRecord> backups) =>
        backups.OrderByDescending(b => b.RequestedDate).ThenByDescending(b => b.Id, StringComparer.Ordinal);
}
