using System.Net;
using Azure.Storage.Blobs;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Stores.AzureBlob;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// A fresh container on the test run's Azurite (build.ps1 starts it and gives its connection string in
/// SITEBACKUP_TEST_AZURE), under a prefix, removed afterwards. The store is opened as a user opens it: an
/// <c>azblob://</c> string and the connection string as a credential.
/// </summary>
public sealed class AzuriteContainer : IDisposable
{
    public AzuriteContainer()
    {
        ConnectionString = Environment.GetEnvironmentVariable("SITEBACKUP_TEST_AZURE")
            ?? throw new InvalidOperationException("SITEBACKUP_TEST_AZURE is not set: run the tests through build.ps1 -Task Test, which starts Azurite.");
    }

    public string ConnectionString { get; }
    public string Name { get; } = "t" + Guid.NewGuid().ToString("N")[..20];
    public string Location => $"azblob://{Name}/nightly/shop";
    public NetworkCredential Credential => new("", ConnectionString);
    public BlobContainerClient Client => new(ConnectionString, Name);

    internal IBackupStore Open(AzureBlobStoreOptions? options = null) => AzureBlobStoreKind.Open(Location, Credential, options);

    public void Dispose()
    {
        try { Client.DeleteIfExists(); }
        catch (Azure.RequestFailedException) { /* Azurite stops after the run anyway */ }
    }
}
