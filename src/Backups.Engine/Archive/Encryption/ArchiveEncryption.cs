using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Archive.Encryption;

/// <summary>Where archives are sealed on their way into a store and opened on their way out: the one place that
/// decides from a backup's record whether its archive is encrypted and what key it needs.</summary>
public static class ArchiveEncryption
{
    /// <summary>A stream that seals what is written to it into <paramref name="target"/> with <paramref name="key"/>,
    /// and what the record will say of it. Call <see cref="Seal.Complete"/> after the zip is written.</summary>
    internal static Seal Begin(Stream target, ArchiveKey key)
    {
        var (header, contentKey) = EncryptionHeader.New(key);
        var stream = new EncryptingStream(target, header, contentKey);
        return new Seal(stream, header.Describe());
    }

    internal sealed class Seal(EncryptingStream stream, BackupEncryption encryption) : IDisposable
    {
        public Stream Stream => stream;
        public BackupEncryption Encryption => encryption;
        public void Complete() => stream.Complete();
        public void Dispose() => stream.Dispose();
    }

    /// <summary>Opens the archive of <paramref name="backup"/> for reading as the zip it holds: as stored when it is
    /// not encrypted, else opened with <paramref name="key"/>. EncryptionKeyRequired without a key,
    /// EncryptionKeyMismatch with another key; both before any of its content is read.</summary>
    public static Stream OpenForReading(IBackupStore store, BackupRecord backup, ArchiveKey? key)
    {
        if (backup.Encryption is null) return OpenPlain(store, backup);
        if (key is null) throw KeyRequired(backup);
        var stream = store.OpenArchive(backup.Id);
        try
        {
            return DecryptingStream.Open(stream, key, backup.Id, backup.Encryption);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The archive of a backup whose record says it is not encrypted; an archive that is sealed all the same
    /// (its record was changed, or belongs to another backup) is refused rather than read as a zip.</summary>
    private static Stream OpenPlain(IBackupStore store, BackupRecord backup)
    {
        var stream = store.OpenArchive(backup.Id);
        try
        {
            Span<byte> start = stackalloc byte[8];
            int read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            if (EncryptionHeader.LooksEncrypted(start[..read]))
                throw ArchiveReader.Corrupt(backup.Id, "its archive is encrypted, yet its record says it is not");
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>What can be checked of an encrypted archive without its key: its header is sound and names the key
    /// the record names, and its length is one a sealed archive can have. Returns the problems found.</summary>
    public static IReadOnlyList<string> CheckWithoutKey(IBackupStore store, BackupRecord backup)
    {
        using var stream = store.OpenArchive(backup.Id);
        var header = DecryptingStream.ReadHeader(stream, backup.Id);
        var problems = new List<string>();
        if (header.Disagreement(backup.Encryption!) is { } differs)
            problems.Add($"The encrypted archive does not match its record: {differs}.");
        long body = stream.Length - EncryptionHeader.Size;
        long stride = header.ChunkSize + (long)EncryptingStream.TagSize;
        if (body < EncryptingStream.TagSize || body % stride is > 0 and < EncryptingStream.TagSize)
            problems.Add("The encrypted archive's length is not one a sealed archive can have: it was cut short or grew.");
        return problems;
    }

    public static BackupException KeyRequired(BackupRecord backup) => new(BackupError.EncryptionKeyRequired,
        $"Backup '{backup.Id}' is encrypted ({backup.Encryption}): give its key with -EncryptionKey.", backup.Id);
}
