using System.Buffers.Binary;
using SiteBackup.Engine.Archive.Encryption;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Archive;

/// <summary>
/// Encrypted archives: a round trip gives the site back exactly (judged by sqlite3's dump); a wrong or missing key
/// is refused before the site is touched; and every kind of tampering with the stored file (a flipped bit, a cut,
/// chunks reordered, dropped, or taken from another archive sealed with the same key, a changed header) is refused
/// as ArchiveCorrupt by a restore, which leaves the site as it was, and by a verification.
/// </summary>
public sealed class EncryptedArchiveTests : IDisposable
{
    private const int Stride = EncryptionHeader.DefaultChunkSize + EncryptingStream.TagSize;
    private readonly TempFolder _folder = new();
    private readonly string _rawKey = ArchiveKey.NewRawKey();

    public void Dispose() => _folder.Dispose();

    /// <summary>A site whose archive spans several chunks: rows of random text, which deflate cannot shrink much.</summary>
    private SqliteSite NewSite(string name = "site.db")
    {
        var site = SqliteSite.CreateSample(_folder, name);
        site.Execute("""
            CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, data BLOB);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
            INSERT INTO notes (body, data) SELECT hex(randomblob(120)), randomblob(40) FROM n;
            """);
        return site;
    }

    private static async Task<BackupRecord> BackupAsync(SqliteSite site, IBackupStore store, string key) =>
        (await BackupOperation.RunAsync(new BackupRequest { Site = SiteKinds.Open(site.Path), Store = store, EncryptionKey = ArchiveKey.From(key) })).Backup!;

