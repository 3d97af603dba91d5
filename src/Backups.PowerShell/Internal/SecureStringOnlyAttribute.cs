using System.Management.Automation;
using System.Security;

namespace SiteBackup.PowerShell.Internal;

/// <summary>
/// For a parameter that takes a secret as a SecureString: anything else is refused with a message that does not
/// repeat it. (PowerShell's own conversion error quotes the value, which would put a passphrase given as plain
/// text into $Error, transcripts and job logs.)
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class SecureStringOnlyAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => inputData switch
    {
        null => null,
        SecureString secure => secure,
        PSObject { BaseObject: SecureString secure } => secure,
        _ => throw new ArgumentTransformationMetadataException(
            "The key must be a SecureString (Get-Secret without -AsPlainText, Read-Host -AsSecureString, or ConvertTo-SecureString); the value given is not repeated here."),
    };
}
