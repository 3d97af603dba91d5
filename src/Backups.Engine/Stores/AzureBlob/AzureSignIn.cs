using Azure.Core;
using Azure.Identity;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Stores.AzureBlob;

/// <summary>
/// How an Azure Blob store named by its URL signs in with Microsoft Entra ID when it is given no key, connection
/// string or SAS. One way is chosen from what the environment and the session hold, first that applies, and named
/// in every error, rather than tried one after another: a chain would hide a misconfigured service principal behind
/// the managed identity error that follows it.
/// <list type="number">
/// <item>A service principal from <c>AZURE_TENANT_ID</c>, <c>AZURE_CLIENT_ID</c> and <c>AZURE_CLIENT_SECRET</c> (or
/// <c>AZURE_CLIENT_CERTIFICATE_PATH</c>), as Azure.Identity's EnvironmentCredential reads them.</item>
/// <item>A workload identity (<c>AZURE_FEDERATED_TOKEN_FILE</c>, as Kubernetes provides it).</item>
/// <item>The session's own sign-in (for PowerShell, <c>Connect-AzAccount</c> in this session), when it has one.</item>
/// <item>The managed identity of where it runs: through <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> (Azure
/// Automation, App Service, Functions), else the instance metadata endpoint (virtual machines). <c>AZURE_CLIENT_ID</c>
/// picks a user-assigned identity. Nothing secret is needed.</item>
/// </list>
/// </summary>
internal static class AzureSignIn
{
    /// <summary>The Entra ID resource of Azure Storage.</summary>
    public const string StorageResource = "https://storage.azure.com/";

    /// <summary>The endpoint suffixes of Azure Storage's blob service in Azure's clouds (public, US Government, China),
    /// and of its DNS-zone endpoints. A private endpoint's name (privatelink) ends in one of them too.</summary>
    private static readonly string[] AzureBlobHosts =
        [".blob.core.windows.net", ".blob.core.usgovcloudapi.net", ".blob.core.chinacloudapi.cn", ".blob.storage.azure.net"];

    /// <summary>
    /// An Entra ID token for Azure Storage opens every account its identity may reach, so it is sent only over HTTPS
    /// and only to Azure Storage's own endpoints, or to an address on this network given as an IP address or
    /// localhost (an emulator, Azure Stack). Any other host (a custom domain, a typing error that someone else
    /// registered) is refused: it can be reached with a SAS or a key instead.
    /// </summary>
    public static void CheckEndpoint(Uri service, string location, StoreAccess access)
    {
        if (!access.SignInWithEntraId)
            throw new BackupException(BackupError.AuthenticationFailed, $"The store '{location}' would sign in with Entra ID, which is not done here.", location);
        if (service.Scheme != Uri.UriSchemeHttps)
            throw new BackupException(BackupError.AuthenticationFailed,
                $"The store '{location}' is http://: Entra ID tokens go only over https. Use its https URL, or a SAS or key.", location);
        bool azure = AzureBlobHosts.Any(h => service.Host.EndsWith(h, StringComparison.OrdinalIgnoreCase));
        bool local = service.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || service.IsLoopback;
        if (!azure && !local)
            throw new BackupException(BackupError.AuthenticationFailed,
                $"'{service.Host}' is not an Azure Storage endpoint ({string.Join(", ", AzureBlobHosts.Select(h => "*" + h))}), so no Entra ID token is sent to it: give a SAS or key for the store '{location}'.", location);
    }

    public static (TokenCredential Credential, string SignIn) Choose(StoreAccess access)
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        string? clientId = Env("AZURE_CLIENT_ID");
        if ((Env("AZURE_CLIENT_SECRET") ?? Env("AZURE_CLIENT_CERTIFICATE_PATH")) is not null && (clientId is null || Env("AZURE_TENANT_ID") is null))
            throw new BackupException(BackupError.AuthenticationFailed,
                $"A service principal's secret or certificate is set, but {(clientId is null ? "AZURE_CLIENT_ID" : "AZURE_TENANT_ID")} is not: set it too, or unset the secret.");
        if (Env("AZURE_TENANT_ID") is not null && clientId is not null
            && (Env("AZURE_CLIENT_SECRET") is not null || Env("AZURE_CLIENT_CERTIFICATE_PATH") is not null))
            return (new EnvironmentCredential(), $"the service principal {clientId} (AZURE_CLIENT_ID, AZURE_TENANT_ID and its secret or certificate)");
        if (Env("AZURE_FEDERATED_TOKEN_FILE") is not null && clientId is not null && Env("AZURE_TENANT_ID") is not null)
            return (new WorkloadIdentityCredential(), $"the workload identity {clientId} (AZURE_FEDERATED_TOKEN_FILE)");
        if (access.SessionToken?.Invoke(StorageResource) is { } session)
            return (new SessionTokenCredential(session), session.Source);

        var options = new ManagedIdentityCredentialOptions(clientId is null
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(clientId));
        // Off Azure nothing answers the metadata endpoint: a few short tries, not Azure.Identity's long default.
        options.Retry.MaxRetries = 3;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        string which = clientId is null ? "the system-assigned managed identity" : $"the user-assigned managed identity {clientId} (AZURE_CLIENT_ID)";
        string where = Env("IDENTITY_ENDPOINT") is not null || Env("MSI_ENDPOINT") is not null
            ? "of this Azure Automation account, App Service or Functions app (IDENTITY_ENDPOINT)"
            : "of this Azure virtual machine (the instance metadata endpoint; off Azure, sign in another way: Connect-AzAccount, a service principal in AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or a SAS)";
        return (new ManagedIdentityCredential(options), $"{which} {where}");
    }

    /// <summary>The token the session handed over. It cannot be renewed from here: once it ends, requests fail
    /// with AuthenticationFailed, naming the end.</summary>
    private sealed class SessionTokenCredential(SessionToken token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            token.ExpiresOn > DateTimeOffset.UtcNow.AddSeconds(30)
                ? new AccessToken(token.Token, token.ExpiresOn)
                : throw new AuthenticationFailedException(
                    $"The token of {token.Source} ended at {token.ExpiresOn:u}; sign in again, or let a managed identity or service principal sign in (they renew their tokens).");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
