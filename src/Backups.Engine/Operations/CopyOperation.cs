using System.Security.Cryptography;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Operations;

/// <summary>What a copy request is: one Ready backup of <see cref="Source"/> into <see cref="Target"/>.</summary>
public sealed record CopyRequest
{
    public required IBackupStore Source { get; init; }
    public required IBackupStore Target { get; init; }
    public required string BackupId { get; init; }
    public TimeSpan LockTimeout { get; init; } = LockWait.Timeout;
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>What a copy came to: the target's record (null when it was not copied), why it was not, and what the
/// target's retention removed.</summary>
public sealed record CopyOutcome(BackupRecord? Copy, string? SkippedReason, IReadOnlyList<BackupRecord> Removed);

/// <summary>
/// Copies a Ready backup into another store, any pair of kinds (a folder, Azure Blob): the archive's bytes as they
/// are (an encrypted archive stays sealed, and needs no key), hashed on the way; then the copy is read back from the
/// target and hashed again, and only when both hashes agree does its record (the source's: same id, dates and
/// collections, marked as copied from the source) list there as Ready. The target's retention then applies, as after
/// a backup. A copy that fails or is canceled leaves a Failed or Canceled record and no archive in the target;
/// nothing in the source changes. A backup the target already holds (Ready, or Deleted there by its retention) is
/// not copied again.
/// </summary>
public static class CopyOperation
{
    /// <summary>Why <paramref name="request"/> would not copy anything (null when it would), as the run decides it;
    /// throws as the run would for a backup that is not Ready or a target that refuses it.</summary>
    public static string? Check(CopyRequest request, out BackupRecord backup)
    {
        if (request.Source is IPlatformStore || request.Target is IPlatformStore)
            throw new BackupException(BackupError.InvalidArgument,
                "Wix's own backups hold no archive to copy, and take none: copy between folder and Azure Blob stores.", request.Target.Location);
        if (string.Equals(request.Source.Location, request.Target.Location, StringComparison.Ordinal))
            throw new BackupException(BackupError.InvalidArgument, $"The backup is already in '{request.Target.Location}': copy it to another store.", request.Target.Location);
        var found = BackupCatalog.Get(request.Source, request.BackupId);
        backup = found;   // (an out parameter cannot be read in the lambdas below)
        // Only Ready backups have an archive; the others in a listing piped in are passed over, not errors.
        if (backup.Status != BackupStatus.Ready) return $"Backup '{backup.Id}' is {backup.Status}: only a Ready backup is copied.";
        var policy = request.Target.ReadRetention();
        if (backup.Encryption is null && policy.RequireEncryption)
            throw new BackupException(BackupError.EncryptionKeyRequired,
                $"The store '{request.Target.Location}' requires every backup to be encrypted, and backup '{backup.Id}' is not.", request.Target.Location);
        // As listed (a record left Pending by a copy that was killed lists as Failed, and is copied again).
        var records = request.Target.ListBackups().Select(b => Abandoned.AsSeen(request.Target, b)).ToList();
        if (records.FirstOrDefault(b => b.Id == found.Id) is { } there && SkipReason(there) is { } skip) return skip;
        // A copy the destination's retention would remove at once (it keeps newer backups of the site) is not made.
        var candidate = backup with { Store = request.Target.Location };
        if (Retention.RetentionRules.Expired(records.Where(b => b.Id != found.Id).Append(candidate), found.SiteId, policy).Any(b => b.Id == found.Id))
            return $"Backup '{backup.Id}' is not copied: the retention of '{request.Target.Location}' keeps newer backups of {backup.SiteId} and would remove it at once.";
        return null;
    }

    private static string? SkipReason(BackupRecord there) => there.Status switch
    {
        BackupStatus.Ready => $"Backup '{there.Id}' is already in '{there.Store}'.",
        BackupStatus.Deleted => $"Backup '{there.Id}' was in '{there.Store}' and was removed there ({Times.Show(there.DeletedDate ?? there.RequestedDate)}); it is not copied again.",
        BackupStatus.Pending => $"Backup '{there.Id}' is being copied into '{there.Store}' by another process.",
        _ => null, // a copy that failed or was canceled is made again
    };

