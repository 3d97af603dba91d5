using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;
using SiteBackup.Engine.Stores.Folder;

namespace SiteBackup.Engine.Stores.AzureBlob;

/// <summary>
/// A store in an Azure Blob container, under an optional prefix, laid out as a folder store is:
/// <code>
/// archives/&lt;id&gt;.zip         block blobs, visible only once their block list is committed
/// backups/&lt;id&gt;.json        one record per backup       restorations/&lt;id&gt;.json   one per restoration
/// retention.json            the limits                  store.lock                 the lock: a blob lease
/// running/&lt;id&gt;.lock        leased by the process working on a Pending backup or restoration
/// cache/backups.json        what the last listing read, and cache/restorations.json (<see cref="RecordListing{T}"/>)
/// </code>
/// A record is one Put Blob, which replaces the blob whole: readers see the old record or the new one. Listing reads
/// records only, never archives, and downloads only those that changed since the last listing. Several machines
/// share the store safely through the leases.
/// </summary>
internal sealed class AzureBlobStore(BlobContainerClient container, string prefix, string location, string signIn, AzureBlobStoreOptions options) : IBackupStore
{
    private const string LockBlob = "store.lock";
    private bool _containerKnown;

    /// <summary>The store string without secrets: <c>azblob://container/prefix</c>, or the container URL without its query.</summary>
    public string Location { get; } = location;

    /// <summary>How the store signs in ("the managed identity of ..."), for messages.</summary>
    public string SignIn { get; } = signIn;

    public bool Exists
    {
        get
        {
            bool containerScoped = false;
            try
            {
                if (!Call(() => container.Exists().Value)) return false;
                if (prefix.Length == 0) return true;
            }
            catch (StoreNotWritableException)
            {
                // A SAS for this container alone may not read the container's properties. It may list its blobs,
                // and a container that is not there answers that with ContainerNotFound.
                containerScoped = true;
            }
            return Call(() =>
            {
                try
                {
                    var first = container.GetBlobs(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None).AsPages(pageSizeHint: 1).First();
                    return prefix.Length == 0 || first.Values.Count > 0;
                }
                catch (RequestFailedException e) when (containerScoped && e.Status == 404)
                {
                    return false;
                }
            });
        }
    }

    public IDisposable Lock(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var blob = EnsureBlob(Name(LockBlob));
        return Call(() => BlobLease.Acquire(blob, options.LeaseDuration, timeout, $"The store '{Location}'", cancellationToken));
    }

    public IDisposable HoldOperation(string id)
    {
        var blob = EnsureBlob(RunningName(id));
        var lease = Call(() => BlobLease.Acquire(blob, options.LeaseDuration, TimeSpan.FromSeconds(30), $"Operation '{id}'", CancellationToken.None));
        return new Held(lease, blob, this);
    }

    /// <summary>Releases the lease and removes the operation's blob.</summary>
    private sealed class Held(BlobLease lease, BlobClient blob, AzureBlobStore store) : IDisposable
    {
        public void Dispose()
        {
            lease.Dispose();
            try { store.Call(() => blob.DeleteIfExists()); }
            catch (BackupException) { /* an unleased blob tells nobody the operation runs; it is only clutter */ }
        }
    }

    public bool IsOperationRunning(string id) => FolderStore.IsSafeId(id) && Call(() =>
    {
        try
        {
            return container.GetBlobClient(RunningName(id)).GetProperties().Value.LeaseState == LeaseState.Leased;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    });

    public RetentionPolicy ReadRetention() =>
        (ReadJson(Name("retention.json"), EngineJson.Default.RetentionPolicy) ?? RetentionPolicy.Default) with { Store = Location };

    public void WriteRetention(RetentionPolicy policy) => WriteJson(Name("retention.json"), policy, EngineJson.Default.RetentionPolicy);

    public IReadOnlyList<BackupRecord> ListBackups() =>
        ReadAll("backups/", EngineJson.Default.BackupRecord).Select(b => b with { Store = Location }).ToList();

    public BackupRecord? FindBackup(string id) =>
        FolderStore.IsSafeId(id) && ReadJson(Name($"backups/{id}.json"), EngineJson.Default.BackupRecord) is { } b ? b with { Store = Location } : null;

    public void SaveBackup(BackupRecord backup) =>
        WriteJson(Name($"backups/{CheckId(backup.Id)}.json"), backup, EngineJson.Default.BackupRecord);

    public void DeleteBackupRecord(string id) => Call(() => container.GetBlobClient(Name($"backups/{CheckId(id)}.json")).DeleteIfExists());

    public IReadOnlyList<RestorationRecord> ListRestorations() =>
        ReadAll("restorations/", EngineJson.Default.RestorationRecord)
            .Select(r => r with { Store = Location, Backup = r.Backup with { Store = Location } }).ToList();

    public RestorationRecord? FindRestoration(string id) =>
        FolderStore.IsSafeId(id) && ReadJson(Name($"restorations/{id}.json"), EngineJson.Default.RestorationRecord) is { } r
            ? r with { Store = Location, Backup = r.Backup with { Store = Location } }
            : null;

    public void SaveRestoration(RestorationRecord restoration) =>
        WriteJson(Name($"restorations/{CheckId(restoration.Id)}.json"), restoration, EngineJson.Default.RestorationRecord);

    public IArchiveUpload BeginArchive(string id)
    {
        EnsureContainer();
        return new BlockUpload(container.GetBlockBlobClient(ArchiveName(CheckId(id))), options.BlockSize, Translate);
    }

    /// <summary>A seekable stream that reads ranges on demand, so a restore of some collections downloads only
    /// their entries and the zip directory.</summary>
    public Stream OpenArchive(string id)
    {
        try
        {
            return new TranslatingReadStream(
                container.GetBlobClient(ArchiveName(CheckId(id))).OpenRead(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 1 << 20 }),
                Translate);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new BackupException(BackupError.BackupNotFound, $"The archive of backup '{id}' is missing from the store '{Location}'.", id, e);
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw Translate(e);
        }
    }

