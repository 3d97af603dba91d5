using System.Net;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores.AzureBlob;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Stores;

/// <summary>An Azure Blob store opened with an account that may read and list but not write (a read-only SAS, as a
/// Reader role gives): restoring and verifying from it work, a backup into it is refused.</summary>
public sealed class AzureBlobReadOnlyTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly AzuriteContainer _azure = new();

    public void Dispose()
    {
        _azure.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_store_the_account_may_only_read_restores_without_a_record_and_says_so()
    {
        var site = SqliteSite.CreateSample(_folder);
        string original = site.DumpData();
        var backup = await TestEngine.BackupAsync(site, _azure.Open());
        site.Execute("UPDATE people SET name = 'changed'");

        var service = new BlobServiceClient(_azure.ConnectionString);
        var sas = service.GenerateAccountSasUri(AccountSasPermissions.Read | AccountSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1), AccountSasResourceTypes.All);
        string readOnly = $"BlobEndpoint={service.Uri};SharedAccessSignature={sas.Query.TrimStart('?')}";
        var store = AzureBlobStoreKind.Open(_azure.Location, new NetworkCredential("", readOnly));

        var warnings = new List<string>();
        var restoration = await RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = SiteKinds.Open(site.Path), Warnings = new SynchronousWarnings(warnings.Add),
        });

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(original, site.DumpData());
        Assert.Contains(warnings, w => w.Contains("No restoration record can be written", StringComparison.Ordinal));
        Assert.Empty(_azure.Open().ListRestorations());
        Assert.True(VerifyOperation.Run(store, backup).IsValid);
        var refused = await Assert.ThrowsAnyAsync<BackupException>(() => TestEngine.BackupAsync(site, store));
        Assert.Equal(BackupError.AuthenticationFailed, refused.Error);
    }

}
