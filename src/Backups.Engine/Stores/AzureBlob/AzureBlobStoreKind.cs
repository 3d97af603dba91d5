using System.Net;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Stores.AzureBlob;

/// <summary>
/// Azure Blob Storage stores, named in one of two ways:
/// <list type="bullet">
/// <item><c>azblob://&lt;container&gt;/&lt;optional-prefix&gt;</c>: the account comes from -StoreCredential (the account
/// name as user name with its key or a SAS token as password, or a whole connection string as password) or from
/// <c>AZURE_STORAGE_CONNECTION_STRING</c>.</item>
/// <item>the container's URL, <c>https://&lt;account&gt;.blob.core.windows.net/&lt;container&gt;/&lt;optional-prefix&gt;</c>
/// (or an IP-style <c>http(s)://host:port/&lt;account&gt;/&lt;container&gt;/...</c>, as Azurite and Azure Stack serve it),
/// optionally with a SAS as its query. Without a SAS or -StoreCredential, it signs in with Microsoft Entra ID
/// (<see cref="AzureSignIn"/>): a managed identity needs no secret at all.</item>
/// </list>
/// Every http(s) URL is taken for an Azure Blob container: no other store kind is named by one. Secrets (keys,
/// connection strings, SAS tokens, Entra ID tokens) are never part of the location, a record or a message.
/// </summary>
internal sealed class AzureBlobStoreKind : IStoreKind
{
    public const string Scheme = "azblob";
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    public string Name => "Azure Blob Storage";

    public bool Recognises(string store) =>
        store.StartsWith(Scheme + "://", StringComparison.OrdinalIgnoreCase) || IsUrl(store);

    public bool IsLocal => false;

    IBackupStore IStoreKind.Open(string store, StoreAccess access) => Open(store, access);

    /// <summary>Opens the store with <paramref name="options"/> (tests hand in shorter leases and smaller blocks).</summary>
    public static AzureBlobStore Open(string store, NetworkCredential? credential, AzureBlobStoreOptions? options = null) =>
        Open(store, StoreAccess.With(credential), options);

    public static AzureBlobStore Open(string store, StoreAccess access, AzureBlobStoreOptions? options = null)
    {
        var name = Parse(store);
        var (client, signIn) = Connect(name, access);
        return new AzureBlobStore(client, name.Prefix, name.Location, signIn, options ?? new AzureBlobStoreOptions());
    }

    private static bool IsUrl(string store) =>
        store.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || store.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>A store string taken apart: the container, the prefix (empty, or ending in '/'), the location as it is
    /// shown and recorded (no query, so no SAS), and for a URL the service endpoint, the account and the SAS.</summary>
    internal sealed record StoreName(string Container, string Prefix, string Location, Uri? Service, string? Account, string? Sas)
    {
        /// <summary>The location only: the SAS is a secret.</summary>
        public override string ToString() => Location;
    }