    public void DeleteArchive(string id) => Call(() => container.GetBlobClient(ArchiveName(CheckId(id))).DeleteIfExists());

    public IReadOnlyList<string> ListArchiveIds() => Call(() =>
    {
        // Committed blobs only: an upload in progress has uncommitted blocks and no blob yet.
        string folder = Name("archives/");
        try
        {
            return container.GetBlobs(BlobTraits.None, BlobStates.None, folder, CancellationToken.None)
                .Select(b => b.Name[folder.Length..])
                .Where(n => n.EndsWith(ArchiveFormat.FileExtension, StringComparison.Ordinal))
                .Select(n => n[..^ArchiveFormat.FileExtension.Length])
                .Where(FolderStore.IsSafeId).ToList();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    });

    private string Name(string name) => prefix + name;
    private string ArchiveName(string id) => Name($"archives/{id}{ArchiveFormat.FileExtension}");
    private string RunningName(string id) => Name($"running/{CheckId(id)}.lock");

    private static string CheckId(string id) =>
        FolderStore.IsSafeId(id) ? id : throw new BackupException(BackupError.InvalidArgument, $"'{id}' is not a valid backup id.", id);

    private void EnsureContainer()
    {
        if (_containerKnown) return;
        try
        {
            Call(() => container.CreateIfNotExists());
        }
        catch (StoreNotWritableException)
        {
            // A SAS for this container alone (or a role granted on it) may not create containers: the container is
            // there, or the first write answers ContainerNotFound (StoreNotFound).
        }
        _containerKnown = true;
    }

    /// <summary>The blob of this full name, created empty if missing (a lease needs a blob to hold).</summary>
    private BlobClient EnsureBlob(string name)
    {
        EnsureContainer();
        var blob = container.GetBlobClient(name);
        try
        {
            Call(() => blob.Upload(BinaryData.Empty, overwrite: false));
        }
        catch (BackupException e) when (e.InnerException is RequestFailedException { Status: 409 or 412 })
        {
            // Already there (and perhaps leased): that is the point.
        }
        return blob;
    }

    private List<T> ReadAll<T>(string folder, JsonTypeInfo<T> type) where T : class => Call(() =>
    {
        try
        {
            return new RecordListing<T>(container, Name(folder), Name($"cache/{folder.TrimEnd('/')}.json"), type).List(Download);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No container yet: nothing stored.
            return [];
        }
    });

    private (BinaryData Content, ETag ETag)? Download(string name)
    {
        try
        {
            var download = container.GetBlobClient(name).DownloadContent().Value;
            return (download.Content, download.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>One record; null when it is missing or unreadable (damaged from outside: listing goes on without it).</summary>
    private T? ReadJson<T>(string name, JsonTypeInfo<T> type) where T : class => Call(() =>
    {
        try
        {
            var content = container.GetBlobClient(name).DownloadContent().Value.Content;
            return JsonSerializer.Deserialize(content.ToMemory().Span, type);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    });

    private void WriteJson<T>(string name, T value, JsonTypeInfo<T> type)
    {
        EnsureContainer();
        var content = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, type));
        Call(() => container.GetBlobClient(name).Upload(content, overwrite: true));
    }

    private T Call<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw Translate(e);
        }
    }

    private void Call(Action call) => Call(() => { call(); return 0; });

    /// <summary>What a call to Azure throws when it fails: an answer that refused it, a network failure (which
    /// sync-over-async calls wrap), or no Entra ID token.</summary>
    internal static bool IsFailure(Exception e) => e is RequestFailedException or AggregateException or AuthenticationFailedException;

    /// <summary>Azure errors as engine errors; messages name the store, never the account key.</summary>
    private Exception Translate(Exception e) => e switch
    {
        // Entra ID gave no token (no managed identity here, a wrong secret, a session sign-in that ended).
        AuthenticationFailedException a => new BackupException(BackupError.AuthenticationFailed,
            $"Signing in to the store '{Location}' as {SignIn} failed: {a.Message}", Location, e),
        // The account is known but not allowed this (a SAS or a role that only reads): for a write, the store cannot
        // be written, and a restore can go on without its record.
        RequestFailedException { Status: 403, ErrorCode: "AuthorizationPermissionMismatch" or "AuthorizationFailure" } r => new StoreNotWritableException(BackupError.AuthenticationFailed,
            $"Azure Storage does not allow {SignIn} to do this in the store '{Location}' ({r.ErrorCode}): it may only read (a read-only SAS or role), or the SAS is not one for this store.", Location, e),
        RequestFailedException { Status: 401 or 403 } r => new BackupException(BackupError.AuthenticationFailed,
            $"Azure Storage refused {SignIn} for the store '{Location}' ({r.ErrorCode}).", Location, e),
        RequestFailedException { Status: 404 } r => new BackupException(BackupError.StoreNotFound,
            $"The store '{Location}' does not exist ({r.ErrorCode}).", Location, e),
        RequestFailedException { Status: 0 } or AggregateException => new BackupException(BackupError.OperationFailed,
            $"The store '{Location}' cannot be reached: {(e is AggregateException a ? a.InnerExceptions[^1].Message : e.Message)}", Location, e),
        RequestFailedException r => new BackupException(BackupError.OperationFailed,
            $"Azure Storage failed on the store '{Location}': {r.Status} {r.ErrorCode}.", Location, e),
        _ => e,
    };
}
