using Azure.Storage.Blobs.Specialized;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Stores;

/// <summary>The Azure store's lock is a 15-second blob lease: a holder that dies frees it when the lease runs out.
/// (Its own class, so it runs beside the renewal test rather than after it: each waits out a lease.)</summary>
public sealed class AzureBlobDeadHolderTests : IDisposable
{
    private readonly AzuriteContainer _container = new();

    public void Dispose() => _container.Dispose();

    [Fact]
    public void A_lock_whose_holder_died_comes_free_when_its_lease_runs_out()
    {
        var store = _container.Open();
        using (store.Lock(TimeSpan.FromSeconds(5), CancellationToken.None)) { } // creates the lock blob
        // A holder that took the lease and then died: nobody renews it.
        var blob = _container.Client.GetBlobClient("nightly/shop/store.lock");
        blob.GetBlobLeaseClient().Acquire(TimeSpan.FromSeconds(15));

        Assert.Equal(BackupError.StoreLocked, Assert.Throws<BackupException>(() => store.Lock(TimeSpan.FromSeconds(1), CancellationToken.None)).Error);
        using (store.Lock(TimeSpan.FromSeconds(40), CancellationToken.None))
        {
            Assert.Equal(Azure.Storage.Blobs.Models.LeaseState.Leased, blob.GetProperties().Value.LeaseState);
        }
    }
}

public sealed class AzureBlobLeaseRenewalTests : IDisposable
{
    private readonly AzuriteContainer _container = new();

    public void Dispose() => _container.Dispose();

    [Fact]
    public void A_live_holder_keeps_its_lock_and_its_operation_past_one_lease_length()
    {
        var store = _container.Open();
        var other = _container.Open();
        using (store.Lock(TimeSpan.FromSeconds(5), CancellationToken.None))
        using (store.HoldOperation("op1"))
        {
            Thread.Sleep(TimeSpan.FromSeconds(18)); // longer than the 15-second lease: only renewal keeps it
            Assert.Equal(BackupError.StoreLocked, Assert.Throws<BackupException>(() => other.Lock(TimeSpan.FromSeconds(1), CancellationToken.None)).Error);
            Assert.True(other.IsOperationRunning("op1"));
        }
        Assert.False(other.IsOperationRunning("op1"));
        using (other.Lock(TimeSpan.FromSeconds(1), CancellationToken.None)) { }
    }
}
