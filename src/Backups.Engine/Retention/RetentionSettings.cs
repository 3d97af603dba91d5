using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Retention;

/// <summary>Changing a store's policy. New rules apply from the next backup into the store on (as the count limits
/// always have): changing one removes nothing by itself, and <see cref="WouldRemove"/> says what it will.</summary>
public static class RetentionSettings
{
    public static RetentionPolicy Update(IBackupStore store, RetentionChange change, CancellationToken cancellationToken = default)
    {
        change.Check(store.Location);
        using (store.Lock(LockWait.Timeout, cancellationToken))
        {
            var updated = change.ApplyTo(store.ReadRetention());
            store.WriteRetention(updated);
            return updated;
        }
    }

    /// <summary>The Ready backups, of every site in the store, that <paramref name="policy"/> removes from the store
    /// as it is now, oldest first: what the next backup of each site will remove under it (that backup then counts
    /// too, so it may remove one more of its own site).</summary>
    public static IReadOnlyList<BackupRecord> WouldRemove(IBackupStore store, RetentionPolicy policy)
    {
        var listed = store.ListBackups();
        return listed.Where(b => b.Status == BackupStatus.Ready).Select(b => b.SiteId).Distinct(StringComparer.Ordinal)
            .SelectMany(site => RetentionRules.Expired(listed, site, policy))
            .OrderBy(b => b.RequestedDate).ThenBy(b => b.Id, StringComparer.Ordinal)
            .ToList();
    }
}
