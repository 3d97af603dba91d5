using System.Security.Cryptography;
using System.Text;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Tests.Archive;

/// <summary>
/// ItemReader reads an entry ahead on a thread of its own, in batches. Whatever the batches, the caller gets every
/// item in order, each failure at the item where it is, and after Dispose nothing reads the entry any more.
/// </summary>
public class ItemReadAheadTests
{
    /// <summary>Lines of many sizes: small ones (many to a batch), lines over a quarter of a batch (kept in the
    /// array they were read into) and one of several MB (longer than the line reader's buffer).</summary>
    private static List<string> MixedLines(int count)
    {
        var random = new Random(20);
        var lines = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            int length = i == count / 2 ? 3_000_000 : i % 97 == 0 ? 70_000 + random.Next(200_000) : random.Next(0, 300);
            lines.Add($$"""{"n":{{i}},"text":"{{new string((char)('a' + i % 26), length)}}é"}""");
        }
        return lines;
    }

    private static byte[] Entry(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

    private static ManifestCollection Manifest(byte[] entry, long items) => new()
    {
        Id = "things", DisplayName = "things", Entry = "collections/0.jsonl", ItemCount = items, ByteCount = entry.Length,
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(entry)),
    };

    [Fact]
    public void Every_item_comes_back_in_order_across_batches_of_every_kind()
    {
        var lines = MixedLines(5_000);
        byte[] entry = Entry(lines);
        using var reader = new ItemReader(new WatchedStream(entry), Manifest(entry, lines.Count));

        var read = new List<string>();
        while (reader.Read() is { } item) read.Add(item.GetRawText());

        Assert.Equal(lines, read);
        Assert.Equal(lines.Count, reader.ItemCount);
        Assert.Equal(entry.Length, reader.ByteCount);
        Assert.Null(reader.Read());
    }

    [Fact]
    public void The_entry_is_read_on_another_thread_and_no_further_ahead_than_a_few_batches()
    {
        var lines = Enumerable.Range(0, 200_000).Select(i => $$"""{"n":{{i}},"pad":"{{new string('x', 200)}}"}""").ToList();
        byte[] entry = Entry(lines); // about 44 MB
        var stream = new WatchedStream(entry);
        using var reader = new ItemReader(stream, Manifest(entry, lines.Count));

        Assert.Equal(0, reader.Read()!.Value.GetProperty("n").GetInt32());
        // The caller stops here: the read-ahead fills its batches and then waits.
        long ahead = BytesReadAtRest(stream);
        Assert.InRange(ahead, 1, 4 * 1024 * 1024);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, stream.ReadingThreads);
    }

    [Theory]
    [InlineData(300, 200_000)]   // items over a quarter of a batch: one batch each
    [InlineData(20, 5_000_000)]  // items larger than all the batches ahead may be: one ahead of the caller's
    public void Large_items_are_not_read_further_ahead_than_a_few_megabytes(int count, int length)
    {
        var lines = Enumerable.Range(0, count).Select(i => $$"""{"n":{{i}},"pad":"{{new string('z', length)}}"}""").ToList();
        byte[] entry = Entry(lines);
        var stream = new WatchedStream(entry);
        using var reader = new ItemReader(stream, Manifest(entry, lines.Count));

        Assert.Equal(0, reader.Read()!.Value.GetProperty("n").GetInt32());
        long ahead = BytesReadAtRest(stream);
        Assert.InRange(ahead, 1, 30_000_000);
        Assert.True(ahead < entry.Length / 2, $"{ahead} of {entry.Length} bytes read ahead");
        // And every item still comes.
        int read = 1;
        while (reader.Read() is { } item) Assert.Equal(read++, item.GetProperty("n").GetInt32());
        Assert.Equal(count, read);
    }

    [Fact]
    public void Dispose_twice_and_CheckRest_after_a_failure_keep_failing()
    {
        var lines = Enumerable.Range(0, 50).Select(i => $$"""{"n":{{i}}}""").ToList();
        byte[] entry = Entry(lines);
        var reader = new ItemReader(new WatchedStream(entry), Manifest(entry, lines.Count) with { Sha256 = new string('0', 64) });
        reader.Read();
        Assert.Contains("SHA-256", Assert.Throws<BackupException>(reader.CheckRest).Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", Assert.Throws<BackupException>(reader.CheckRest).Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", Assert.Throws<BackupException>(() => reader.Read()).Message, StringComparison.Ordinal);
        reader.Dispose();
        reader.Dispose();
    }

    [Fact]
    public void A_damaged_item_fails_at_its_place_after_every_item_before_it()
    {
        var lines = MixedLines(3_000);
        lines[2_500] = """{"n":2500,"broken":""";
        byte[] entry = Entry(lines);
        using var reader = new ItemReader(new WatchedStream(entry), Manifest(entry, lines.Count));

        int read = 0;
        var e = Assert.Throws<BackupException>(() =>
        {
            while (reader.Read() is { } item) { Assert.Equal(lines[read], item.GetRawText()); read++; }
        });
        Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
        Assert.Contains("item 2501 is not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.Equal(2_500, read);
        // It stays failed.
        Assert.Equal(BackupError.ArchiveCorrupt, Assert.Throws<BackupException>(() => reader.Read()).Error);
    }

    [Fact]
    public void Damage_in_the_compressed_data_fails_after_the_items_read_before_it()
    {
        var lines = MixedLines(3_000);
        byte[] entry = Entry(lines);
        using var reader = new ItemReader(new WatchedStream(entry, failAt: entry.Length / 3 * 2), Manifest(entry, lines.Count));

        int read = 0;
        var e = Assert.Throws<BackupException>(() =>
        {
            while (reader.Read() is { } item) read++;
        });
        Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
        Assert.Contains("compressed data is damaged", e.Message, StringComparison.Ordinal);
        Assert.InRange(read, 1_000, 2_999);
    }

    [Fact]
    public void CheckRest_checks_the_rest_of_a_sound_entry_wherever_the_read_ahead_got_to()
    {
        var lines = MixedLines(3_000);
        byte[] entry = Entry(lines);
        foreach (int before in new[] { 0, 1, 1_500, 3_000 })
        {
            using var reader = new ItemReader(new WatchedStream(entry), Manifest(entry, lines.Count));
            for (int i = 0; i < before; i++) reader.Read();
            reader.CheckRest();
            Assert.Equal(lines.Count, reader.ItemCount);
            Assert.Null(reader.Read());
        }
        // One batch holds the whole entry: the read-ahead has reached its end before the caller has its first item.
        var few = Enumerable.Range(0, 50).Select(i => $$"""{"n":{{i}}}""").ToList();
        byte[] small = Entry(few);
        using (var reader = new ItemReader(new WatchedStream(small), Manifest(small, few.Count)))
        {
            reader.Read();
            reader.CheckRest();
            Assert.Equal(few.Count, reader.ItemCount);
            Assert.Equal(small.Length, reader.ByteCount);
        }
    }

    [Fact]
    public void CheckRest_reports_damage_further_on_and_a_manifest_that_does_not_match()
    {
        var lines = MixedLines(3_000);
        byte[] entry = Entry(lines);
        using (var reader = new ItemReader(new WatchedStream(entry, failAt: entry.Length - 10), Manifest(entry, lines.Count)))
        {
            reader.Read();
            Assert.Contains("compressed data is damaged", Assert.Throws<BackupException>(reader.CheckRest).Message, StringComparison.Ordinal);
        }
        using (var reader = new ItemReader(new WatchedStream(entry), Manifest(entry, lines.Count) with { Sha256 = new string('0', 64) }))
        {
            for (int i = 0; i < 10; i++) reader.Read();
            Assert.Contains("SHA-256 does not match", Assert.Throws<BackupException>(reader.CheckRest).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CheckRest_reports_a_broken_item_the_read_ahead_found_beyond_the_caller()
    {
        // One batch holds all fifty lines, so the read-ahead has parsed item 40 before the caller gets item 1; the
        // lines and the manifest agree, so only the parse knows.
        var lines = Enumerable.Range(0, 50).Select(i => $$"""{"n":{{i}}}""").ToList();
        lines[39] = "{not json}";
        byte[] entry = Entry(lines);
        using var reader = new ItemReader(new WatchedStream(entry), Manifest(entry, lines.Count));
        reader.Read();
        Assert.Contains("item 40 is not valid JSON", Assert.Throws<BackupException>(reader.CheckRest).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void After_Dispose_nothing_reads_the_entry_and_it_is_closed()
    {
        var lines = Enumerable.Range(0, 200_000).Select(i => $$"""{"n":{{i}},"pad":"{{new string('y', 200)}}"}""").ToList();
        byte[] entry = Entry(lines);
        // Slow reads, so that the read-ahead is never far ahead and is inside a read when the reader is disposed.
        var stream = new WatchedStream(entry, delay: TimeSpan.FromMilliseconds(20));
        var reader = new ItemReader(stream, Manifest(entry, lines.Count));
        for (int i = 0; i < 2_000; i++) reader.Read();

        reader.Dispose();
        long reads = stream.Reads;
        Assert.True(stream.Disposed);
        Thread.Sleep(200);
        Assert.Equal(reads, stream.Reads);
        Assert.False(stream.ReadAfterDispose);
    }

    /// <summary>How far the read-ahead has read once it has come to rest (no read for 300 ms), however slow the
    /// machine; fails if it never does.</summary>
    private static long BytesReadAtRest(WatchedStream stream)
    {
        long ahead = -1;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (stream.BytesRead != ahead && DateTime.UtcNow < deadline)
        {
            ahead = stream.BytesRead;
            Thread.Sleep(300);
        }
        Assert.Equal(ahead, stream.BytesRead);
        return ahead;
    }

    /// <summary>An entry's bytes, read in small pieces, which records who reads and when, and can fail as a damaged
    /// deflate stream does.</summary>
    private sealed class WatchedStream(byte[] data, long failAt = long.MaxValue, TimeSpan delay = default) : MemoryStream(data, writable: false)
    {
        private long _reads;
        private long _bytesRead;
        private volatile bool _disposed;

        public long Reads => Interlocked.Read(ref _reads);
        public long BytesRead => Interlocked.Read(ref _bytesRead);
        public bool Disposed => _disposed;
        /// <summary>A read began, or was still going on, after the stream was closed.</summary>
        public bool ReadAfterDispose { get; private set; }
        public System.Collections.Concurrent.ConcurrentBag<int> ReadingThreads { get; } = [];

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_disposed) ReadAfterDispose = true;
            ReadingThreads.Add(Environment.CurrentManagedThreadId);
            Interlocked.Increment(ref _reads);
            if (delay > TimeSpan.Zero) Thread.Sleep(delay);
            if (_disposed) ReadAfterDispose = true; // a read that was still going on when the stream was closed
            if (Position >= failAt) throw new InvalidDataException("The archive entry was compressed using an unsupported compression method.");
            int n = base.Read(buffer, offset, Math.Min(count, 16 * 1024));
            Interlocked.Add(ref _bytesRead, n);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
