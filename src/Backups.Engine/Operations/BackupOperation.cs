using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Takes a backup: a Pending record, the archive written from one snapshot of the site under a temporary name,
/// then under the store lock the archive published, the record made Ready and retention applied. Any failure
/// leaves a Failed (or Canceled) record, no archive, and every earlier backup as it was.
/// </summary>
public static class BackupOperation
{
    public static async Task<BackupOutcome> RunAsync(
        BackupRequest request, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var store = request.Store;
        var siteId = request.Site.SiteId;
        var clock = request.Clock;

        BackupRecord backup;
        IDisposable running;
        using (store.Lock(request.LockTimeout, cancellationToken))
        {
            Abandoned.Recover(store, clock.GetUtcNow());
            if (request.Type == BackupType.Auto && !request.Force)
            {
                var policy = store.ReadRetention();
                if (!RetentionRules.IsAutoDue(store.ListBackups(), siteId, policy, clock.GetUtcNow(), out var newest))
                    return new BackupOutcome(null,
                        $"No automatic backup is due for '{siteId}': the newest one was taken {newest:u}, less than {policy.AutoInterval.TotalDays:0.##} days ago.",
                        []);
            }
            backup = new BackupRecord
            {
                Id = Guid.CreateVersion7().ToString(),
                SiteId = siteId,
                Type = request.Type,
                Status = BackupStatus.Pending,
                RequestedDate = clock.GetUtcNow(),
                Store = store.Location,
            };
            // Held before the Pending record exists, so no other process ever sees it Pending and unheld.
            running = store.HoldOperation(backup.Id);
            try
            {
                store.SaveBackup(backup);
            }
            catch
            {
                running.Dispose();
                throw;
            }
        }

        using (running)
        {
            return await RunAsync(request, backup, progress, cancellationToken);
        }
    }

    private static async Task<BackupOutcome> RunAsync(
        BackupRequest request, BackupRecord backup, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var store = request.Store;
        var clock = request.Clock;
        try
        {
            backup = backup with { StartedDate = clock.GetUtcNow() };
            store.SaveBackup(backup);
            var (collections, size) = await WriteArchiveAsync(request, backup, progress, cancellationToken);
            backup = backup with
            {
                Status = BackupStatus.Ready,
                FinishedDate = clock.GetUtcNow(),
                SizeInBytes = size,
                Collections = collections,
            };
        }
        catch (Exception e)
        {
            MarkEnded(store, backup, e, clock);
            var translated = Failures.Translate(e, "The backup failed");
            if (ReferenceEquals(translated, e)) throw;
            throw translated;
        }

        // The new backup is complete on disk; only now may retention remove an older one.
        using (store.Lock(request.LockTimeout, CancellationToken.None))
        {
            store.SaveBackup(backup);
            var removed = new List<BackupRecord>();
            foreach (var old in RetentionRules.Expired(store.ListBackups(), backup.SiteId, store.ReadRetention()))
            {
                removed.Add(BackupCatalog.MarkDeleted(store, old, clock.GetUtcNow()));
            }
            return new BackupOutcome(backup, null, removed);
        }
    }

    private static async Task<(IReadOnlyList<BackupCollection>, long)> WriteArchiveAsync(
        BackupRequest request, BackupRecord backup, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        string activity = $"Backing up {backup.SiteId}";
        await using var snapshot = await request.Site.OpenSnapshotAsync(cancellationToken);
        var selected = CollectionSelection.Select(snapshot.Collections, request.Collections, request.ExcludeCollections, $"The site '{backup.SiteId}'");

        using var upload = request.Store.BeginArchive(backup.Id);
        using (var writer = new ArchiveWriter(upload.Stream, request.Compression))
        {
            for (int i = 0; i < selected.Count; i++)
            {
                var collection = selected[i];
                long total = await snapshot.CountAsync(collection, cancellationToken);
                var step = new BackupProgress
                {
                    Activity = activity, CollectionId = collection.Id, CollectionIndex = i,
                    CollectionCount = selected.Count, ItemsTotal = total,
                };
                progress?.Report(step);
                var items = writer.BeginCollection(collection.Id, collection.DisplayName,
                    progress is null ? null : (n, bytes) => progress.Report(step with { ItemsDone = n, BytesDone = bytes }));
                await snapshot.ExportAsync(collection, items, cancellationToken);
                var written = writer.EndCollection();
                progress?.Report(step with { ItemsDone = written.ItemCount, ItemsTotal = written.ItemCount, BytesDone = written.ByteCount });
            }
            cancellationToken.ThrowIfCancellationRequested();
            writer.Complete(new ArchiveManifest
            {
                Id = backup.Id,
                SiteId = backup.SiteId,
                Type = backup.Type,
                RequestedDate = backup.RequestedDate,
                StartedDate = backup.StartedDate,
                FinishedDate = request.Clock.GetUtcNow(),
                Tool = ArchiveTool.Current,
            });
            progress?.Report(new BackupProgress { Activity = activity, CollectionCount = selected.Count, CollectionIndex = selected.Count, Completed = true });

            var collections = writer.Collections
                .Select(c => new BackupCollection { Id = c.Id, DisplayName = c.DisplayName, ItemCount = c.ItemCount })
                .ToList();
            return (collections, upload.Commit());
        }
    }

    private static void MarkEnded(Stores.IBackupStore store, BackupRecord backup, Exception e, TimeProvider clock)
    {
        bool canceled = e is OperationCanceledException;
        try
        {
            store.SaveBackup(backup with
            {
                Status = canceled ? BackupStatus.Canceled : BackupStatus.Failed,
                FinishedDate = clock.GetUtcNow(),
                Error = canceled ? "The backup was canceled." : e.Message,
            });
        }
        catch (Exception)
        {
            // The store itself may be what failed (a full disk). The original error is the one to report; a
            // record left Pending is recognised as abandoned later.
        }
    }
}