    public static StoreName Parse(string store)
    {
        if (!IsUrl(store))
        {
            string rest = store[(Scheme.Length + 3)..].Trim('/');
            int slash = rest.IndexOf('/');
            string container = CheckContainer((slash < 0 ? rest : rest[..slash]).ToLowerInvariant(), Scheme + "://");
            string prefix = CheckPrefix(slash < 0 ? "" : rest[(slash + 1)..], Scheme + "://" + container);
            return new StoreName(container, prefix, $"{Scheme}://{container}{(prefix.Length == 0 ? "" : "/" + prefix.TrimEnd('/'))}", null, null, null);
        }

        if (!Uri.TryCreate(store, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
            throw Invalid("A store URL is https://<account>.blob.core.windows.net/<container>/<optional-prefix>, optionally with a SAS as its query.", "https://");
        string authority = uri.GetLeftPart(UriPartial.Authority);
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        // Path style (Azurite, Azure Stack, an emulator): on an IP address or localhost, the account is the first
        // segment of the path. Anywhere else the host names the account (<account>.blob.<endpoint suffix>) or is a
        // custom domain of one, and the path begins with the container.
        bool pathStyle = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || uri.IsLoopback && !uri.Host.Contains('.', StringComparison.Ordinal);
        string? account = pathStyle
            ? (segments.Count > 0 ? segments[0] : null)
            : uri.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase) ? uri.Host[..uri.Host.IndexOf('.', StringComparison.Ordinal)] : null;
        if (pathStyle && segments.Count > 0) segments.RemoveAt(0);
        var service = new Uri(pathStyle ? $"{authority}/{account}" : authority);
        string shownService = service.ToString().TrimEnd('/');
        string name = CheckContainer(segments.Count > 0 ? segments[0].ToLowerInvariant() : "", shownService + "/");
        string blobPrefix = CheckPrefix(string.Join('/', segments.Skip(1)), $"{shownService}/{name}");
        string sas = uri.Query.TrimStart('?');
        return new StoreName(name, blobPrefix, $"{shownService}/{name}{(blobPrefix.Length == 0 ? "" : "/" + blobPrefix.TrimEnd('/'))}",
            service, string.IsNullOrEmpty(account) ? null : account, sas.Length == 0 ? null : sas);
    }

    public static string Location(string store) => Parse(store).Location;

    // Container names: 3-63 characters, lower-case letters, digits and single hyphens, starting with a letter or digit.
    private static string CheckContainer(string container, string shown)
    {
        bool valid = container.Length is >= 3 and <= 63 && container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && char.IsAsciiLetterOrDigit(container[0]) && char.IsAsciiLetterOrDigit(container[^1]) && !container.Contains("--", StringComparison.Ordinal);
        return valid ? container : throw Invalid(
            "An Azure Blob store is azblob://<container>/<optional-prefix> or the container's URL, with a container name of 3-63 lower-case letters, digits and hyphens.",
            shown + container);
    }

    private static string CheckPrefix(string prefix, string shown)
    {
        prefix = prefix.Trim('/');
        if (prefix.Contains('?', StringComparison.Ordinal) || prefix.Contains('\\', StringComparison.Ordinal))
            throw Invalid("The prefix of an Azure Blob store may not hold '?' or '\\'.", shown);
        return prefix.Length == 0 ? "" : prefix + "/";
    }

    // The target is what the user may see: never the store string as given, which may carry a SAS.
    private static BackupException Invalid(string message, string shown) => new(BackupError.InvalidArgument, message, shown);

    /// <summary>
    /// The container client and how it signs in, first that applies: a SAS in the URL; -StoreCredential (a
    /// connection string, a SAS token, or an account name and key); for <c>azblob://</c>,
    /// <c>AZURE_STORAGE_CONNECTION_STRING</c>; for a URL, Microsoft Entra ID.
    /// </summary>
    private static (BlobContainerClient Client, string SignIn) Connect(StoreName name, StoreAccess access)
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = 5;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(500);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        string? password = access.Credential?.Password;
        string? user = access.Credential?.UserName;
        if (name.Sas is not null && !string.IsNullOrEmpty(password))
            throw new BackupException(BackupError.InvalidArgument,
                "The store URL carries a SAS and -StoreCredential gives another secret: give one of them.", name.Location);
        try
        {
            if (name.Sas is not null)
                return (new BlobContainerClient(ContainerUri(name.Service!, name.Container, name.Sas), clientOptions), "the SAS in the store URL");
            if (!string.IsNullOrEmpty(password))
            {
                if (IsConnectionString(password))
                    return (FromConnectionString(password, name, clientOptions), "the connection string in -StoreCredential");
                var service = name.Service ?? (string.IsNullOrEmpty(user) ? null : new Uri($"https://{user}.blob.core.windows.net"));
                if (service is null)
                    throw new BackupException(BackupError.AuthenticationFailed,
                        "An account key or SAS token in -StoreCredential needs the account: give its name as the user name, or name the store by its URL (https://<account>.blob.core.windows.net/<container>).",
                        name.Location);
                if (IsSas(password))
                    return (new BlobContainerClient(ContainerUri(service, name.Container, password.TrimStart('?')), clientOptions), "the SAS token in -StoreCredential");
                string? account = !string.IsNullOrEmpty(name.Account) ? name.Account : user;
                if (string.IsNullOrEmpty(account))
                    throw new BackupException(BackupError.AuthenticationFailed,
                        $"An account key in -StoreCredential needs the account's name as the user name: '{service.Host}' does not name it.", name.Location);
                return (new BlobContainerClient(ContainerUri(service, name.Container), new StorageSharedKeyCredential(account, password), clientOptions), $"the key of the account '{account}'");
            }
            if (name.Service is null && Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } connectionString)
                return (FromConnectionString(connectionString, name, clientOptions), ConnectionStringVariable);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
        {
            // The message of a parse error can quote the string it could not read: it is not passed on.
            throw new BackupException(BackupError.InvalidArgument, "The Azure Storage connection string, account key or SAS token cannot be read.", name.Location);
        }
        if (name.Service is not null)
        {
            AzureSignIn.CheckEndpoint(name.Service, name.Location, access);
            var (token, signIn) = AzureSignIn.Choose(access);
            return (new BlobContainerClient(ContainerUri(name.Service, name.Container), token, clientOptions), signIn);
        }
        throw new BackupException(BackupError.AuthenticationFailed,
            $"An azblob:// store needs an account: give -StoreCredential (the account name and its key or a SAS token, or a connection string as the password), set {ConnectionStringVariable}, or name the store by its URL (https://<account>.blob.core.windows.net/<container>) to sign in with Microsoft Entra ID.",
            name.Location);
    }

    /// <summary>The container through a connection string; for a store named by its URL, only when the connection
    /// string is for that very endpoint (else the backups would go to another account than the records say).</summary>
    private static BlobContainerClient FromConnectionString(string connectionString, StoreName name, BlobClientOptions options)
    {
        var service = new BlobServiceClient(connectionString, options);
        if (name.Service is not null && !string.Equals(service.Uri.ToString().TrimEnd('/'), name.Service.ToString().TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            throw new BackupException(BackupError.InvalidArgument,
                $"The connection string is for {service.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/')}, the store URL for {name.Service.ToString().TrimEnd('/')}: they must name the same account.", name.Location);
        return service.GetBlobContainerClient(name.Container);
    }

    private static Uri ContainerUri(Uri service, string container, string? sas = null) =>
        new($"{service.ToString().TrimEnd('/')}/{container}{(sas is null ? "" : "?" + sas)}");

    private static bool IsConnectionString(string value) => value.Contains('=', StringComparison.Ordinal) && value.Contains(';', StringComparison.Ordinal);

    /// <summary>A SAS token's signature is its <c>sig</c> parameter; an account key is base64 and holds no '&amp;'.</summary>
    private static bool IsSas(string value) =>
        value.TrimStart('?').Split('&').Any(p => p.StartsWith("sig=", StringComparison.OrdinalIgnoreCase));
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
