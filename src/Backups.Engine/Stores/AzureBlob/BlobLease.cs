using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Stores.AzureBlob;

/// <summary>
/// A lease on a blob, held as a lock: a finite lease (15 s by default) renewed every third of its length while it is
/// held, and released on dispose. A holder that dies stops renewing, so its lease runs out and the lock is free again
/// after at most one lease length: the blob store's way of noticing a dead holder, as a file lock's is the process
/// exiting.
/// </summary>
internal sealed class BlobLease : IDisposable
{
    private readonly BlobLeaseClient _lease;
    private readonly Timer _renewal;
    private int _disposed;

    private BlobLease(BlobLeaseClient lease, TimeSpan duration)
    {
        _lease = lease;
        _renewal = new Timer(_ => Renew(), null, duration / 3, duration / 3);
    }

    /// <summary>True when the last renewal failed: the lease may have run out and another holder may have it.</summary>
    public bool Lost { get; private set; }

    /// <summary>Takes the lease on <paramref name="blob"/> (which must exist), waiting while another holds it for at
    /// most <paramref name="timeout"/>; StoreLocked after that.</summary>
    public static BlobLease Acquire(BlobClient blob, TimeSpan duration, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var lease = blob.GetBlobLeaseClient();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                lease.Acquire(duration, cancellationToken: cancellationToken);
                return new BlobLease(lease, duration);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Another holder has it (LeaseAlreadyPresent).
            }
            if (DateTime.UtcNow >= deadline)
                throw new BackupException(BackupError.StoreLocked,
                    $"{what} is locked by another process; it did not come free within {timeout.TotalSeconds:0} s.", what);
            Task.Delay(TimeSpan.FromMilliseconds(200 + Random.Shared.Next(200)), cancellationToken).GetAwaiter().GetResult();
        }
    }

    private void Renew()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        try
        {
            _lease.Renew();
            Lost = false;
        }
        catch (Exception e) when (AzureBlobStore.IsFailure(e) || e is HttpRequestException or OperationCanceledException)
        {
            // Tried again at the next tick; until then the lease may lapse.
            Lost = true;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _renewal.Dispose();
        try
        {
            _lease.Release();
        }
        catch (Exception e) when (AzureBlobStore.IsFailure(e) || e is HttpRequestException)
        {
            // The lease runs out by itself within one lease length.
        }
    }
}