    private static Task<RestorationRecord> RestoreAsync(SqliteSite site, IBackupStore store, BackupRecord backup, string? key) =>
        RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backup.Id, Store = store, Site = SiteKinds.Open(site.Path), EncryptionKey = key is null ? null : ArchiveKey.From(key),
        });

    private string ArchivePath(BackupRecord backup) => _folder.Combine("store", "archives", backup.Id + ".zip");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_backup_sealed_with_a_key_or_passphrase_restores_exactly_and_holds_no_plaintext(bool passphrase)
    {
        var site = NewSite();
        string key = passphrase ? "correct horse battery staple" : _rawKey;
        string original = site.DumpData();
        var store = TestEngine.Store(_folder);
        var backup = await BackupAsync(site, store, key);

        Assert.NotNull(backup.Encryption);
        Assert.Equal(passphrase ? EncryptionKinds.Passphrase : EncryptionKinds.RawKey, backup.Encryption!.KeyKind);
        Assert.Matches("^[0-9a-f]{16}$", backup.Encryption.KeyId);
        Assert.Equal(passphrase ? "PBKDF2-HMAC-SHA256, 600000 iterations" : null, backup.Encryption.KeyDerivation);
        Assert.Equal(backup.Encryption, store.FindBackup(backup.Id)!.Encryption);
        byte[] stored = File.ReadAllBytes(ArchivePath(backup));
        Assert.True(stored.Length > 3 * Stride, $"the archive should span several chunks, it is {stored.Length} bytes");
        Assert.Equal(stored.Length, backup.SizeInBytes);
        Assert.Equal("SBACRYPT"u8.ToArray(), stored[..8]);
        Assert.Equal(-1, stored.AsSpan().IndexOf("manifest.json"u8));
        Assert.Equal(-1, stored.AsSpan().IndexOf("CREATE TABLE"u8));
        Assert.True(VerifyOperation.Run(store, backup, ArchiveKey.From(key)).IsValid);

        site.Execute("DELETE FROM notes WHERE id % 2 = 0; UPDATE people SET name = 'changed'");
        var restoration = await RestoreAsync(site, store, backup, key);
        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        Assert.Equal(original, site.DumpData());
        Assert.Equal("ok", site.Shell("PRAGMA integrity_check").Trim());
    }

    [Fact]
    public async Task A_raw_key_has_one_id_in_every_backup_and_its_hex_and_base64_forms_are_the_same_key()
    {
        var site = NewSite();
        var store = TestEngine.Store(_folder);
        var first = await BackupAsync(site, store, _rawKey);
        var second = await BackupAsync(site, store, Convert.ToBase64String(Convert.FromHexString(_rawKey)));
        Assert.Equal(first.Encryption!.KeyId, second.Encryption!.KeyId);
        Assert.True(VerifyOperation.Run(store, first, ArchiveKey.From(Convert.ToBase64String(Convert.FromHexString(_rawKey)))).IsValid);
    }

    [Fact]
    public async Task A_wrong_or_missing_key_is_refused_before_the_site_is_touched()
    {
        var site = NewSite();
        var store = TestEngine.Store(_folder);
        var backup = await BackupAsync(site, store, _rawKey);
        site.Execute("UPDATE people SET name = 'changed'");
        string changed = site.DumpData();

        var wrong = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(site, store, backup, ArchiveKey.NewRawKey()));
        Assert.Equal(BackupError.EncryptionKeyMismatch, wrong.Error);
        Assert.Contains(backup.Encryption!.KeyId, wrong.Message, StringComparison.Ordinal);
        var passphrase = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(site, store, backup, "not the key at all"));
        Assert.Equal(BackupError.EncryptionKeyMismatch, passphrase.Error);
        var missing = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(site, store, backup, null));
        Assert.Equal(BackupError.EncryptionKeyRequired, missing.Error);
        Assert.Equal(changed, site.DumpData());
        Assert.Empty(store.ListRestorations());

        Assert.Equal(BackupError.EncryptionKeyMismatch,
            Assert.Throws<BackupException>(() => VerifyOperation.Run(store, backup, ArchiveKey.From(ArchiveKey.NewRawKey()))).Error);
        var unkeyed = VerifyOperation.Run(store, backup);
        Assert.False(unkeyed.Verified);
        Assert.Null(unkeyed.IsValid);
        Assert.Contains("no -EncryptionKey was given", Assert.Single(unkeyed.Problems).Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Tamperings() => ["flip a bit in a middle chunk", "flip a bit in the last chunk's tag",
        "cut off the last bytes", "cut off the last chunk", "swap two chunks", "drop a middle chunk", "repeat a chunk",
        "take a chunk of another archive with the same key", "change the header's archive salt", "change the header's chunk size",
        "put another archive's header on it"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Tampering_is_refused_by_a_restore_that_leaves_the_site_as_it_was_and_by_verification(string tampering)
    {
        var site = NewSite();
        var store = TestEngine.Store(_folder);
        var backup = await BackupAsync(site, store, _rawKey);
        var other = await BackupAsync(NewSite("other.db"), store, _rawKey);
        byte[] bytes = File.ReadAllBytes(ArchivePath(backup));
        byte[] others = File.ReadAllBytes(ArchivePath(other));
        int header = EncryptionHeader.Size;
        int chunks = (int)((bytes.Length - header + Stride - 1) / Stride);
        Assert.True(chunks >= 4);
        byte[] Chunk(byte[] from, int i) => from.AsSpan(header + i * Stride, Math.Min(Stride, from.Length - header - i * Stride)).ToArray();
        byte[] Join(byte[] head, IEnumerable<byte[]> parts) => [.. head, .. parts.SelectMany(p => p)];
        var all = Enumerable.Range(0, chunks).Select(i => Chunk(bytes, i)).ToList();
        byte[] tampered = tampering switch
        {
            "flip a bit in a middle chunk" => Flip(bytes, header + Stride + 100),
            "flip a bit in the last chunk's tag" => Flip(bytes, bytes.Length - 3),
            "cut off the last bytes" => bytes[..^7],
            "cut off the last chunk" => bytes[..(header + (chunks - 1) * Stride)],
            "swap two chunks" => Join(bytes[..header], [all[1], all[0], .. all.Skip(2)]),
            "drop a middle chunk" => Join(bytes[..header], all.Where((_, i) => i != 1)),
            "repeat a chunk" => Join(bytes[..header], [all[0], all[0], .. all.Skip(1)]),
            "take a chunk of another archive with the same key" => Join(bytes[..header], [all[0], Chunk(others, 1), .. all.Skip(2)]),
            "change the header's archive salt" => Flip(bytes, 40),
            "change the header's chunk size" => SetChunkSize(bytes, 32 * 1024),
            "put another archive's header on it" => [.. others[..header], .. bytes[header..]],
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };
        File.WriteAllBytes(ArchivePath(backup), tampered);
        site.Execute("UPDATE people SET name = 'changed'");
        string before = site.DumpData();

        var refused = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(site, store, backup, _rawKey));
        // Refused by the seal itself, not by the zip or the checksums behind it, and never taken for a wrong key.
        Assert.True(refused.Error == BackupError.ArchiveCorrupt, $"{tampering}: {refused.Error} {refused.Message}");
        Assert.Contains("encrypted archive is not sound", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, site.DumpData());
        var verdict = VerifyOperation.Run(store, backup, ArchiveKey.From(_rawKey));
        Assert.False(verdict.IsValid ?? true, $"{tampering}: verification found nothing wrong");
    }

    [Theory]
    [InlineData(22)]   // a byte of the PBKDF2 salt
    [InlineData(19)]   // the low byte of the iteration count
    public async Task A_passphrase_header_whose_stretching_was_changed_is_damage_not_a_wrong_passphrase(int at)
    {
        var site = NewSite();
        var store = TestEngine.Store(_folder);
        const string passphrase = "correct horse battery staple";
        var backup = await BackupAsync(site, store, passphrase);
        Assert.NotNull(backup.Encryption!.Salt);
        File.WriteAllBytes(ArchivePath(backup), Flip(File.ReadAllBytes(ArchivePath(backup)), at));

        var refused = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(site, store, backup, passphrase));
        Assert.Equal(BackupError.ArchiveCorrupt, refused.Error);
        var verdict = VerifyOperation.Run(store, backup, ArchiveKey.From(passphrase));
        Assert.False(verdict.IsValid);
        Assert.False(VerifyOperation.Run(store, backup).Verified && VerifyOperation.Run(store, backup).Problems.Count == 0);
    }

    [Fact]
    public async Task A_sealed_archive_under_a_record_that_says_it_is_not_encrypted_is_refused()
    {
        var site = NewSite();
        var store = TestEngine.Store(_folder);
        var backup = await BackupAsync(site, store, _rawKey);
        store.SaveBackup(backup with { Encryption = null });
        var refused = await Assert.ThrowsAsync<BackupException>(() => RestoreAsync(site, store, backup with { Encryption = null }, null));
        Assert.Equal(BackupError.ArchiveCorrupt, refused.Error);
        Assert.Contains("encrypted, yet its record says it is not", refused.Message, StringComparison.Ordinal);
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        byte[] copy = bytes.ToArray();
        copy[at] ^= 0x10;
        return copy;
    }

    private static byte[] SetChunkSize(byte[] bytes, int size)
    {
        byte[] copy = bytes.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(12), size);
        return copy;
    }

    [Theory]
    [InlineData("short")]
    [InlineData("")]
    public void A_passphrase_shorter_than_eight_characters_is_refused(string text) =>
        Assert.Equal(BackupError.InvalidArgument, Assert.Throws<BackupException>(() => ArchiveKey.From(text)).Error);
}

