using System.Security.Cryptography;
using System.Text;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Archive.Zip;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Archive;

/// <summary>
/// SiteBackup writes its zip files itself (<see cref="ZipWriter"/>, entries deflated in independent blocks on several
/// processors). A user opens them with whatever they have: every archive here is read back by five readers that are
/// not SiteBackup's (<see cref="ZipReaders"/>), which must all find the same entries with the same content.
/// </summary>
public class ZipInteropTests
{
    private const int Block = BlockDeflateStream.BlockSize;

    private static void AssertEveryReaderFinds(string zip, List<ZipReaders.Entry> expected, bool expandArchive = true)
    {
        foreach (var (reader, read) in ZipReaders.All)
        {
            if (reader == ZipReaders.ExpandArchiveName && !expandArchive) continue;
            var found = read(zip);
            // Expand-Archive lists files from the folder it made, in the folder's order.
            var order = reader == ZipReaders.ExpandArchiveName ? found.OrderBy(e => e.Name, StringComparer.Ordinal).ToList() : found;
            var wanted = reader == ZipReaders.ExpandArchiveName ? expected.OrderBy(e => e.Name, StringComparer.Ordinal).ToList() : expected;
            int differs = Enumerable.Range(0, Math.Min(wanted.Count, order.Count)).FirstOrDefault(i => wanted[i] != order[i], -1);
            Assert.True(wanted.SequenceEqual(order), differs < 0
                ? $"{reader} read {found.Count} entries, not the {expected.Count} written"
                : $"{reader} read {order[differs]} where {wanted[differs]} was written");
        }
    }

