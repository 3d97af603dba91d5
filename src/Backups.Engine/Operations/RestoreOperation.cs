using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Restores a backup. Everything that can be checked without touching the site is checked first (the backup is
/// Ready, the collections and destinations exist, the archive's structure and manifest are sound). The items
/// are then written inside the site's one restore transaction while their checksums and counts are checked; any
/// mismatch throws and the transaction rolls back, so nothing unverified ever becomes visible. A site without
/// transactions (Wix) gets every chosen entry checked whole before anything is written, and its restoration record
/// says what each collection holds when it ends, however it ends.
/// </summary>
public static class RestoreOperation
{
    public static async Task<RestorationRecord> RunAsync(
        RestoreRequest request, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var store = request.Store;
        var backup = BackupCatalog.Get(store, request.BackupId);
        if (backup.Status != BackupStatus.Ready)
            throw new BackupException(BackupError.BackupNotReady,
                $"Backup '{backup.Id}' is {backup.Status}; only a Ready backup can be restored.", backup.Id);

        var plan = Plan(backup, request);
        var restoration = new RestorationRecord
        {
            Id = Guid.CreateVersion7().ToString(),
            Backup = backup,
            SiteId = request.Site.SiteId,
            Status = RestorationStatus.Pending,
            RequestedDate = request.Clock.GetUtcNow(),
            Collections = plan.Select(p => new RestorationCollection { Id = p.Source.Id, Destination = p.Destination }).ToList(),
            Store = store.Location,
        };
        using var running = store.HoldOperation(restoration.Id);
        store.SaveRestoration(restoration);

        var outcome = new Outcome(restoration.Collections);
        restoration = restoration with { StartedDate = request.Clock.GetUtcNow() };
        try
        {
            await RestoreAsync(request, backup, plan, outcome, progress, cancellationToken);
        }
        catch (Exception e)
        {
            string error = e is OperationCanceledException ? "The restore was canceled" : e.Message;
            var failed = restoration with
            {
                Status = RestorationStatus.Failed,
                FinishedDate = request.Clock.GetUtcNow(),
                Collections = outcome.Collections,
                Transactional = outcome.Transactional,
                Error = outcome.Transactional
                    ? error + (e is OperationCanceledException ? "; the site was left as it was." : "")
                    : $"{error.TrimEnd('.')}. The site has no transactions, so what was written stays: {outcome.Describe()}",
            };
            try { store.SaveRestoration(failed); }
            catch (Exception) { /* the original error is the one to report */ }
            var translated = Failures.Translate(e, "The restore failed");
            if (translated is BackupException be) be.Restoration = failed;
            if (ReferenceEquals(translated, e)) throw;
            throw translated;
        }

        // Written through: Completed, unless the site refused some items one by one (a site without transactions).
        restoration = restoration with
        {
            Status = outcome.Refused.Count == 0 ? RestorationStatus.Completed : RestorationStatus.Failed,
            FinishedDate = request.Clock.GetUtcNow(),
            Collections = outcome.Collections,
            Transactional = outcome.Transactional,
            Error = outcome.Refused.Count == 0 ? null : RefusedMessage(outcome.Refused),
        };
        store.SaveRestoration(restoration);
        if (outcome.Refused.Count > 0)
            throw new BackupException(BackupError.OperationFailed, restoration.Error!, request.Site.SiteId) { Restoration = restoration };
        return restoration;
    }

    /// <summary>What the restore has done to each collection so far; for a site without transactions, exactly what
    /// a failure leaves behind.</summary>
    private sealed class Outcome(IReadOnlyList<RestorationCollection> planned)
    {
        private readonly List<RestorationCollection> collections = planned.ToList();
        public bool Transactional { get; set; } = true;
        public List<RefusedItem> Refused { get; } = [];
        public IReadOnlyList<RestorationCollection> Collections => Transactional && collections.Any(c => c.Status != RestorationCollectionStatus.Restored)
            ? collections.Select(c => c with { Status = RestorationCollectionStatus.NotRestored, ItemCount = 0 }).ToList() // rolled back
            : collections;

        public void Set(string sourceId, RestorationCollectionStatus status, long items, long refused = 0)
        {
            int at = collections.FindIndex(c => c.Id == sourceId);
            collections[at] = collections[at] with { Status = status, ItemCount = items, RefusedItemCount = refused };
        }

        public string Describe() => string.Join("; ", collections.Select(c => c.Status switch
        {
            RestorationCollectionStatus.Restored => $"'{c.Destination}' restored ({c.ItemCount} items)",
            RestorationCollectionStatus.Partial => $"'{c.Destination}' emptied and {c.ItemCount} items written",
            _ => $"'{c.Destination}' untouched",
        })) + ".";
    }

    private static string RefusedMessage(List<RefusedItem> refused) =>
        $"The site refused {refused.Count} item(s); everything else was written: " +
        string.Join("; ", refused.Take(10).Select(r => $"'{r.CollectionId}' item '{r.ItemId ?? "(no id)"}': {r.Code} {r.Message}")) +
        (refused.Count > 10 ? $"; and {refused.Count - 10} more." : ".");

    private sealed record Step(BackupCollection Source, string Destination);

    /// <summary>Which collections go where; every argument error is found here, before any record or write.</summary>
    private static List<Step> Plan(BackupRecord backup, RestoreRequest request)
    {
        var inBackup = backup.Collections.Select(c => new CollectionInfo(c.Id, c.DisplayName)).ToList();
        var chosen = CollectionSelection.Select(inBackup, request.Collections, null, $"Backup '{backup.Id}'");

        foreach (string key in request.Destinations.Keys)
        {
            if (!chosen.Any(c => string.Equals(c.Id, key, StringComparison.OrdinalIgnoreCase)))
                throw new BackupException(BackupError.InvalidArgument,
                    $"The destination map names '{key}', which is not among the collections being restored ({string.Join(", ", chosen.Select(c => c.Id))}).", key);
        }

        var steps = chosen.Select(c =>
        {
            var destination = request.Destinations.FirstOrDefault(d => string.Equals(d.Key, c.Id, StringComparison.OrdinalIgnoreCase)).Value ?? c.Id;
            if (string.IsNullOrWhiteSpace(destination))
                throw new BackupException(BackupError.InvalidArgument, $"The destination of '{c.Id}' is empty.", c.Id);
            return new Step(backup.Collections.First(b => b.Id == c.Id), destination);
        }).ToList();

        var twice = steps.GroupBy(s => s.Destination, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new BackupException(BackupError.InvalidArgument,
                $"Collections {string.Join(" and ", twice.Select(s => $"'{s.Source.Id}'"))} would both be restored into '{twice.Key}'.", twice.Key);
        return steps;
    }

    private static async Task RestoreAsync(
        RestoreRequest request, BackupRecord backup, List<Step> plan, Outcome outcome, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        string activity = $"Restoring backup {backup.Id} into {request.Site.SiteId}";
        await using var archiveStream = request.Store.OpenArchive(backup.Id);
        using var archive = ArchiveReader.Open(archiveStream, backup.Id);
        if (!string.Equals(archive.Manifest.Id, backup.Id, StringComparison.Ordinal))
            throw ArchiveReader.Corrupt(backup.Id, $"its manifest belongs to backup '{archive.Manifest.Id}'");
        var entries = plan.Select(step =>
            archive.Manifest.Collections.FirstOrDefault(m => m.Id == step.Source.Id)
            ?? throw ArchiveReader.Corrupt(backup.Id, $"collection '{step.Source.Id}' of the record is not in the archive")).ToList();

        await using var restore = await request.Site.BeginRestoreAsync(cancellationToken);
        foreach (var step in plan)
        {
            if (!restore.Collections.Any(c => string.Equals(c.Id, step.Destination, StringComparison.Ordinal)))
                throw new BackupException(BackupError.CollectionNotFound,
                    $"The site '{request.Site.SiteId}' has no collection '{step.Destination}' to restore '{step.Source.Id}' into; a restore writes into collections that exist.",
                    step.Destination);
        }

        outcome.Transactional = restore.IsTransactional;
        if (!restore.IsTransactional)
        {
            // Nothing written can be taken back: every chosen entry is checked whole (count, size, SHA-256) first.
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var check = archive.OpenCollection(entry);
                check.CheckRest();
            }
        }

        var order = await restore.ClearAsync(plan.Select(p => p.Destination).ToList(), cancellationToken);
        for (int i = 0; i < order.Count; i++)
        {
            int at = plan.FindIndex(p => string.Equals(p.Destination, order[i], StringComparison.Ordinal));
            var step = new BackupProgress
            {
                Activity = activity, CollectionId = plan[at].Destination, CollectionIndex = i,
                CollectionCount = plan.Count, ItemsTotal = entries[at].ItemCount,
            };
            progress?.Report(step);
            using var items = archive.OpenCollection(entries[at]);
            long count;
            int refusedBefore = restore.RefusedItems.Count;
            try
            {
                count = await restore.WriteAsync(plan[at].Destination, items, cancellationToken);
            }
            catch (Exception e)
            {
                if (!restore.IsTransactional && restore.ItemsWritten(plan[at].Destination) is { } written)
                    outcome.Set(plan[at].Source.Id, RestorationCollectionStatus.Partial, written);
                if (e is BackupException { Error: not BackupError.ArchiveCorrupt })
                    items.CheckRest(); // throws ArchiveCorrupt when the refused item came from a damaged entry
                throw;
            }
            int refused = restore.RefusedItems.Count - refusedBefore;
            outcome.Set(plan[at].Source.Id, refused == 0 ? RestorationCollectionStatus.Restored : RestorationCollectionStatus.Partial, count, refused);
            progress?.Report(step with { ItemsDone = count, BytesDone = items.ByteCount });
        }
        cancellationToken.ThrowIfCancellationRequested();
        await restore.CommitAsync(cancellationToken);
        outcome.Refused.AddRange(restore.RefusedItems);
        progress?.Report(new BackupProgress { Activity = activity, CollectionCount = plan.Count, CollectionIndex = plan.Count, Completed = true });
    }
}
