using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Archive.Encryption;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Verifies a backup without restoring it: the archive opens and accounts for every entry, each collection's
/// items are valid JSON objects whose SHA-256, size and count match the manifest, and the manifest agrees with
/// the backup's record. Problems are collected, not thrown: one damaged collection does not hide another. A
/// backup that is not Ready has no archive: it is reported as not verified, which is neither valid nor invalid.
/// </summary>
public static class VerifyOperation
{
    public static VerificationResult Run(
        Stores.IBackupStore store, BackupRecord backup, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(store, backup, key: null, progress, cancellationToken);

    /// <summary>Verifies <paramref name="backup"/>, opening it with <paramref name="key"/> when it is encrypted. Without
    /// a key, an encrypted backup is checked as far as it can be (its header names the record's key, its length is
    /// whole) and reported as not verified; with a key that is not its own, EncryptionKeyMismatch is thrown.</summary>
    public static VerificationResult Run(
        Stores.IBackupStore store, BackupRecord backup, ArchiveKey? key, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var problems = new List<ArchiveProblem>();
        if (store is Stores.IPlatformStore)
        {
            problems.Add(new ArchiveProblem(null, $"Not verified: this is one of Wix's own backups, which Wix keeps and restores itself; it holds no archive that can be verified from outside (which does not make it invalid)."));
            return new VerificationResult { Backup = backup, Verified = false, Problems = problems };
        }
        if (backup.Status != BackupStatus.Ready)
        {
            problems.Add(new ArchiveProblem(null, $"Not verified: the backup is {backup.Status}, and only a Ready backup has an archive to verify."));
            return new VerificationResult { Backup = backup, Verified = false, Problems = problems };
        }

        if (backup.Encryption is not null && key is null)
        {
            try
            {
                problems.AddRange(ArchiveEncryption.CheckWithoutKey(store, backup).Select(p => new ArchiveProblem(null, p)));
            }
            catch (BackupException e)
            {
                problems.Add(new ArchiveProblem(null, e.Message));
            }
            if (problems.Count > 0) return new VerificationResult { Backup = backup, Problems = problems };
            problems.Add(new ArchiveProblem(null,
                $"Not verified: the archive is encrypted ({backup.Encryption}) and no -EncryptionKey was given. Its header names the record's key and its length is whole; its content can be checked only with the key."));
            return new VerificationResult { Backup = backup, Verified = false, Problems = problems };
        }

        try
        {
            using var stream = ArchiveEncryption.OpenForReading(store, backup, key);
            using var archive = ArchiveReader.Open(stream, backup.Id);
            CompareWithRecord(archive.Manifest, backup, problems);
            try
            {
                archive.ReadDefinitions();
            }
            catch (BackupException e)
            {
                problems.Add(new ArchiveProblem(null, e.Message));
            }
            var collections = archive.Manifest.Collections;
            long overallTotal = collections.Sum(c => c.ItemCount);
            long overallDone = 0;
            for (int i = 0; i < collections.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var step = new BackupProgress
                {
                    Activity = $"Verifying backup {backup.Id}", CollectionId = collections[i].Id,
                    CollectionIndex = i, CollectionCount = collections.Count, ItemsTotal = collections[i].ItemCount,
                    OverallItemsDone = overallDone, OverallItemsTotal = overallTotal,
                };
                progress?.Report(step);
                long before = overallDone;
                overallDone += collections[i].ItemCount;
                try
                {
                    using var items = archive.OpenCollection(collections[i],
                        progress is null ? null : (n, bytes) => progress.Report(step with { ItemsDone = n, BytesDone = bytes, OverallItemsDone = before + n }));
                    while (items.Read() is not null) { }
                }
                catch (BackupException e)
                {
                    problems.Add(new ArchiveProblem(collections[i].Id, e.Message));
                }
            }
        }
        catch (BackupException e) when (e.Error != BackupError.EncryptionKeyMismatch)
        {
            // (A key that is not the backup's is the caller's mistake, not a fault of the archive: it is thrown.)
            problems.Add(new ArchiveProblem(null, e.Message));
        }
        return new VerificationResult { Backup = backup, Problems = problems };
    }

    private static void CompareWithRecord(ArchiveManifest manifest, BackupRecord backup, List<ArchiveProblem> problems)
    {
        if (!string.Equals(manifest.Id, backup.Id, StringComparison.Ordinal))
            problems.Add(new ArchiveProblem(null, $"The archive's manifest belongs to backup '{manifest.Id}'."));
        foreach (var recorded in backup.Collections)
        {
            var inArchive = manifest.Collections.FirstOrDefault(c => c.Id == recorded.Id);
            if (inArchive is null)
                problems.Add(new ArchiveProblem(recorded.Id, "The record lists this collection but the archive does not hold it."));
            else if (inArchive.ItemCount != recorded.ItemCount)
                problems.Add(new ArchiveProblem(recorded.Id, $"The record says {recorded.ItemCount} items, the archive's manifest {inArchive.ItemCount}."));
        }
        foreach (var extra in manifest.Collections.Where(m => backup.Collections.All(r => r.Id != m.Id)))
            problems.Add(new ArchiveProblem(extra.Id, "The archive holds this collection but the record does not list it."));
    }
}
