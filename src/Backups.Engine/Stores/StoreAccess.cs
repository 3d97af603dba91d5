using System.Net;

namespace SiteBackup.Engine.Stores;

/// <summary>What a store is opened with besides its string: the credential the user gave (-StoreCredential) and,
/// for a cloud store that signs in with Microsoft Entra ID, a way to ask the caller's session for a token.</summary>
public sealed record StoreAccess
{
    public static readonly StoreAccess None = new();

    /// <summary>The account, key, connection string or SAS token, for a kind that needs one; the others ignore it.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>
    /// Asks the caller's session for an access token to the resource named by the argument (an Entra ID resource
    /// such as <c>https://storage.azure.com/</c>); null when the session has no sign-in (for PowerShell: no Az
    /// sign-in in this session). Called while the store is opened, on the caller's thread, and only when the store
    /// signs in with Entra ID and no service principal or workload identity is configured in the environment.
    /// </summary>
    public Func<string, SessionToken?>? SessionToken { get; init; }

    /// <summary>False where no Entra ID sign-in may be attempted (tab completion, which must not wait on a managed
    /// identity endpoint): a store that would need one is AuthenticationFailed.</summary>
    public bool SignInWithEntraId { get; init; } = true;

    public static StoreAccess With(NetworkCredential? credential) => credential is null ? None : new StoreAccess { Credential = credential };
}

/// <summary>A bearer token the caller's session holds, and when it ends. It is a secret: never written or shown.</summary>
public sealed record SessionToken(string Token, DateTimeOffset ExpiresOn, string Source)
{
    /// <summary>Where it came from and until when; never the token.</summary>
    public override string ToString() => $"{Source}, until {ExpiresOn:u}";
}
