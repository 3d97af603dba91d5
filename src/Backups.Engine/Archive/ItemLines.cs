using System.Buffers;
using System.Security.Cryptography;

namespace SiteBackup.Engine.Archive;

/// <summary>
/// The lines of one collection's entry, checked as they are read: no line is empty or longer than an item may be,
/// the last one ends, no more bytes come out than the manifest declares, and at the end the count, size and SHA-256
/// match the manifest. Any mismatch throws ArchiveCorrupt. Not thread-safe: one thread at a time reads it
/// (<see cref="ItemReader"/> reads it on its read-ahead thread, and on the caller's only once that has stopped).
/// </summary>
internal sealed class ItemLines : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly Stream _entry;
    private readonly ManifestCollection _expected;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize * 2);
    private int _start;
    private int _end;
    private bool _eof;
    private bool _verified;

    public ItemLines(Stream entry, ManifestCollection expected)
    {
        _entry = entry;
        _expected = expected;
    }

    /// <summary>The lines read so far.</summary>
    public long Count { get; private set; }

    /// <summary>The entry's (uncompressed) bytes read so far.</summary>
    public long ByteCount { get; private set; }

    /// <summary>The next line without its line end, valid until the next call (or, after <see cref="Detach"/>, for
    /// as long as the caller keeps the array); null after the last one, once the entry has been checked whole.</summary>
    public ReadOnlyMemory<byte>? Next()
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
                if (line.IsEmpty) throw Corrupt($"an empty line follows item {Count}");
                Count++;
                return line;
            }
            scanFrom = _end;
            if (_eof)
            {
                if (_end > _start) throw Corrupt("the last item has no line end (the entry was cut short)");
                Verify();
                return null;
            }
            if (_end - _start >= ArchiveFormat.MaxItemBytes)
                throw Corrupt($"item {Count + 1} is longer than {ArchiveFormat.MaxItemBytes} bytes");
            scanFrom -= Fill();
        }
    }

    /// <summary>Gives the caller the pooled array that holds the line <see cref="Next"/> returned last (to return to
    /// <see cref="ArrayPool{T}.Shared"/>), so that a large line is kept without being copied; the reader goes on in
    /// an array of its own.</summary>
    public byte[] Detach()
    {
        var detached = _buffer;
        int pending = _end - _start;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(ChunkSize * 2, pending + ChunkSize));
        detached.AsSpan(_start, pending).CopyTo(_buffer);
        _start = 0;
        _end = pending;
        return detached;
    }

    /// <summary>Reads what is left only to check it (count, size, SHA-256).</summary>
    public void CheckRest()
    {
        while (Next() is not null) { }
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
        if (Count != _expected.ItemCount)
            throw Corrupt($"it holds {Count} items, the manifest says {_expected.ItemCount}");
        if (ByteCount != _expected.ByteCount)
            throw Corrupt($"it holds {ByteCount} bytes, the manifest says {_expected.ByteCount}");
        string actual = Convert.ToHexStringLower(_sha256.GetHashAndReset());
        if (!string.Equals(actual, _expected.Sha256, StringComparison.OrdinalIgnoreCase))
            throw Corrupt("its SHA-256 does not match the manifest");
    }

    public Errors.BackupException Corrupt(string why) =>
        ArchiveReader.Corrupt(_expected.Id, $"collection '{_expected.Id}' ({_expected.Entry}): {why}");

    public void Dispose()
    {
        _entry.Dispose();
        _sha256.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
