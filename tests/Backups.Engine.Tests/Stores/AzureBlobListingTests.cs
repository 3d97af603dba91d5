using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Stores.AzureBlob;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Stores;

/// <summary>An Azure store lists its records without a request per record: the folder listing and a cache of what
/// the last listing read, each cached record used only while its blob's ETag is the same. Requests are counted as
/// they leave the client for Azurite.</summary>
public sealed class AzureBlobListingTests : IDisposable
{
    private readonly AzuriteContainer _azure = new();

    public void Dispose() => _azure.Dispose();

    [Fact]
    public void A_second_listing_reads_no_record_and_a_record_changed_from_outside_is_read_again()
    {
        var writer = _azure.Open();
        for (int i = 0; i < 30; i++) writer.SaveBackup(Record($"b{i:00}", i));
        var (reader, requests) = Counting();

        var first = reader.ListBackups();
        Assert.Equal(30, first.Count);
        Assert.Equal(30, requests.RecordReads);

        requests.Clear();
        var second = reader.ListBackups();
        Assert.Equal(first.OrderBy(b => b.Id).Select(Json), second.OrderBy(b => b.Id).Select(Json));
        Assert.Equal(0, requests.RecordReads);

        // Another machine changes one record, adds one and removes one.
        writer.SaveBackup(Record("b07", 7) with { Status = BackupStatus.Deleted, DeletedDate = DateTimeOffset.UnixEpoch.AddDays(1) });
        writer.SaveBackup(Record("b30", 30));
        writer.DeleteBackupRecord("b11");
        requests.Clear();
        var third = reader.ListBackups().ToDictionary(b => b.Id);
        Assert.Equal(2, requests.RecordReads);
        Assert.Equal(30, third.Count);
        Assert.Equal(BackupStatus.Deleted, third["b07"].Status);
        Assert.True(third.ContainsKey("b30"));
        Assert.False(third.ContainsKey("b11"));
        Assert.All(third.Values, b => Assert.Equal(writer.Location, b.Store));
    }

    [Fact]
    public void A_damaged_or_missing_cache_costs_requests_never_a_record()
    {
        var writer = _azure.Open();
        for (int i = 0; i < 5; i++) writer.SaveBackup(Record($"b{i}", i));
        writer.SaveRestoration(new RestorationRecord { Id = "r1", Backup = Record("b1", 1), SiteId = "/sites/a.db", Status = RestorationStatus.Completed });
        Assert.Equal(5, writer.ListBackups().Count);
        Assert.Single(writer.ListRestorations());

        var cache = _azure.Client.GetBlobClient("nightly/shop/cache/backups.json");
        Assert.True(cache.Exists().Value);
        cache.Upload(BinaryData.FromString("{\"version\":1,\"entries\":[{\"name\":"), overwrite: true);
        var (reader, requests) = Counting();
        Assert.Equal(["b0", "b1", "b2", "b3", "b4"], reader.ListBackups().Select(b => b.Id).Order());
        Assert.Equal(5, requests.RecordReads);

        cache.DeleteIfExists();
        Assert.Equal(5, _azure.Open().ListBackups().Count);
        Assert.Equal("r1", _azure.Open().ListRestorations().Single().Id);
    }

    private (IBackupStore Store, RequestCounter Requests) Counting()
    {
        var counter = new RequestCounter();
        var options = new BlobClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var container = new BlobContainerClient(_azure.ConnectionString, _azure.Name, options);
        return (new AzureBlobStore(container, "nightly/shop/", _azure.Location, "a connection string", new AzureBlobStoreOptions()), counter);
    }

    private static string Json(BackupRecord backup) => System.Text.Json.JsonSerializer.Serialize(backup, EngineJson.Default.BackupRecord) + backup.Store;

    private static BackupRecord Record(string id, int n) => new()
    {
        Id = id, SiteId = "/sites/a.db", Status = BackupStatus.Ready, RequestedDate = DateTimeOffset.UnixEpoch.AddHours(n), SizeInBytes = n,
        Collections = [new BackupCollection { Id = "people", DisplayName = "People", ItemCount = n }],
    };

    /// <summary>Counts the GETs of single records (<c>backups/&lt;id&gt;.json</c>, <c>restorations/&lt;id&gt;.json</c>).</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _recordReads;
        public int RecordReads => _recordReads;
        public void Clear() => _recordReads = 0;

        public override void OnSendingRequest(HttpMessage message)
        {
            string path = message.Request.Uri.Path;
            if (message.Request.Method == RequestMethod.Get && path.EndsWith(".json", StringComparison.Ordinal)
                && (path.Contains("/backups/", StringComparison.Ordinal) || path.Contains("/restorations/", StringComparison.Ordinal)))
                Interlocked.Increment(ref _recordReads);
        }
    }
}