/// <summary>The sealed stream itself, below the zip (whose own structure would catch some of what these check).</summary>
public class EncryptedStreamTests
{
    private static (byte[] Sealed, byte[] Plain) Seal(int length, string key, int chunkSize = 4096)
    {
        byte[] plain = new byte[length];
        new Random(length).NextBytes(plain);
        using var target = new MemoryStream();
        var (header, contentKey) = EncryptionHeader.New(ArchiveKey.From(key), chunkSize);
        using (var sealing = new EncryptingStream(target, header, contentKey))
        {
            for (int at = 0; at < length; at += 1000) sealing.Write(plain.AsSpan(at, Math.Min(1000, length - at)));
            sealing.Complete();
        }
        return (target.ToArray(), plain);
    }

    /// <summary>What a record says of a raw key's archive in 4 KiB chunks (its id; no salt or stretching).</summary>
    private static BackupEncryption Recorded(string key) => EncryptionHeader.New(ArchiveKey.From(key), 4096).Header.Describe();

    private static byte[] ReadAll(byte[] sealedBytes, string key)
    {
        using var opened = DecryptingStream.Open(new MemoryStream(sealedBytes), ArchiveKey.From(key), "b", Recorded(key));
        using var copy = new MemoryStream();
        opened.CopyTo(copy);
        return copy.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(3 * 4096)]
    [InlineData(3 * 4096 + 17)]
    public void What_was_sealed_reads_back_whole_and_from_any_position(int length)
    {
        string key = ArchiveKey.NewRawKey();
        var (sealedBytes, plain) = Seal(length, key);
        Assert.Equal(plain, ReadAll(sealedBytes, key));
        using var opened = DecryptingStream.Open(new MemoryStream(sealedBytes), ArchiveKey.From(key), "b", Recorded(key));
        Assert.Equal(length, opened.Length);
        var random = new Random(7);
        for (int i = 0; i < 50 && length > 0; i++)
        {
            int at = random.Next(length), count = Math.Min(random.Next(1, 9000), length - at);
            var buffer = new byte[count];
            opened.Position = at;
            Assert.Equal(count, opened.ReadAtLeast(buffer, count, throwOnEndOfStream: false));
            Assert.Equal(plain.AsSpan(at, count).ToArray(), buffer);
        }
    }

