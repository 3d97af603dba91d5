using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SiteBackup.Engine.Archive;

/// <summary>
/// Writes one collection's items as JSON lines into an archive entry. A source writes each item as one JSON
/// object through <see cref="Json"/> and then calls <see cref="EndItem"/>. Items gather in a 64 KB buffer; each full
/// buffer is hashed here and written into the entry, whose stream deflates it in blocks on other threads
/// (<see cref="Zip.BlockDeflateStream"/>), so reading the site and deflating overlap. Memory stays flat however large
/// the collection. The SHA-256, the item count and the byte count are taken on the way.
/// </summary>
public sealed class ItemWriter : IDisposable
{
    private const int FlushThreshold = 64 * 1024;
    private static readonly JsonWriterOptions Options = new()
    {
        // Items never end up in HTML; keep non-ASCII text readable and compact.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private readonly Stream _output;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Action<long, long>? _onProgress;
    private long _nextProgressTick;

    internal ItemWriter(Stream output, Action<long, long>? onProgress)
    {
        _output = output;
        _onProgress = onProgress;
        Json = new Utf8JsonWriter(_buffer, Options);
    }

    /// <summary>The writer for the current item; write exactly one JSON object, then call <see cref="EndItem"/>.</summary>
    public Utf8JsonWriter Json { get; }

    public long ItemCount { get; private set; }
    public long ByteCount { get; private set; }

    public void EndItem()
    {
        Json.Flush();
        // A line no reader takes would make a Ready backup that cannot be restored: refuse it here instead.
        if (Json.BytesCommitted > ArchiveFormat.MaxItemBytes)
            throw new Errors.BackupException(Errors.BackupError.OperationFailed,
                $"Item {ItemCount + 1} is {Json.BytesCommitted:N0} bytes as JSON, more than the {ArchiveFormat.MaxItemBytes:N0} an archive holds in one item.");
        Json.Reset();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        ItemCount++;
        if (_buffer.WrittenCount >= FlushThreshold) FlushBuffer();
        if (_onProgress is not null && (ItemCount & 255) == 0 && Environment.TickCount64 >= _nextProgressTick)
        {
            _nextProgressTick = Environment.TickCount64 + 250;
            _onProgress(ItemCount, ByteCount + _buffer.WrittenCount);
        }
    }

    /// <summary>Writes what is buffered and returns the entry's hash as lower-case hex.</summary>
    internal string Finish()
    {
        FlushBuffer();
        return Convert.ToHexStringLower(_sha256.GetHashAndReset());
    }

    private void FlushBuffer()
    {
        var written = _buffer.WrittenSpan;
        if (written.IsEmpty) return;
        _sha256.AppendData(written);
        _output.Write(written);
        ByteCount += written.Length;
        _buffer.ResetWrittenCount();
    }

    public void Dispose()
    {
        Json.Dispose();
        _sha256.Dispose();
    }
}