    /// <summary>A stream that takes writes only, so the writer cannot have sought back to patch a header.</summary>
    private sealed class ForwardOnly(Stream inner) : WriteOnlyStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }

    /// <summary>Text that compresses about as JSON does, with runs of random bytes that do not compress.</summary>
    private static byte[] Content(int length, int seed)
    {
        var random = new Random(seed);
        byte[] data = new byte[length];
        for (int i = 0; i < length;)
        {
            if (random.Next(4) == 0)
            {
                int run = Math.Min(length - i, random.Next(1, 300));
                random.NextBytes(data.AsSpan(i, run));
                i += run;
            }
            else
            {
                var word = Encoding.UTF8.GetBytes($"{{\"id\":{random.Next(100000)},\"name\":\"Zoë {random.Next(50)} 名前\"}}\n");
                int take = Math.Min(length - i, word.Length);
                word.AsSpan(0, take).CopyTo(data.AsSpan(i));
                i += take;
            }
        }
        return data;
    }

    [Fact]
    public async Task A_backup_archive_reads_the_same_in_every_zip_reader()
    {
        using var folder = new TempFolder();
        // An empty table, a small one with text beyond ASCII, and one of about 5 MB of JSON (several blocks, the
        // last one partial).
        var site = SqliteSite.Create(folder, """
            CREATE TABLE empty(id INTEGER PRIMARY KEY);
            CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT, photo BLOB);
            INSERT INTO people VALUES (1, 'Chloé', x'00ff'), (2, '名前 😀', NULL);
            CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT, n REAL);
            WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 12000)
            INSERT INTO notes SELECT i, 'note ' || i || ' ' || hex(randomblob(150)), i / 7.0 FROM k;
            """);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        string zip = folder.Combine("store", "archives", backup.Id + ".zip");

        List<ZipReaders.Entry> expected;
        using (var file = File.OpenRead(zip))
        using (var reader = ArchiveReader.Open(file, zip))
        {
            Assert.True(reader.Manifest.Collections.Single(c => c.Id == "notes").ByteCount > 4 * Block);
            var whole = ZipReaders.DotNet(zip).ToDictionary(e => e.Name);
            expected = [
                .. reader.Manifest.Collections.Select(c => new ZipReaders.Entry(c.Entry, c.ByteCount, c.Sha256)),
                new ZipReaders.Entry(ArchiveFormat.DefinitionsEntryName, reader.Manifest.Definitions!.ByteCount, reader.Manifest.Definitions.Sha256),
                whole[ArchiveFormat.ManifestEntryName],
            ];
        }
        AssertEveryReaderFinds(zip, expected);
    }

    [Fact]
    public async Task An_archive_as_earlier_versions_wrote_it_with_System_IO_Compression_verifies_and_restores_the_same()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.CreateSample(folder);
        string before = SqliteJudge.Fingerprint(site.Path);
        var store = TestEngine.Store(folder);
        var backup = await TestEngine.BackupAsync(site, store);
        string zip = folder.Combine("store", "archives", backup.Id + ".zip");
        // The same entries, zipped by ZipArchive at its Optimal level with sizes in the local headers, as every
        // archive was before SiteBackup wrote its own.
        using (var ours = new MemoryStream(File.ReadAllBytes(zip)))
        using (var theirs = ArchiveFiles.Rewrite(ours, entries => entries))
            File.WriteAllBytes(zip, theirs.ToArray());
        Assert.Equal(0, File.ReadAllBytes(zip)[6] & 0x08); // no data descriptor in the first local header

        site.Execute("DELETE FROM orders; UPDATE people SET name = 'changed';");
        Assert.True(VerifyOperation.Run(store, store.FindBackup(backup.Id)!).IsValid);
        await TestEngine.RestoreAsync(site, store, backup.Id);
        Assert.Equal(before, SqliteJudge.Fingerprint(site.Path));
    }

    [Fact]
    public void Entries_of_every_size_around_the_block_size_and_at_every_level_read_back_whole()
    {
        using var folder = new TempFolder();
        string zip = folder.Combine("sizes.zip");
        int[] sizes = [0, 1, Block - 1, Block, Block + 1, 2 * Block, 3 * Block + 12345];
        var expected = new List<ZipReaders.Entry>();
        using (var file = File.Create(zip))
        using (var writer = new ZipWriter(new ForwardOnly(file)))
        {
            foreach (int level in new[] { 0, 1, ArchiveFormat.DeflateLevel, 9 })
                foreach (int size in sizes)
                {
                    string name = $"level{level}/{size}.bin";
                    byte[] data = Content(size, seed: size + level);
                    // Both kinds of local header and descriptor: ZIP64 (as collections have) and classic.
                    var entry = writer.BeginEntry(name, level, mayPass4GiB: size % 2 == 0);
                    // Writes of an odd length, so that they straddle the block boundaries.
                    for (int at = 0; at < size; at += 77777) entry.Write(data, at, Math.Min(77777, size - at));
                    writer.EndEntry();
                    expected.Add(new ZipReaders.Entry(name, size, ZipReaders.Sha256(data)));
                }
            writer.Finish();
        }
        AssertEveryReaderFinds(zip, expected);
    }

    [Fact]
    public void A_zip64_archive_over_4_GiB_reads_back_in_every_reader()
    {
        using var folder = new TempFolder();
        string zip = folder.Combine("zip64.zip");
        // One entry whose sizes both pass 4 GiB (stored blocks: level 0 does not shrink it), so that the entries
        // after it start past 4 GiB too.
        const long bigSize = (4L << 30) + Block + 17;
        var expected = new List<ZipReaders.Entry>();
        byte[] pattern = Content(Block, seed: 4);
        using (var file = new FileStream(zip, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new ZipWriter(new ForwardOnly(file)))
        {
            expected.Add(WriteEntry(writer, "before.txt", "the entry before\n"u8));
            var big = writer.BeginEntry("big.bin", 0, mayPass4GiB: true);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (long left = bigSize; left > 0;)
            {
                // The pattern changed each time, so that no two blocks are the same.
                int take = (int)Math.Min(left, pattern.Length);
                pattern[(int)(left % pattern.Length)]++;
                big.Write(pattern, 0, take);
                sha.AppendData(pattern, 0, take);
                left -= take;
            }
            writer.EndEntry();
            expected.Add(new ZipReaders.Entry("big.bin", bigSize, Convert.ToHexStringLower(sha.GetHashAndReset())));
            expected.Add(WriteEntry(writer, "after/1.json", Content(3 * Block, seed: 5), mayPass4GiB: true));
            expected.Add(WriteEntry(writer, "after/empty", []));
            writer.Finish();
        }
        Assert.True(new FileInfo(zip).Length > bigSize);
        Assert.Equal(0x06064b50u, Zip64EndRecord(zip));
        AssertEveryReaderFinds(zip, expected);
    }

    [Fact]
    public void An_archive_of_more_entries_than_the_classic_end_record_counts_reads_back()
    {
        using var folder = new TempFolder();
        string zip = folder.Combine("entries.zip");
        var expected = new List<ZipReaders.Entry>();
        using (var file = File.Create(zip))
        using (var writer = new ZipWriter(new ForwardOnly(file)))
        {
            for (int i = 0; i < 65_600; i++) expected.Add(WriteEntry(writer, $"tiny/{i}.txt", Encoding.ASCII.GetBytes($"{i}\n")));
            writer.Finish();
        }
        Assert.Equal(0x06064b50u, Zip64EndRecord(zip));
        // Expand-Archive makes one file at a time through the provider: 65,600 of them took 1 min 48 s here, which
        // the other four readers check in seconds. It reads the ZIP64 end records in the test above.
        AssertEveryReaderFinds(zip, expected, expandArchive: false);
    }

    private static ZipReaders.Entry WriteEntry(ZipWriter writer, string name, ReadOnlySpan<byte> data, bool mayPass4GiB = false)
    {
        writer.BeginEntry(name, ArchiveFormat.DeflateLevel, mayPass4GiB).Write(data);
        writer.EndEntry();
        return new ZipReaders.Entry(name, data.Length, ZipReaders.Sha256(data));
    }

    /// <summary>The signature where the ZIP64 end record sits when there is one: before its 20-byte locator and the
    /// 22-byte classic end record (no comment).</summary>
    private static uint Zip64EndRecord(string zip)
    {
        using var file = File.OpenRead(zip);
        byte[] tail = new byte[56 + 20 + 22];
        file.Seek(-tail.Length, SeekOrigin.End);
        file.ReadExactly(tail);
        Assert.Equal(0x07064b50u, BitConverter.ToUInt32(tail, 56));
        return BitConverter.ToUInt32(tail, 0);
    }

    [Fact]
    public async Task Definitions_larger_than_a_reader_takes_fail_the_backup_instead_of_making_it_Ready()
    {
        // A view of 11.5 million '<' characters: its definitions as JSON pass the 64 MiB readers take.
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder, "CREATE TABLE t(a); CREATE VIEW v AS SELECT '" + new string('<', 11_500_000) + "';");
        var store = TestEngine.Store(folder);
        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.BackupAsync(site, store));
        Assert.Equal(BackupError.OperationFailed, e.Error);
        Assert.Contains("definitions", e.Message);
        Assert.Equal(BackupStatus.Failed, Assert.Single(store.ListBackups()).Status);
    }

    [Fact]
    public void A_manifest_larger_than_a_reader_takes_is_refused_by_the_writer()
    {
        using var output = new MemoryStream();
        using var writer = new ArchiveWriter(output);
        // 3,000 collections with names of 2,000 characters: more than the 16 MiB of manifest a reader takes.
        string name = new('Ж', 2000);
        for (int i = 0; i < 3000; i++)
        {
            writer.BeginCollection($"{name}{i}", $"{name}{i}");
            writer.EndCollection();
        }
        var e = Assert.Throws<BackupException>(() => writer.Complete(new ArchiveManifest
        {
            Id = "00000000-0000-0000-0000-000000000001", SiteId = "/tmp/x.db", Type = BackupType.OnDemand,
            RequestedDate = DateTimeOffset.UnixEpoch, Tool = ArchiveTool.Current,
        }));
        Assert.Equal(BackupError.OperationFailed, e.Error);
        Assert.Contains("manifest", e.Message);
    }

    /// <summary>An output that fails after some bytes, as a full disk or a dropped upload does.</summary>
    private sealed class FailsAfter(long bytes) : WriteOnlyStream
    {
        public long Written { get; private set; }
        public int WritesAfterFailing { get; private set; }
        private bool _failed;


        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_failed) WritesAfterFailing++;
            if (Written + buffer.Length > bytes)
            {
                _failed = true;
                throw new IOException("No space left on device");
            }
            Written += buffer.Length;
        }

    }

    [Fact]
    public void A_failing_output_is_raised_to_the_writer_and_nothing_is_written_after_it()
    {
        var output = new FailsAfter(3 * Block);
        var writer = new ZipWriter(output);
        var entry = writer.BeginEntry("a.bin", 0, mayPass4GiB: true);
        byte[] data = Content(Block, seed: 1);
        var failure = Assert.Throws<IOException>(() =>
        {
            for (int i = 0; i < 64; i++) entry.Write(data);
            writer.EndEntry();
        });
        Assert.Equal("No space left on device", failure.Message);
        writer.Dispose();
        Assert.Equal(0, output.WritesAfterFailing);
    }

    /// <summary>An output slow to take each write, which notes any write that arrives after it was closed.</summary>
    private sealed class SlowOutput : WriteOnlyStream
    {
        public volatile bool Closed;
        public int Writes;
        public int WritesAfterClosed;
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Thread.Sleep(30);
            Interlocked.Increment(ref Writes);
            if (Closed) Interlocked.Increment(ref WritesAfterClosed);
        }
    }

    [Fact]
    public void A_writer_disposed_mid_entry_writes_nothing_after_Dispose_returns_and_drops_the_blocks_not_yet_written()
    {
        // As a canceled backup disposes its archive writer before the upload under it: blocks still deflating or
        // waiting must not reach an upload that is gone.
        var output = new SlowOutput();
        var writer = new ZipWriter(output);
        var entry = writer.BeginEntry("a.bin", 1, mayPass4GiB: true);
        byte[] data = Content(Block, seed: 2);
        for (int i = 0; i < 3; i++) entry.Write(data);
        writer.Dispose();
        output.Closed = true;
        int atClose = output.Writes;
        Thread.Sleep(500);
        Assert.Equal(0, output.WritesAfterClosed);
        // The local header's three writes, and at most the one block being written when Dispose came.
        Assert.InRange(atClose, 3, 4);
    }

    /// <summary>A store whose archive uploads fail after some bytes.</summary>
    private sealed class FullDisk(IBackupStore inner, long bytes) : DelegatingStore(inner)
    {
        public override IArchiveUpload BeginArchive(string id) => new Upload(base.BeginArchive(id), bytes);

        private sealed class Upload(IArchiveUpload inner, long bytes) : IArchiveUpload
        {
            private readonly FailsAfter _stream = new(bytes);
            public Stream Stream => _stream;
            public long Commit() => throw new InvalidOperationException("a failed upload was committed");
            public void Dispose() => inner.Dispose();
        }
    }

    [Fact]
    public async Task A_backup_whose_archive_cannot_be_written_is_Failed_and_the_Ready_one_before_it_stays()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder, """
            CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);
            WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 20000)
            INSERT INTO notes SELECT i, hex(randomblob(200)) FROM k;
            """);
        var store = TestEngine.Store(folder);
        var good = await TestEngine.BackupAsync(site, store);

        var full = new FullDisk(store, 2 * Block);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => BackupOperation.RunAsync(new BackupRequest { Site = SiteKinds.Open(site.Path), Store = full }));
        Assert.Contains("No space left on device", e.Message);

        var records = store.ListBackups();
        Assert.Equal(2, records.Count);
        Assert.Equal(BackupStatus.Ready, records.Single(r => r.Id == good.Id).Status);
        var failed = records.Single(r => r.Id != good.Id);
        Assert.Equal(BackupStatus.Failed, failed.Status);
        Assert.Contains("No space left on device", failed.Error);
    }
}
