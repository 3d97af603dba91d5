using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Retention;

/// <summary>Changing a store's retention limits. New limits apply from the next backup on; lowering one removes
/// nothing by itself.</summary>
public static class RetentionSettings
{
    /// <summary>Throws InvalidArgument for limits a store cannot keep; <see cref="Update"/> checks the same, and a
    /// caller that asks first (-WhatIf) calls this before asking.</summary>
    public static void Check(string store, int? maxOnDemandBackups, int? maxAutoBackups, TimeSpan? autoInterval, TimeSpan? deletedRecordRetention = null)
    {
        if (deletedRecordRetention < TimeSpan.Zero)
            throw new BackupException(BackupError.InvalidArgument, $"Records of removed backups are kept for no time or longer, not {deletedRecordRetention}.", store);
        if (maxOnDemandBackups < 1 || maxAutoBackups < 1)
            throw new BackupException(BackupError.InvalidArgument, "A store keeps at least one backup of each type.", store);
        if (autoInterval <= TimeSpan.Zero)
            throw new BackupException(BackupError.InvalidArgument, $"The interval between automatic backups must be positive, not {autoInterval}.", store);
    }

    public static RetentionPolicy Update(
        IBackupStore store, int? maxOnDemandBackups, int? maxAutoBackups, TimeSpan? autoInterval, bool? requireEncryption,
        TimeSpan? deletedRecordRetention = null, CancellationToken cancellationToken = default)
    {
        Check(store.Location, maxOnDemandBackups, maxAutoBackups, autoInterval, deletedRecordRetention);
        using (store.Lock(LockWait.Timeout, cancellationToken))
        {
            var current = store.ReadRetention();
            var updated = current with
            {
                MaxOnDemandBackups = maxOnDemandBackups ?? current.MaxOnDemandBackups,
                MaxAutoBackups = maxAutoBackups ?? current.MaxAutoBackups,
                AutoInterval = autoInterval ?? current.AutoInterval,
                RequireEncryption = requireEncryption ?? current.RequireEncryption,
                DeletedRecordRetention = deletedRecordRetention ?? current.DeletedRecordRetention,
            };
            store.WriteRetention(updated);
            return updated;
        }
    }
}