    [Theory]
    [InlineData(3 * 4096)]        // three full chunks, the third marked last
    [InlineData(3 * 4096 + 17)]   // three full chunks and a short last one
    public void A_stream_cut_at_a_chunk_boundary_is_refused_when_it_is_opened(int length)
    {
        string key = ArchiveKey.NewRawKey();
        var (sealedBytes, _) = Seal(length, key);
        // Two whole chunks are left: a length a sealed stream can have, but its last chunk was not sealed as last.
        int cut = EncryptionHeader.Size + 2 * (4096 + EncryptingStream.TagSize);
        var e = Assert.Throws<BackupException>(() => DecryptingStream.Open(new MemoryStream(sealedBytes[..cut]), ArchiveKey.From(key), "b", Recorded(key)));
        Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
        Assert.Contains("last chunk", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_whose_writer_never_completed_does_not_open()
    {
        string key = ArchiveKey.NewRawKey();
        using var target = new MemoryStream();
        var (header, contentKey) = EncryptionHeader.New(ArchiveKey.From(key), 4096);
        using (var sealing = new EncryptingStream(target, header, contentKey)) sealing.Write(new byte[3 * 4096 + 5]);
        Assert.Equal(BackupError.ArchiveCorrupt,
            Assert.Throws<BackupException>(() => DecryptingStream.Open(new MemoryStream(target.ToArray()), ArchiveKey.From(key), "b", Recorded(key))).Error);
    }

    [Fact]
    public void A_stream_that_is_not_sealed_at_all_is_refused_as_such()
    {
        var e = Assert.Throws<BackupException>(() => DecryptingStream.Open(new MemoryStream("PK\u0003\u0004 a plain zip"u8.ToArray()), ArchiveKey.From(ArchiveKey.NewRawKey()), "b", new BackupEncryption { KeyKind = EncryptionKinds.RawKey, KeyId = "0000000000000000" }));
        Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
    }
}
