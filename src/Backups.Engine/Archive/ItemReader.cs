using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Unicode;

namespace SiteBackup.Engine.Archive;

/// <summary>
/// Reads one collection's items back, one JSON object a line, and checks them on the way: each line is UTF-8 and
/// one JSON object, no more bytes come out than the manifest declares, and at the end the count, size and
/// SHA-256 match the manifest. Any mismatch throws ArchiveCorrupt; a restore that reads through this inside its
/// transaction therefore rolls back before anything becomes visible.
/// </summary>
public sealed class ItemReader : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    // Deep enough for any value a site keeps (a PostgreSQL json value nests as deep as its server's stack allows,
    // thousands of levels): the reader keeps its nesting on the heap, so depth costs memory, not the stack.
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 100_000 };

    private readonly Stream _entry;
    private readonly ManifestCollection _expected;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize * 2);
    private int _start;
    private int _end;
    private bool _eof;
    private bool _verified;
    private readonly Action<long, long>? _onProgress;
    private long _nextProgressTick;

    internal ItemReader(Stream entry, ManifestCollection expected, Action<long, long>? onProgress = null)
    {
        _entry = entry;
        _expected = expected;
        _onProgress = onProgress;
    }

    public ManifestCollection Collection => _expected;
    public long ItemCount { get; private set; }
    public long ByteCount { get; private set; }

    /// <summary>The next item, or null after the last one (once the entry has been checked whole). The caller
    /// disposes the document.</summary>
    public JsonDocument? Read()
    {
        var line = NextLine();
        if (line is null)
        {
            Verify();
            return null;
        }

        ItemCount++;
        if (_onProgress is not null && (ItemCount & 255) == 0 && Environment.TickCount64 >= _nextProgressTick)
        {
            _nextProgressTick = Environment.TickCount64 + 250;
            _onProgress(ItemCount, ByteCount);
        }
        var bytes = line.Value;
        if (!Utf8.IsValid(bytes.Span))
            throw Corrupt($"item {ItemCount} is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, ParseOptions);
        }
        catch (JsonException e)
        {
            throw Corrupt($"item {ItemCount} is not valid JSON ({e.Message})");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Corrupt($"item {ItemCount} is not a JSON object");
        }
        return document;
    }

    /// <summary>Reads what is left of the entry only to check it. A restore calls this when an item was refused
    /// (a column the table lacks, say): if the entry is damaged, that is the error to report, not the symptom.</summary>
    public void CheckRest()
    {
        while (NextLine() is not null) ItemCount++;
        Verify();
    }

    private ReadOnlyMemory<byte>? NextLine()
    {
        int scanFrom = _start;
        while (true)
        {
            int newline = _buffer.AsSpan(scanFrom, _end - scanFrom).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int lineEnd = scanFrom + newline;
                var line = new ReadOnlyMemory<byte>(_buffer, _start, lineEnd - _start);
                _start = lineEnd + 1;
                if (line.IsEmpty) throw Corrupt($"an empty line follows item {ItemCount}");
                return line;
            }
            scanFrom = _end;
            if (_eof)
            {
                if (_end > _start) throw Corrupt("the last item has no line end (the entry was cut short)");
                return null;
            }
            if (_end - _start >= ArchiveFormat.MaxItemBytes)
                throw Corrupt($"item {ItemCount + 1} is longer than {ArchiveFormat.MaxItemBytes} bytes");
            scanFrom -= Fill();
        }
    }

    /// <summary>Reads more bytes, compacting or growing the buffer; returns how far existing data moved left.</summary>
    private int Fill()
    {
        int shift = 0;
        if (_buffer.Length - _end < ChunkSize)
        {
            int pending = _end - _start;
            if (pending + ChunkSize > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, pending + ChunkSize));
                _buffer.AsSpan(_start, pending).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
            else
            {
                _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            }
            shift = _start;
            _start = 0;
            _end = pending;
        }

        int read;
        try
        {
            read = _entry.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (Exception e) when (ArchiveReader.IsDamage(e))
        {
            throw Corrupt($"its compressed data is damaged ({e.Message})");
        }
        if (read == 0)
        {
            _eof = true;
            return shift;
        }
        _sha256.AppendData(_buffer, _end, read);
        ByteCount += read;
        if (ByteCount > _expected.ByteCount)
            throw Corrupt($"it holds more than the {_expected.ByteCount} bytes the manifest declares");
        _end += read;
        return shift;
    }

    private void Verify()
    {
        if (_verified) return;
        _verified = true;
        if (ItemCount != _expected.ItemCount)
            throw Corrupt($"it holds {ItemCount} items, the manifest says {_expected.ItemCount}");
        if (ByteCount != _expected.ByteCount)
            throw Corrupt($"it holds {ByteCount} bytes, the manifest says {_expected.ByteCount}");
        string actual = Convert.ToHexStringLower(_sha256.GetHashAndReset());
        if (!string.Equals(actual, _expected.Sha256, StringComparison.OrdinalIgnoreCase))
            throw Corrupt("its SHA-256 does not match the manifest");
    }

    private Errors.BackupException Corrupt(string why) =>
        ArchiveReader.Corrupt(_expected.Id, $"collection '{_expected.Id}' ({_expected.Entry}): {why}");

    public void Dispose()
    {
        _entry.Dispose();
        _sha256.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
