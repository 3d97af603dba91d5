using System.Management.Automation;
using System.Net;
using System.Security;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Stores;

namespace SiteBackup.PowerShell.Internal;

/// <summary>
/// The token of this session's Az PowerShell sign-in (<c>Connect-AzAccount</c>, which an Azure Automation runbook
/// also does with <c>-Identity</c>), for an Azure Blob store that signs in with Microsoft Entra ID. Asked in this
/// runspace, not in a new process: a runbook's sign-in is often not saved anywhere another process could find it.
/// Az.Accounts is never imported for this; a session that has not loaded it has no Az sign-in.
/// </summary>
internal static class AzSession
{
    private const string Script = """
        param($resource)
        if (-not (Get-Module -Name Az.Accounts)) { return }
        $context = Get-AzContext -ErrorAction Ignore
        if (-not $context -or -not $context.Account) { return }
        $token = Get-AzAccessToken -ResourceUrl $resource -ErrorAction Stop -WarningAction Ignore
        [pscustomobject]@{ Token = $token.Token; ExpiresOn = $token.ExpiresOn; Account = [string]$context.Account.Id }
        """;

    /// <summary>Null when the session has no Az sign-in; throws AuthenticationFailed when it has one that gives no
    /// token. Call on the pipeline thread.</summary>
    public static SessionToken? GetToken(PSCmdlet cmdlet, string resource)
    {
        PSObject? answer;
        try
        {
            // A scope of its own: the script's variables ($token, $context) must not land in the caller's.
            answer = cmdlet.InvokeCommand.InvokeScript(Script, true, System.Management.Automation.Runspaces.PipelineResultTypes.None, null, resource)
                .FirstOrDefault(o => o is not null);
        }
        catch (RuntimeException e) when (e is not PipelineStoppedException)
        {
            throw new BackupException(BackupError.AuthenticationFailed,
                $"This session is signed in to Azure (Az.Accounts), but it gave no token for Azure Storage: {e.Message}", resource, e);
        }
        if (answer is null) return null;
        string account = answer.Properties["Account"]?.Value as string ?? "";
        // Az.Accounts gives the token as a SecureString since Az 14, as a string before.
        string? token = answer.Properties["Token"]?.Value switch
        {
            SecureString secure => new NetworkCredential("", secure).Password,
            PSObject { BaseObject: SecureString secure } => new NetworkCredential("", secure).Password,
            string plain => plain,
            PSObject { BaseObject: string plain } => plain,
            _ => null,
        };
        bool dated = LanguagePrimitives.TryConvertTo<DateTimeOffset>(answer.Properties["ExpiresOn"]?.Value, out var expires);
        if (string.IsNullOrEmpty(token) || !dated)
            throw new BackupException(BackupError.AuthenticationFailed,
                $"This session's Az sign-in ({account}) gave no token for Azure Storage, or none with an end time.", resource);
        return new SessionToken(token, expires, $"this session's Az sign-in ({account})");
    }
}
