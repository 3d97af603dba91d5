using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Archive.Encryption;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Takes a backup. Everything that can refuse it before any item is read comes first and leaves no record, only
/// its error: a site that cannot be opened, a collection that is not there, a selection of no collection at all.
/// Then a Pending record, the archive written from the one snapshot of the site under a temporary name, and under
/// the store lock the archive published, the record made Ready and retention applied. A failure once the work has
/// started leaves a Failed (or Canceled) record, no archive, and every earlier backup as it was.
/// </summary>
public static class BackupOperation
{
    public static async Task<BackupOutcome> RunAsync(
        BackupRequest request, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var store = request.Store;
        var clock = request.Clock;
        // Requested now, before the snapshot is taken (it may then wait for the store lock): retention's "newer"
        // follows this date, so it must not come after the moment the site was read.
        var requested = clock.GetUtcNow();
        try
        {
            // An automatic backup that is not due is skipped before the site is even opened, so a daily job costs
            // nothing on the other days; the answer that counts is the one under the lock below.
            if (NotDue(request) is { } early) return new BackupOutcome(null, early, []);
            CheckEncryption(request);

            await using var snapshot = await request.Site.OpenSnapshotAsync(cancellationToken);
            var selected = Select(snapshot.Collections, request);
            var omissions = Omissions(snapshot, selected, request);
            foreach (var omission in omissions)
                request.Warnings?.Report($"The backup of '{request.Site.SiteId}' cannot keep '{omission.Collection}': {omission.Reason}");

            BackupRecord backup;
            IDisposable running;
            using (store.Lock(request.LockTimeout, cancellationToken))
            {
                Abandoned.Recover(store, clock.GetUtcNow());
                if (NotDue(request) is { } reason) return new BackupOutcome(null, reason, []);
                backup = new BackupRecord
                {
                    Id = Guid.CreateVersion7().ToString(),
                    SiteId = request.Site.SiteId,
                    SiteUser = request.Site.UserName,
                    Omissions = omissions,
                    Type = request.Type,
                    Status = BackupStatus.Pending,
                    RequestedDate = requested,
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
                return await RunAsync(request, backup, snapshot, selected, progress, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Translate(e, "The backup failed");
        }
    }

    /// <summary>
    /// What a run of <paramref name="request"/> would do, checked as the run checks it and without writing anything
    /// (for -WhatIf and a confirmation prompt): why an automatic backup would be skipped, or which collections it
    /// would take. Throws what the run would throw before its record (a site that cannot be opened, a pattern that
    /// matches nothing, a selection of nothing).
    /// </summary>
    public static async Task<BackupPreview> PreviewAsync(BackupRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            if (NotDue(request) is { } reason) return new BackupPreview(reason, [], []);
            CheckEncryption(request);
            var selected = Select(await request.Site.ListCollectionsAsync(cancellationToken), request);
            // What retention would remove once such a backup is Ready (the item counts do not matter to it).
            var taken = new BackupRecord
            {
                Id = Guid.CreateVersion7().ToString(), SiteId = request.Site.SiteId, Type = request.Type, Status = BackupStatus.Ready,
                RequestedDate = request.Clock.GetUtcNow(),
                Collections = selected.Select(c => new BackupCollection { Id = c.Id, DisplayName = c.DisplayName }).ToList(),
            };
            var expired = RetentionRules.Expired([.. request.Store.ListBackups(), taken], taken.SiteId, request.Store.ReadRetention());
            return new BackupPreview(null, selected, expired.Where(b => b.Id != taken.Id).ToList());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Translate(e, "The backup cannot be checked");
        }
    }

    /// <summary>The snapshot's omissions for this selection: of what is no collection, those the request's patterns
    /// would have taken had it been one.</summary>
    private static List<Omission> Omissions(ISiteSnapshot snapshot, IReadOnlyList<CollectionInfo> selected, BackupRequest request) =>
        snapshot.Omissions(selected)
            .Where(o => snapshot.Collections.Any(c => string.Equals(c.Id, o.Collection, StringComparison.Ordinal))
                || CollectionSelection.Takes(o.Collection, request.Collections, request.ExcludeCollections))
            .ToList();

    private static IReadOnlyList<CollectionInfo> Select(IReadOnlyList<CollectionInfo> available, BackupRequest request) =>
        CollectionSelection.Select(available, request.Collections, request.ExcludeCollections, $"The site '{request.Site.SiteId}'", request.Site.SiteId);

    /// <summary>A store whose policy requires encryption takes no backup without a key: refused before the site is
    /// read or anything is written, so a runbook that lost its key cannot leave plaintext there.</summary>
    private static void CheckEncryption(BackupRequest request)
    {
        if (request.EncryptionKey is null && request.Store.ReadRetention().RequireEncryption)
            throw new Errors.BackupException(Errors.BackupError.EncryptionKeyRequired,
                $"The store '{request.Store.Location}' requires every backup to be encrypted: give -EncryptionKey (Set-SiteBackupRetention -RequireEncryption $false lifts the requirement).",
                request.Store.Location);
    }

    /// <summary>Why an automatic backup is not taken now, or null when it is due (or not automatic, or forced). One
    /// that another process is taking now counts: two runbooks started together take one backup, not two.</summary>
    private static string? NotDue(BackupRequest request)
    {
        if (request.Type != BackupType.Auto || request.Force) return null;
        var store = request.Store;
        var backups = store.ListBackups();
        var running = backups.FirstOrDefault(b => b.Type == BackupType.Auto && b.Status == BackupStatus.Pending
            && string.Equals(b.SiteId, request.Site.SiteId, StringComparison.Ordinal) && store.IsOperationRunning(b.Id));
        if (running is not null)
            return $"An automatic backup of '{request.Site.SiteId}' is being taken now (backup {running.Id}, requested {Times.Show(running.RequestedDate)}).";
        var policy = store.ReadRetention();
        return RetentionRules.IsAutoDue(backups, request.Site.SiteId, policy, request.Clock.GetUtcNow(), out var newest)
            ? null
            : $"No automatic backup is due for '{request.Site.SiteId}': the newest one was taken {Times.Show(newest)}, less than {policy.AutoInterval.TotalDays:0.##} days ago.";
    }

    private static async Task<BackupOutcome> RunAsync(
        BackupRequest request, BackupRecord backup, ISiteSnapshot snapshot, IReadOnlyList<CollectionInfo> selected,
        IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var store = request.Store;
        var clock = request.Clock;
        try
        {
            backup = backup with { StartedDate = clock.GetUtcNow() };
            store.SaveBackup(backup);
            var (collections, size, encryption) = await WriteArchiveAsync(request, backup, snapshot, selected, progress, cancellationToken);
            backup = backup with
            {
                Status = BackupStatus.Ready,
                FinishedDate = clock.GetUtcNow(),
                SizeInBytes = size,
                Collections = collections,
                Encryption = encryption,
            };
        }
        catch (Exception e)
        {
            MarkEnded(store, backup, e is OperationCanceledException || cancellationToken.IsCancellationRequested, e, clock);
            throw;
        }

        return new BackupOutcome(backup, null, BackupCatalog.PublishReady(store, backup, request.LockTimeout, clock));
    }

    private static async Task<(IReadOnlyList<BackupCollection>, long, BackupEncryption?)> WriteArchiveAsync(
        BackupRequest request, BackupRecord backup, ISiteSnapshot snapshot, IReadOnlyList<CollectionInfo> selected,
        IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        string activity = $"Backing up {backup.SiteId}";
        // Every collection is counted first, so that the whole backup's progress is items done of all items.
        var totals = new long[selected.Count];
        for (int i = 0; i < selected.Count; i++) totals[i] = await snapshot.CountAsync(selected[i], cancellationToken);
        long overallTotal = totals.Sum();
        long overallDone = 0;

        using var upload = request.Store.BeginArchive(backup.Id);
        using var seal = request.EncryptionKey is { } key ? ArchiveEncryption.Begin(upload.Stream, key) : null;
        using (var writer = new ArchiveWriter(seal?.Stream ?? upload.Stream, request.Compression))
        {
            for (int i = 0; i < selected.Count; i++)
            {
                var collection = selected[i];
                var step = new BackupProgress
                {
                    Activity = activity, CollectionId = collection.Id, CollectionIndex = i, CollectionCount = selected.Count,
                    ItemsTotal = totals[i], OverallItemsDone = overallDone, OverallItemsTotal = overallTotal,
                };
                progress?.Report(step);
                long before = overallDone;
                var items = writer.BeginCollection(collection.Id, collection.DisplayName, snapshot.Layout(collection),
                    progress is null ? null : (n, bytes) => progress.Report(step with { ItemsDone = n, BytesDone = bytes, OverallItemsDone = before + n }));
                await snapshot.ExportAsync(collection, items, cancellationToken);
                var written = writer.EndCollection();
                overallDone += written.ItemCount;
                progress?.Report(step with
                {
                    ItemsDone = written.ItemCount, ItemsTotal = written.ItemCount, BytesDone = written.ByteCount, OverallItemsDone = overallDone,
                });
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (await snapshot.ReadDefinitionsAsync(selected, cancellationToken) is { } definitions) writer.WriteDefinitions(definitions);
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
            seal?.Complete();
            return (collections, upload.Commit(), seal?.Encryption);
        }
    }

    /// <summary>Records a backup that ended before it was Ready: Canceled (told by the token too, since a site can
    /// report Ctrl+C as its own error) or Failed with the error's message.</summary>
    private static void MarkEnded(Stores.IBackupStore store, BackupRecord backup, bool canceled, Exception e, TimeProvider clock)
    {
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
