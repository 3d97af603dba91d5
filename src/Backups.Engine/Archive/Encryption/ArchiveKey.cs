using System.Security.Cryptography;
using System.Text;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Archive.Encryption;

/// <summary>
/// The secret an encrypted archive is sealed with: a raw 256-bit key (64 hexadecimal digits, or base64 of 32 bytes)
/// or a passphrase, from which each archive derives its key with PBKDF2-HMAC-SHA256 over a salt of its own. Held
/// only in memory and wiped on disposal; never written, shown or put in a message.
/// </summary>
public sealed class ArchiveKey : IDisposable
{
    /// <summary>PBKDF2-HMAC-SHA256 iterations for a passphrase (the OWASP figure for that function in 2023).</summary>
    public const int PassphraseIterations = 600_000;
    public const int MinimumPassphraseLength = 8;

    private readonly byte[] _secret;

    private ArchiveKey(byte[] secret, bool isPassphrase)
    {
        _secret = secret;
        IsPassphrase = isPassphrase;
    }

    public bool IsPassphrase { get; }

    /// <summary>How records name the kind of key ("raw key" or "passphrase").</summary>
    public string Kind => IsPassphrase ? EncryptionKinds.Passphrase : EncryptionKinds.RawKey;

    /// <summary>Reads <paramref name="text"/>: exactly 64 hexadecimal digits, or base64 that decodes to exactly 32
    /// bytes, is a raw key; anything else of at least <see cref="MinimumPassphraseLength"/> characters is a
    /// passphrase (its UTF-8 bytes).</summary>
    public static ArchiveKey From(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 64 && trimmed.All(char.IsAsciiHexDigit)) return new ArchiveKey(Convert.FromHexString(trimmed), false);
        if (trimmed.Length == 44 && trimmed.EndsWith('='))
        {
            var raw = new byte[33];
            bool decoded = Convert.TryFromBase64String(trimmed, raw, out int written) && written == 32;
            byte[] key = raw[..32];
            CryptographicOperations.ZeroMemory(raw);
            if (decoded) return new ArchiveKey(key, false);
        }
        if (text.Length < MinimumPassphraseLength)
            throw new BackupException(BackupError.InvalidArgument,
                $"An encryption key is a passphrase of at least {MinimumPassphraseLength} characters, or a raw 256-bit key as 64 hexadecimal digits or 44 characters of base64.");
        return new ArchiveKey(Encoding.UTF8.GetBytes(text), true);
    }

    /// <summary>A new random raw key, as 64 hexadecimal digits (for New-SiteBackupKey-like uses and tests).</summary>
    public static string NewRawKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key the archive's other keys come from: the raw key itself, or the passphrase stretched with
    /// <paramref name="salt"/> and <paramref name="iterations"/>.</summary>
    internal byte[] Master(ReadOnlySpan<byte> salt, int iterations) =>
        IsPassphrase ? Rfc2898DeriveBytes.Pbkdf2(_secret, salt, iterations, HashAlgorithmName.SHA256, 32) : _secret.ToArray();

    public void Dispose() => CryptographicOperations.ZeroMemory(_secret);
}

/// <summary>The words records use for the kind of key an archive was sealed with.</summary>
public static class EncryptionKinds
{
    public const string RawKey = "raw key";
    public const string Passphrase = "passphrase";
}
