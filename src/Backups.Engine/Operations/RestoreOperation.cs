using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Archive.Encryption;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;

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
        var requested = request.Clock.GetUtcNow();
        try
        {
            // Everything that can refuse the restore before it touches the site comes before its record, which a
            // refusal then never writes: the backup and the plan, the archive's manifest, the site's restore
            // transaction (a site that cannot be opened or stays locked), the destinations in it.
            var backup = BackupCatalog.Get(store, request.BackupId);
            var plan = RestorePlan.For(backup, request.Collections, request.Destinations, request.Site.CollectionNames);
            using var opened = PlannedArchive.Open(store, backup, plan, request.EncryptionKey);
            if (request.EncryptionKey is not null && backup.Encryption is null)
                request.Warnings?.Report($"Backup '{backup.Id}' is not encrypted, so the key given was not used. If every backup of '{store.Location}' should be encrypted, its record and archive were replaced, or it was taken before encryption.");
            await using var restore = await request.Site.BeginRestoreAsync(new RestoreStart
            {
                Targets = plan.Select((step, i) => new RestoreTarget(opened.Entries[i], step.Destination)).ToList(),
                Definitions = opened.Definitions,
                FormatVersion = opened.Reader.Manifest.FormatVersion,
                CreateMissing = request.CreateMissing,
            }, cancellationToken);
            plan = RestorePlan.Resolve(plan, restore.Collections, request.Site.SiteId, request.Site.CollectionNames, restore.HowToCreate);
            foreach (string warning in restore.Warnings) request.Warnings?.Report(warning);

            var restoration = new RestorationRecord
            {
                Id = Guid.CreateVersion7().ToString(),
                Backup = backup,
                SiteId = request.Site.SiteId,
                Status = RestorationStatus.Pending,
                RequestedDate = requested,
                Collections = plan.Select(p => new RestorationCollection { Id = p.Source.Id, Destination = p.Destination }).ToList(),
                Store = store.Location,
            };
            using var journal = Journal.Start(store, restoration, request.Warnings);
            return await RunAsync(new Run(request, backup, plan, opened.Reader, opened.Entries, restore, journal), restoration, progress, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Translate(e, "The restore failed");
        }
    }

    /// <summary>What a started restore works with.</summary>
    private sealed record Run(
        RestoreRequest Request, BackupRecord Backup, IReadOnlyList<RestoreStep> Plan, ArchiveReader Archive,
        IReadOnlyList<ManifestCollection> Entries, ISiteRestore Restore, Journal Journal);

    private static async Task<RestorationRecord> RunAsync(
        Run run, RestorationRecord restoration, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = run.Request.Clock;
        var outcome = new Outcome(restoration.Collections);
        restoration = restoration with { StartedDate = clock.GetUtcNow() };
        try
        {
            await RestoreAsync(run, outcome, progress, cancellationToken);
        }
        catch (Exception e)
        {
            // A site can report Ctrl+C as its own error (an interrupted statement): the token says what happened.
            bool canceled = e is OperationCanceledException || cancellationToken.IsCancellationRequested;
            string error = canceled ? "The restore was canceled" : e.Message;
            var ended = restoration with
            {
                Status = canceled ? RestorationStatus.Canceled : RestorationStatus.Failed,
                FinishedDate = clock.GetUtcNow(),
                Collections = outcome.Collections,
                Transactional = outcome.Transactional,
                Error = outcome.Transactional
                    ? error + (canceled ? "; the site was left as it was." : "")
                    : $"{error.TrimEnd('.')}. The site has no transactions, so what was written stays: {outcome.Describe()}",
            };
            run.Journal.TrySave(ended);
            var translated = Failures.Translate(e, "The restore failed");
            if (translated is BackupException be) be.Restoration = ended;
            if (ReferenceEquals(translated, e)) throw;
            throw translated;
        }

        // Written through: Completed, unless the site refused some items one by one (a site without transactions).
        restoration = restoration with
        {
            Status = outcome.Refused.Count == 0 ? RestorationStatus.Completed : RestorationStatus.Failed,
            FinishedDate = clock.GetUtcNow(),
            Collections = outcome.Collections,
            Transactional = outcome.Transactional,
            Error = outcome.Refused.Count == 0 ? null : RefusedMessage(outcome.Refused),
        };
        run.Journal.Save(restoration);
        if (outcome.Refused.Count > 0)
            throw new BackupException(BackupError.OperationFailed, restoration.Error!, run.Request.Site.SiteId) { Restoration = restoration };
        return restoration;
    }

    /// <summary>
    /// What a run of <paramref name="request"/> would replace, checked as the run checks it and without writing
    /// anything (for -WhatIf and a confirmation prompt): the backup is Ready, every pattern and destination key
    /// names a collection of the backup, its archive opens as this backup's with every collection the plan takes, and
    /// every destination is a collection of the site. Throws as the run would. (Whether each item still fits its
    /// destination is found only by writing it: the run does, inside its transaction.)
    /// </summary>
    public static async Task<RestorePreview> PreviewAsync(RestoreRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            var backup = BackupCatalog.Get(request.Store, request.BackupId);
            var plan = RestorePlan.For(backup, request.Collections, request.Destinations, request.Site.CollectionNames);
            IReadOnlyList<CollectionInfo> creatable;
            using (var opened = PlannedArchive.Open(request.Store, backup, plan, request.EncryptionKey))
            {
                // With -CreateMissing, what the archive defines is there to be created under its own name.
                creatable = request.CreateMissing
                    ? opened.Entries.Where(e => e.Defined).Select(e => new CollectionInfo(e.Id, e.DisplayName)).ToList()
                    : [];
                await request.Site.CheckRestoreAsync(new RestoreStart
                {
                    Targets = plan.Select((step, i) => new RestoreTarget(opened.Entries[i], step.Destination)).ToList(),
                    Definitions = opened.Definitions,
                    FormatVersion = opened.Reader.Manifest.FormatVersion,
                    CreateMissing = request.CreateMissing,
                }, cancellationToken);
            }
            var site = await request.Site.ListRestorableCollectionsAsync(cancellationToken);
            plan = RestorePlan.Resolve(plan, [.. site, .. creatable.Where(c => !site.Any(s => request.Site.CollectionNames.Equals(s.Id, c.Id)))],
                request.Site.SiteId, request.Site.CollectionNames);
            return new RestorePreview(backup, plan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Translate(e, "The restore cannot be checked");
        }
    }

    /// <summary>A backup's archive, opened and matched to the plan: its structure and manifest are sound (the reader
    /// checks them), the manifest is this backup's, and it holds every collection the plan restores.</summary>
    private sealed class PlannedArchive(Stream stream, ArchiveReader reader, IReadOnlyList<ManifestCollection> entries, byte[]? definitions) : IDisposable
    {
        public ArchiveReader Reader => reader;

        /// <summary>The archive's definitions, checked against the manifest; null when it has none.</summary>
        public byte[]? Definitions => definitions;

        /// <summary>The manifest's entry of each step of the plan, in the plan's order.</summary>
        public IReadOnlyList<ManifestCollection> Entries => entries;

        public static PlannedArchive Open(IBackupStore store, BackupRecord backup, IReadOnlyList<RestoreStep> plan, ArchiveKey? key)
        {
            var stream = ArchiveEncryption.OpenForReading(store, backup, key);
            try
            {
                var reader = ArchiveReader.Open(stream, backup.Id);
                try
                {
                    if (!string.Equals(reader.Manifest.Id, backup.Id, StringComparison.Ordinal))
                        throw ArchiveReader.Corrupt(backup.Id, $"its manifest belongs to backup '{reader.Manifest.Id}'");
                    var entries = plan.Select(step =>
                        reader.Manifest.Collections.FirstOrDefault(m => m.Id == step.Source.Id)
                        ?? throw ArchiveReader.Corrupt(backup.Id, $"collection '{step.Source.Id}' of the record is not in the archive")).ToList();
                    return new PlannedArchive(stream, reader, entries, reader.ReadDefinitions());
                }
                catch
                {
                    reader.Dispose();
                    throw;
                }
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            reader.Dispose();
            stream.Dispose();
        }
    }

    /// <summary>
    /// The restoration's record in the store, and the hold that tells a live restore from an abandoned one. A store
    /// that cannot be written (a read-only snapshot or share: the disaster-recovery case) does not stop the restore:
    /// it runs unrecorded, and the warning says so.
    /// </summary>
    private sealed class Journal : IDisposable
    {
        private readonly IBackupStore _store;
        private readonly IDisposable? _running;
        private readonly IProgress<string>? _warnings;

        private Journal(IBackupStore store, IDisposable? running, IProgress<string>? warnings)
        {
            _store = store;
            _running = running;
            _warnings = warnings;
        }

        private bool Recorded => _running is not null;

        public static Journal Start(IBackupStore store, RestorationRecord pending, IProgress<string>? warnings)
        {
            IDisposable? running = null;
            try
            {
                running = store.HoldOperation(pending.Id);
                store.SaveRestoration(pending);
                return new Journal(store, running, warnings);
            }
            catch (StoreNotWritableException e)
            {
                running?.Dispose();
                warnings?.Report($"No restoration record can be written in the store '{store.Location}', so none will be listed; the restore goes on. {e.Message}");
                return new Journal(store, null, warnings);
            }
        }

        /// <summary>Records the outcome; a store that fails now (full, gone read-only) gets a warning, since the
        /// restore itself is done and its outcome is what the caller returns.</summary>
        public void Save(RestorationRecord restoration)
        {
            if (!Recorded) return;
            try
            {
                _store.SaveRestoration(restoration);
            }
            catch (StoreNotWritableException e)
            {
                _warnings?.Report($"The restoration's record could not be written ({e.Message}); it will list as abandoned.");
            }
        }

        /// <summary>Records the outcome of a restore that failed, whose own error is the one to report.</summary>
        public void TrySave(RestorationRecord restoration)
        {
            if (!Recorded) return;
            try { _store.SaveRestoration(restoration); }
            catch (Exception) { /* the original error is the one to report */ }
        }

        public void Dispose() => _running?.Dispose();
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

        public void Set(string sourceId, RestorationCollectionStatus status, long items, long refused = 0, IReadOnlyList<string>? notKept = null)
        {
            int at = collections.FindIndex(c => c.Id == sourceId);
            collections[at] = collections[at] with { Status = status, ItemCount = items, RefusedItemCount = refused, NotKept = notKept ?? [] };
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

    private static async Task RestoreAsync(Run run, Outcome outcome, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var (request, backup, plan, archive, entries, restore, _) = run;
        string activity = $"Restoring backup {backup.Id} into {request.Site.SiteId}";
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

        var destinations = plan.Select(p => p.Destination).ToList();
        int warned = restore.Warnings.Count; // those known at the start are reported; those found on the way follow
        try
        {
            var order = await restore.ClearAsync(destinations, cancellationToken);
            long overallTotal = entries.Sum(e => e.ItemCount);
            long overallDone = 0;
            for (int i = 0; i < order.Count; i++)
            {
                int at = destinations.FindIndex(d => string.Equals(d, order[i], StringComparison.Ordinal));
                var step = new BackupProgress
                {
                    Activity = activity, CollectionId = plan[at].Destination, CollectionIndex = i,
                    CollectionCount = plan.Count, ItemsTotal = entries[at].ItemCount,
                    OverallItemsDone = overallDone, OverallItemsTotal = overallTotal,
                };
                progress?.Report(step);
                long before = overallDone;
                using var items = archive.OpenCollection(entries[at],
                    progress is null ? null : (n, bytes) => progress.Report(step with { ItemsDone = n, BytesDone = bytes, OverallItemsDone = before + n }));
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
                var notKept = restore.NotKept(plan[at].Destination);
                if (notKept.Count > 0)
                    request.Warnings?.Report($"The site did not keep the backup's values of {string.Join(", ", notKept)} in '{plan[at].Destination}' (the restoration's NotKept says so too); the archive holds them.");
                outcome.Set(plan[at].Source.Id, refused == 0 ? RestorationCollectionStatus.Restored : RestorationCollectionStatus.Partial, count, refused, notKept);
                overallDone += count;
                progress?.Report(step with { ItemsDone = count, BytesDone = items.ByteCount, OverallItemsDone = overallDone });
            }
            cancellationToken.ThrowIfCancellationRequested();
            await restore.CommitAsync(cancellationToken);
        }
        finally
        {
            // Said whether the restore ends well or not: what a site found on the way (references a failure left
            // unwritten, say) matters most when it stops.
            foreach (string warning in restore.Warnings.Skip(warned)) request.Warnings?.Report(warning);
        }
        outcome.Refused.AddRange(restore.RefusedItems);
        progress?.Report(new BackupProgress { Activity = activity, CollectionCount = plan.Count, CollectionIndex = plan.Count, Completed = true });
    }
}
