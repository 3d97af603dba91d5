namespace SiteBackup.Engine.Model;

/// <summary>How a backup's archive is encrypted (null in the record of an archive that is not). It identifies the
/// key by its id, never holds it.</summary>
public sealed record BackupEncryption
{
    /// <summary>AES-256-GCM, in chunks each sealed with its position (the archive format notes in about_SiteBackup).</summary>
    public string Algorithm { get; init; } = "AES-256-GCM";

    /// <summary>"raw key" or "passphrase".</summary>
    public required string KeyKind { get; init; }

    /// <summary>16 hexadecimal digits that tell the key apart from others without revealing it. For a raw key it is
    /// the same in every backup sealed with it; a passphrase is stretched with a new salt for each backup, so its
    /// id is that backup's own.</summary>
    public required string KeyId { get; init; }

    /// <summary>How a passphrase became the key ("PBKDF2-HMAC-SHA256, 600000 iterations"); null for a raw key.</summary>
    public string? KeyDerivation { get; init; }

    /// <summary>PBKDF2 iterations and salt (hex) for a passphrase; 0 and null for a raw key. Not secret; kept so
    /// that a header whose stretching was changed is told apart from a wrong passphrase.</summary>
    public int Iterations { get; init; }
    public string? Salt { get; init; }

    public int ChunkSize { get; init; }

    public override string ToString() => $"{Algorithm}, {KeyKind}, key id {KeyId}";
}
