using Azure.Core;
using Azure.Identity;

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

    public static (TokenCredential Credential, string SignIn) Choose(StoreAccess access)
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        string? clientId = Env("AZURE_CLIENT_ID");
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
