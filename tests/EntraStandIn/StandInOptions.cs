namespace SiteBackup.EntraStandIn;

public sealed class StandInOptions
{
    /// <summary>The secret a managed identity endpoint expects in <c>X-IDENTITY-HEADER</c> (IDENTITY_HEADER).</summary>
    public string IdentityHeader { get; set; } = "";

    /// <summary>The service principal the authority knows, and its secret.</summary>
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";

    /// <summary>Where each request is written as one line (method, path, what it asked, whether its secret was right).</summary>
    public string? LogPath { get; set; }

    /// <summary>How long the tokens it issues last.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