    public static async Task<CopyOutcome> RunAsync(CopyRequest request, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var target = request.Target;
        var clock = request.Clock;
        BackupRecord backup;
        BackupRecord pending;
        IDisposable running;
        Stream? source = null;
        using (target.Lock(request.LockTimeout, cancellationToken))
        {
            Abandoned.Recover(target, clock.GetUtcNow());
            if (Check(request, out backup) is { } reason) return new CopyOutcome(target.FindBackup(backup.Id), reason, []);
            // Opened before anything is written to the destination: a source whose archive is gone leaves nothing there.
            source = request.Source.OpenArchive(backup.Id);
            pending = backup with { Status = BackupStatus.Pending, Store = target.Location, Error = null };
            running = target.HoldOperation(backup.Id);
            try
            {
                target.SaveBackup(pending);
            }
            catch
            {
                running.Dispose();
                source.Dispose();
                throw;
            }
        }

        using (running)
        {
            string hash;
            try
            {
                hash = await CopyArchiveAsync(request, backup, source, progress, cancellationToken);
            }
            catch (Exception e)
            {
                bool canceled = e is OperationCanceledException || cancellationToken.IsCancellationRequested;
                try
                {
                    target.DeleteArchive(backup.Id);
                    target.SaveBackup(pending with
                    {
                        Status = canceled ? BackupStatus.Canceled : BackupStatus.Failed,
                        Error = canceled ? "The copy was canceled." : $"The copy failed: {e.Message}",
                        FinishedDate = clock.GetUtcNow(),
                    });
                }
                catch (Exception) { /* the copy's own error is the one to report; the record lists as abandoned */ }
                throw Failures.Translate(e, "The copy failed");
            }
            var copy = backup with
            {
                Store = target.Location,
                CopiedFrom = new BackupCopySource { Store = request.Source.Location, CopiedDate = clock.GetUtcNow(), ArchiveSha256 = hash },
            };
            return new CopyOutcome(copy, null, BackupCatalog.PublishReady(target, copy, request.LockTimeout, clock));
        }
    }

    /// <summary>Streams the archive across, hashing what was read; reads the committed copy back and hashes it
    /// again. Returns the hash both agree on; throws ArchiveCorrupt when they do not (or when the size differs from
    /// the record's).</summary>
    private static async Task<string> CopyArchiveAsync(
        CopyRequest request, BackupRecord backup, Stream source, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        string activity = $"Copying backup {backup.Id} to {request.Target.Location}";
        byte[] sent;
        long size;
        using (var upload = request.Target.BeginArchive(backup.Id))
        {
            using (source)
            {
                (sent, _) = await HashAsync(source, upload.Stream, backup, activity, progress, cancellationToken);
            }
            // A source that is itself a copy knows its archive's hash: one that changed since is not spread further.
            if (backup.CopiedFrom is { } earlier && !string.Equals(earlier.ArchiveSha256, Convert.ToHexStringLower(sent), StringComparison.Ordinal))
                throw new BackupException(BackupError.ArchiveCorrupt,
                    $"The archive of backup '{backup.Id}' in '{request.Source.Location}' is not the one copied there (SHA-256 differs from its record's): it is not copied.", backup.Id);
            size = upload.Commit();
        }
        if (size != backup.SizeInBytes)
            throw new BackupException(BackupError.ArchiveCorrupt,
                $"The archive of backup '{backup.Id}' is {size} bytes in '{request.Target.Location}', its record says {backup.SizeInBytes}.", backup.Id);
        byte[] landed;
        using (var copy = request.Target.OpenArchive(backup.Id))
        {
            (landed, _) = await HashAsync(copy, null, backup, $"Checking the copy of backup {backup.Id}", progress, cancellationToken);
        }
        if (!CryptographicOperations.FixedTimeEquals(sent, landed))
            throw new BackupException(BackupError.ArchiveCorrupt,
                $"The copy of backup '{backup.Id}' in '{request.Target.Location}' does not read back as it was written (SHA-256 differs).", backup.Id);
        return Convert.ToHexStringLower(sent);
    }

    private static async Task<(byte[] Hash, long Bytes)> HashAsync(
        Stream from, Stream? to, BackupRecord backup, string activity, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long done = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            if (to is not null) await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            done += read;
            progress?.Report(new BackupProgress { Activity = activity, BytesDone = done, CollectionCount = backup.Collections.Count });
        }
        return (sha.GetHashAndReset(), done);
    }
}
