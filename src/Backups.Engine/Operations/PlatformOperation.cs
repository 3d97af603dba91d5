using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Backups, restores and removals in a store whose platform takes and keeps the backups itself (Wix's own backups of
/// a site, <see cref="IPlatformStore"/>): the platform is asked, and waited for. Waiting polls the platform's list,
/// the first look after a second and each next one twice as late up to half a minute; it ends with the record once the
/// work is done, with OperationFailed when the platform reports a failure, with WaitTimedOut when the time limit passes
/// (the work goes on there), and on cancellation at once, harming nothing: the platform goes on with what it was asked.
/// </summary>
public static class PlatformOperation
{
    /// <summary>Asks the platform for an on-demand backup of the request's site, and waits for it unless
    /// <paramref name="wait"/> is false (then the Pending record comes back at once).</summary>
    public static async Task<BackupRecord> BackupAsync(IPlatformStore store, BackupRequest request, bool wait,
        IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckBackup(store, request);
        var created = await store.CreateAsync(cancellationToken);
        if (!wait) return created;
        return await WaitAsync(store, $"Wix backup {created.Id} of {store.SiteId}", created, async token =>
        {
            var now = (await store.ListAsync([], [], token)).FirstOrDefault(b => b.Id == created.Id)
                ?? throw new BackupException(BackupError.BackupNotFound, $"Wix no longer lists its backup '{created.Id}' of '{store.SiteId}'.", created.Id);
            return now.Status switch
            {
                BackupStatus.Pending => (null, "Pending"),
                BackupStatus.Ready => (now, "Ready"),
                _ => throw new BackupException(BackupError.OperationFailed, $"Wix's backup '{now.Id}' of '{store.SiteId}' ended {now.Status}.", now.Id),
            };
        }, progress, cancellationToken);
    }

    /// <summary>Throws InvalidArgument for a backup the platform cannot take: of another site, of some collections
    /// only, or automatic (the platform takes those itself). <see cref="BackupAsync"/> checks the same; a caller that
    /// asks first calls this before asking.</summary>
    public static void CheckBackup(IPlatformStore store, BackupRequest request)
    {
        CheckSite(store, request.Site.SiteId);
        if (request.Collections.Count > 0 || request.ExcludeCollections.Count > 0)
            throw new BackupException(BackupError.InvalidArgument, $"Wix backs up every collection of a site: '{store.SiteId}' takes no -Collection or -ExcludeCollection.", store.SiteId);
        if (request.Type != BackupType.OnDemand)
            throw new BackupException(BackupError.InvalidArgument, $"Wix takes the automatic backups of '{store.SiteId}' itself, every 7 days; New-SiteBackup asks it for on-demand ones only.", store.SiteId);
    }

    /// <summary>The on-demand backup the platform will delete to make room for a new one, or null: Wix keeps 3 and
    /// deletes "the oldest existing on-demand backup" for a 4th. Every on-demand backup it has not deleted counts
    /// (Wix does not say that failed ones do not), and the oldest of them is named, whatever its status.</summary>
    public static async Task<BackupRecord?> OldestToGoAsync(IPlatformStore store, CancellationToken cancellationToken = default)
    {
        var kept = (await store.ListAsync([], [BackupType.OnDemand], cancellationToken))
            .Where(b => b.Status != BackupStatus.Deleted).OrderBy(b => b.RequestedDate).ToList();
        return kept.Count >= Retention.RetentionPolicy.DefaultMaxOnDemand ? kept[0] : null;
    }

    /// <summary>Restores a Ready backup (all of it, or the request's collections into their destinations) on the
    /// platform's side, and waits until the platform says it is done unless <paramref name="wait"/> is false.</summary>
    public static async Task<RestorationRecord> RestoreAsync(IPlatformStore store, RestoreRequest request, bool wait = true,
        IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckSite(store, request.Site.SiteId);
        var backup = BackupCatalog.Get(request.Store, request.BackupId);
        var plan = RestorePlan.For(backup, request.Collections, request.Destinations, StringComparer.Ordinal);
        bool whole = request.Collections.Count == 0 && request.Destinations.Count == 0;
        var started = await store.RestoreAsync(backup, whole ? [] : plan.Select(s => (s.Source.Id, s.Destination)).ToList(), cancellationToken);
        if (!wait) return started;
        return await WaitAsync(store, $"Wix restoration {started.Id} of backup {backup.Id}", started, async token =>
        {
            var now = (await store.ListRestorationsAsync(token)).FirstOrDefault(r => r.Id == started.Id)
                ?? throw new BackupException(BackupError.RestorationNotFound, $"Wix no longer lists its restoration '{started.Id}'.", started.Id);
            return now.Status switch
            {
                RestorationStatus.Pending => (null, "Pending"),
                RestorationStatus.Completed => (now, "Completed"),
                _ => throw new BackupException(BackupError.OperationFailed, $"Wix's restoration '{now.Id}' of backup '{backup.Id}' ended {now.Status}.", now.Id) { Restoration = now },
            };
        }, progress, cancellationToken);
    }

    /// <summary>Deletes a backup on the platform; it then lists as Deleted. Removing a Deleted backup again changes
    /// nothing; a Pending one is refused with BackupNotReady.</summary>
    public static async Task<BackupRecord> RemoveAsync(IPlatformStore store, string backupId, CancellationToken cancellationToken = default)
    {
        var backup = BackupCatalog.Get(store, backupId);
        BackupCatalog.CheckRemovable(backup);
        if (backup.Status == BackupStatus.Deleted) return backup;
        await store.DeleteAsync(backup.Id, cancellationToken);
        // Wix says deleting takes time: the record comes back once it lists Deleted, so that nothing piped on picks it.
        return await WaitAsync(store, $"Wix deleting backup {backup.Id}", backup, async token =>
        {
            var now = (await store.ListAsync([], [], token)).FirstOrDefault(b => b.Id == backup.Id);
            return now is null || now.Status == BackupStatus.Deleted ? (now ?? backup with { Status = BackupStatus.Deleted, DeletedDate = DateTimeOffset.UtcNow }, "Deleted") : (null, now.Status.ToString());
        }, null, cancellationToken);
    }

    /// <summary>Throws InvalidArgument unless <paramref name="siteId"/> is the store's own site.</summary>
    public static void CheckSite(IPlatformStore store, string siteId)
    {
        if (!string.Equals(store.SiteId, siteId, StringComparison.OrdinalIgnoreCase))
            throw new BackupException(BackupError.InvalidArgument,
                $"'{store.SiteId}' holds Wix's own backups of that site only; it cannot back up or restore '{siteId}'.", siteId);
    }

    private static async Task<T> WaitAsync<T>(IPlatformStore store, string activity, T first,
        Func<CancellationToken, Task<(T? Done, string Status)>> look, IProgress<BackupProgress>? progress, CancellationToken cancellationToken) where T : class
    {
        var wait = store.Wait;
        var deadline = DateTimeOffset.UtcNow + wait.Timeout;
        var delay = wait.FirstDelay;
        string status = "Pending";
        while (true)
        {
            progress?.Report(new BackupProgress { Activity = $"Waiting for {activity} ({status})", CollectionCount = 1 });
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
                // The error names the record that is still Pending (and carries a restoration's), so that a runbook
                // can look for it later without reading the message.
                throw new BackupException(BackupError.WaitTimedOut,
                    $"{activity} is still {status} after {wait.Timeout}; Wix goes on with it: Get-SiteBackup -Store {store.SiteId} (or Get-SiteBackupRestoration) shows when it is done.",
                    first switch { BackupRecord b => b.Id, RestorationRecord r => r.Id, _ => store.SiteId })
                { Restoration = first as RestorationRecord };
            await Task.Delay(delay < left ? delay : left, cancellationToken);
            delay = delay * 2 < wait.MaxDelay ? delay * 2 : wait.MaxDelay;
            (var done, status) = await look(cancellationToken);
            if (done is not null)
            {
                progress?.Report(new BackupProgress { Activity = $"Waiting for {activity}", CollectionCount = 1, CollectionIndex = 1, Completed = true });
                return done;
            }
        }
    }
}
