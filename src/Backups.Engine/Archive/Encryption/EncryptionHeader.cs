using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SiteBackup.Engine.Archive.Encryption;

/// <summary>
/// The 96-byte header of an encrypted archive (all integers big-endian):
/// <code>
///  0  8  magic "SBACRYPT"
///  8  1  format version: 1
///  9  1  key kind: 1 raw 256-bit key, 2 passphrase (PBKDF2-HMAC-SHA256)
/// 10  2  zero
/// 12  4  chunk size: plaintext bytes in every chunk but the last
/// 16  4  PBKDF2 iterations (0 for a raw key)
/// 20 16  PBKDF2 salt (zero for a raw key)
/// 36 32  archive salt: random, the HKDF salt of this archive's content key
/// 68  8  key id: the first 8 bytes of HMAC-SHA256(master key, "SiteBackup key id v1")
/// 76 20  zero
/// </code>
/// The header is the associated data of every chunk, so no field of it can change unnoticed.
/// </summary>
internal sealed record EncryptionHeader(bool Passphrase, int ChunkSize, int Iterations, byte[] KdfSalt, byte[] ArchiveSalt, byte[] KeyId)
{
    public const int Size = 96;
    public const int DefaultChunkSize = 64 * 1024;
    private static ReadOnlySpan<byte> Magic => "SBACRYPT"u8;
    private static readonly byte[] KeyIdLabel = Encoding.ASCII.GetBytes("SiteBackup key id v1");
    private static readonly byte[] ContentLabel = Encoding.ASCII.GetBytes("SiteBackup archive content v1");

    /// <summary>The key id shown in records: 16 lower-case hexadecimal digits.</summary>
    public string KeyIdText => Convert.ToHexStringLower(KeyId);

    /// <summary>What the record says of an archive with this header.</summary>
    public Model.BackupEncryption Describe() => new()
    {
        KeyKind = Passphrase ? EncryptionKinds.Passphrase : EncryptionKinds.RawKey,
        KeyId = KeyIdText,
        KeyDerivation = Passphrase ? $"PBKDF2-HMAC-SHA256, {Iterations} iterations" : null,
        Iterations = Iterations,
        Salt = Passphrase ? Convert.ToHexStringLower(KdfSalt) : null,
        ChunkSize = ChunkSize,
    };

    /// <summary>Null when this header agrees with what <paramref name="recorded"/> says of it, else what differs.</summary>
    public string? Disagreement(Model.BackupEncryption recorded)
    {
        var mine = Describe();
        if (mine.KeyId != recorded.KeyId) return $"its header names key id {mine.KeyId}, its record {recorded.KeyId}";
        if (mine.KeyKind != recorded.KeyKind) return $"its header is for a {mine.KeyKind}, its record for a {recorded.KeyKind}";
        if (mine.ChunkSize != recorded.ChunkSize && recorded.ChunkSize != 0) return "its header's chunk size is not its record's";
        // Records from before the salt was kept have none to compare.
        if (Passphrase && recorded.Salt is not null && (mine.Salt != recorded.Salt || mine.Iterations != recorded.Iterations))
            return "its header's passphrase stretching (salt or iterations) is not its record's";
        return null;
    }

    /// <summary>A header for a new archive sealed with <paramref name="key"/>, and the archive's content key.</summary>
    public static (EncryptionHeader Header, byte[] ContentKey) New(ArchiveKey key, int chunkSize = DefaultChunkSize)
    {
        byte[] kdfSalt = key.IsPassphrase ? RandomNumberGenerator.GetBytes(16) : new byte[16];
        int iterations = key.IsPassphrase ? ArchiveKey.PassphraseIterations : 0;
        byte[] master = key.Master(kdfSalt, iterations);
        try
        {
            var header = new EncryptionHeader(key.IsPassphrase, chunkSize, iterations, kdfSalt, RandomNumberGenerator.GetBytes(32), KeyIdOf(master));
            return (header, header.ContentKey(master));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    /// <summary>This archive's content key from <paramref name="key"/>, or null when <paramref name="key"/> is not
    /// the key it was sealed with (its key id differs).</summary>
    public byte[]? Unlock(ArchiveKey key)
    {
        if (key.IsPassphrase != Passphrase) return null;
        byte[] master = key.Master(KdfSalt, Iterations);
        try
        {
            return CryptographicOperations.FixedTimeEquals(KeyIdOf(master), KeyId) ? ContentKey(master) : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    private static byte[] KeyIdOf(byte[] master) => HMACSHA256.HashData(master, KeyIdLabel)[..8];

    private byte[] ContentKey(byte[] master) => HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, ArchiveSalt, ContentLabel);

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Magic.CopyTo(bytes);
        bytes[8] = 1;
        bytes[9] = Passphrase ? (byte)2 : (byte)1;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), ChunkSize);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), Iterations);
        KdfSalt.CopyTo(bytes, 20);
        ArchiveSalt.CopyTo(bytes, 36);
        KeyId.CopyTo(bytes, 68);
        return bytes;
    }

    /// <summary>True when <paramref name="start"/> begins as an encrypted archive does.</summary>
    public static bool LooksEncrypted(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    /// <summary>Reads a header; null with the reason when the bytes are not one this version can open.</summary>
    public static (EncryptionHeader? Header, string? Problem) Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Size || !bytes.StartsWith(Magic)) return (null, "it does not begin with the header of an encrypted archive");
        if (bytes[8] != 1) return (null, $"its encryption format version is {bytes[8]}, which this version of SiteBackup does not know");
        bool passphrase = bytes[9] == 2;
        int chunk = BinaryPrimitives.ReadInt32BigEndian(bytes[12..]);
        int iterations = BinaryPrimitives.ReadInt32BigEndian(bytes[16..]);
        bool valid = bytes[9] is 1 or 2 && chunk is >= 4096 and <= 16 * 1024 * 1024
            && (passphrase ? iterations is >= 100_000 and <= 10_000_000 : iterations == 0 && !bytes[20..36].ContainsAnyExcept((byte)0))
            && bytes[10] == 0 && bytes[11] == 0 && !bytes[76..Size].ContainsAnyExcept((byte)0);
        if (!valid) return (null, "its encryption header holds values no SiteBackup writes");
        return (new EncryptionHeader(passphrase, chunk, iterations, bytes[20..36].ToArray(), bytes[36..68].ToArray(), bytes[68..76].ToArray()), null);
    }

    /// <summary>The nonce of chunk <paramref name="index"/>: its index, and whether it is the last chunk, so chunks
    /// cannot be reordered, dropped or cut off at a chunk boundary unnoticed.</summary>
    public static void Nonce(long index, bool last, Span<byte> nonce)
    {
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce, index);
        nonce[11] = last ? (byte)1 : (byte)0;
    }
}
