using System.Net;
using System.Security;
using SiteBackup.Engine.Archive.Encryption;

namespace SiteBackup.PowerShell.Internal;

/// <summary>-EncryptionKey as the engine takes it. The key arrives as a SecureString (so that
/// <c>-EncryptionKey (Get-Secret SiteBackupKey)</c> works with SecretManagement) and is read out only here, into a key
/// the caller disposes, which wipes it.</summary>
internal static class EncryptionKeys
{
    public static ArchiveKey? From(SecureString? key) => key is null ? null : ArchiveKey.From(new NetworkCredential("", key).Password);
}
