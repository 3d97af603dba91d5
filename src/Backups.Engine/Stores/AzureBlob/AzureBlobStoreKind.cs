using System.Net;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Stores.AzureBlob;

/// <summary>
/// Azure Blob Storage stores: <c>azblob://&lt;container&gt;/&lt;optional-prefix&gt;</c>. The account comes from a
/// credential (the account name as user name and its key as password, or a whole connection string as password) or
/// from <c>AZURE_STORAGE_CONNECTION_STRING</c>; never from the store string, and it is never echoed. The location is
/// the store string normalised (lower-case container, prefix without slashes at its ends).
/// </summary>
internal sealed class AzureBlobStoreKind : IStoreKind
{
    public const string Scheme = "azblob";
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    public string Name => "Azure Blob Storage";

    public bool Recognises(string store) => store.StartsWith(Scheme + "://", StringComparison.OrdinalIgnoreCase);

    public bool IsLocal => false;

    IBackupStore IStoreKind.Open(string store, NetworkCredential? credential) => Open(store, credential);

    /// <summary>Opens the store with <paramref name="options"/> (tests hand in shorter leases and smaller blocks).</summary>
    public static AzureBlobStore Open(string store, NetworkCredential? credential, AzureBlobStoreOptions? options = null)
    {
        var (container, prefix) = Parse(store);
        var service = Connect(credential, container);
        return new AzureBlobStore(service.GetBlobContainerClient(container), prefix, options ?? new AzureBlobStoreOptions());
    }

    /// <summary>The container and the prefix (empty, or ending in '/').</summary>
    public static (string Container, string Prefix) Parse(string store)
    {
        string rest = store[(Scheme.Length + 3)..].Trim('/');
        int slash = rest.IndexOf('/');
        string container = (slash < 0 ? rest : rest[..slash]).ToLowerInvariant();
        string prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        // Container names: 3-63 characters, lower-case letters, digits and single hyphens, starting with a letter or digit.
        bool valid = container.Length is >= 3 and <= 63 && container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && char.IsAsciiLetterOrDigit(container[0]) && char.IsAsciiLetterOrDigit(container[^1]) && !container.Contains("--", StringComparison.Ordinal);
        if (!valid || prefix.Contains('?', StringComparison.Ordinal) || prefix.Contains('\\', StringComparison.Ordinal))
            throw new BackupException(BackupError.InvalidArgument,
                "An Azure Blob store is azblob://<container>/<optional-prefix>, with a container name of 3-63 lower-case letters, digits and hyphens; the account and key come from -StoreCredential or " + ConnectionStringVariable + ".",
                Scheme + "://" + container);
        return (container, prefix.Length == 0 ? "" : prefix + "/");
    }

    public static string Location(string store)
    {
        var (container, prefix) = Parse(store);
        return $"{Scheme}://{container}{(prefix.Length == 0 ? "" : "/" + prefix.TrimEnd('/'))}";
    }

    private static BlobServiceClient Connect(NetworkCredential? credential, string container)
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = 5;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(500);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        try
        {
            string? password = credential?.Password;
            if (!string.IsNullOrEmpty(password) && password.Contains('=', StringComparison.Ordinal) && password.Contains(';', StringComparison.Ordinal))
                return new BlobServiceClient(password, clientOptions);
            if (!string.IsNullOrEmpty(password) && !string.IsNullOrEmpty(credential?.UserName))
                return new BlobServiceClient(new Uri($"https://{credential.UserName}.blob.core.windows.net"),
                    new StorageSharedKeyCredential(credential.UserName, password), clientOptions);
            if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } connectionString)
                return new BlobServiceClient(connectionString, clientOptions);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The message of a connection string parse error can quote the string: it is not passed on.
            throw new BackupException(BackupError.InvalidArgument, "The Azure Storage connection string or account key cannot be read.", Scheme + "://" + container);
        }
        throw new BackupException(BackupError.AuthenticationFailed,
            $"An Azure Blob store needs an account: give -StoreCredential (the account name and key, or a connection string as the password) or set {ConnectionStringVariable}.",
            Scheme + "://" + container);
    }
}

/// <summary>Settings of an Azure Blob store that tests change.</summary>
internal sealed record AzureBlobStoreOptions
{
    /// <summary>How long a lease lasts unless renewed; a holder that dies frees the lock after at most this long.
    /// Azure allows 15 to 60 seconds.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The size of each block of an archive upload (and so the memory an upload holds).</summary>
    public int BlockSize { get; init; } = 4 * 1024 * 1024;
}
