using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.IO.Hashing;

namespace SiteBackup.Engine.Archive.Zip;

/// <summary>
/// A write-only stream that deflates what is written to it in independent blocks of <see cref="BlockSize"/> bytes,
/// several at once on the thread pool, and writes them to the output in the order they were written, as pigz does
/// with independent blocks (pigz -i).
/// Each block is compressed by a zlib stream of its own and ended with a sync flush, which ends it on a byte
/// boundary with a block that is not the last; the blocks one after the other, then one final empty block, are one
/// standard deflate stream that any inflater reads. A block does not refer back into the one before it, which
/// costs under 1% of size at 1 MiB a block (measured on the bench's shapes: 0.5% shop, 0.5-0.8% text-heavy notes).
/// At most <see cref="InFlight"/> blocks are deflating or waiting to be written, so memory stays flat however much
/// is written. The CRC-32 and both lengths are taken for the zip's headers.
/// </summary>
/// <remarks>
/// Writes to the output run on the thread pool, one at a time and in order (each block's write is a continuation
/// of the one before it), never at the same time as the caller's own writes to the output, which happen only
/// before this stream's first block and after <see cref="Complete"/>.
/// </remarks>
internal sealed class BlockDeflateStream : WriteOnlyStream
{
    internal const int BlockSize = 1 << 20;

    /// <summary>Blocks deflating or waiting to be written before a write waits for the oldest: one per processor,
    /// and one more so that a processor never waits on the output. At most 8 processors' worth: one thread reading
    /// a site makes JSON about as fast as three or four deflate it at level 5, and each block in flight holds up to
    /// 3 MiB (the block and its deflated copy).</summary>
    private static readonly int InFlight = Math.Min(Environment.ProcessorCount, 8) + 1;

    /// <summary>What zlib writes to finish a stream after a sync flush with no input left (a final empty block).
    /// Taken from the library once rather than written out by hand.</summary>
    private static readonly byte[] FinalEmptyBlock = MakeFinalEmptyBlock();

    private static readonly ConcurrentBag<MemoryStream> Sinks = [];

    private readonly Stream _output;
    private readonly int _level;
    private readonly Queue<Task> _writes = new();
    private readonly Crc32 _crc = new();
    private Task _lastWrite = Task.CompletedTask;
    private long _compressed;
    private byte[] _block = ArrayPool<byte>.Shared.Rent(BlockSize);
    private int _filled;
    private bool _completed;
    /// <summary>Set by <see cref="Dispose"/> without <see cref="Complete"/>: blocks not yet written are dropped.</summary>
    private volatile bool _abandoned;

    /// <param name="output">Where the deflated bytes go.</param>
    /// <param name="level">zlib's level, 0 (stored blocks) to 9.</param>
    internal BlockDeflateStream(Stream output, int level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        _output = output;
        _level = level;
    }

    /// <summary>Bytes written to this stream (the entry's uncompressed size).</summary>
    internal long UncompressedLength { get; private set; }

    /// <summary>Deflated bytes written to the output; final after <see cref="Complete"/>.</summary>
    internal long CompressedLength => Volatile.Read(ref _compressed);

    /// <summary>The CRC-32 of what was written; final after <see cref="Complete"/>.</summary>
    internal uint Crc32 { get; private set; }

    /// <summary>zlib's level for a <see cref="CompressionLevel"/>. Optimal is <see cref="ArchiveFormat.DeflateLevel"/>,
    /// chosen by measurement (see bench/README.md).</summary>
    internal static int ZlibLevel(CompressionLevel level) => level switch
    {
        CompressionLevel.NoCompression => 0,
        CompressionLevel.Fastest => 1,
        CompressionLevel.SmallestSize => 9,
        _ => ArchiveFormat.DeflateLevel,
    };

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _crc.Append(buffer);
        UncompressedLength += buffer.Length;
        while (!buffer.IsEmpty)
        {
            int take = Math.Min(buffer.Length, BlockSize - _filled);
            buffer[..take].CopyTo(_block.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
            if (_filled == BlockSize) Submit();
        }
    }

    /// <summary>Deflates what is left, waits until every block is written, then writes the final block. Raises the
    /// first failure of compressing or writing.</summary>
    internal void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_filled > 0) Submit();
        _completed = true;
        _writes.Clear();
        _lastWrite.GetAwaiter().GetResult();
        _output.Write(FinalEmptyBlock);
        _compressed += FinalEmptyBlock.Length;
        Crc32 = _crc.GetCurrentHashAsUInt32();
    }

    private void Submit()
    {
        byte[] block = _block;
        int length = _filled;
        _block = ArrayPool<byte>.Shared.Rent(BlockSize);
        _filled = 0;

        var deflated = Task.Run(() => DeflateBlock(block, length));
        var previous = _lastWrite;
        _lastWrite = Task.WhenAll(previous, deflated).ContinueWith(
            both =>
            {
                _ = both.Exception; // observed here; the failure itself travels on through WriteBlock
                WriteBlock(previous, deflated);
            },
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        _writes.Enqueue(_lastWrite);
        // The first failure of any block reaches the caller here, at the latest InFlight blocks later.
        while (_writes.Count > InFlight) _writes.Dequeue().GetAwaiter().GetResult();
    }

    /// <summary>Writes one deflated block once the block before it is written; after a failure, every later block
    /// fails with it and nothing more is written.</summary>
    private void WriteBlock(Task previous, Task<MemoryStream> deflated)
    {
        // Both have ended (this runs after them); a deflated copy goes back to the pool whatever happens.
        MemoryStream? sink = deflated.IsCompletedSuccessfully ? deflated.Result : null;
        try
        {
            previous.GetAwaiter().GetResult();
            if (sink is null) deflated.GetAwaiter().GetResult(); // raises the deflate's own failure
            if (_abandoned) return;
            _output.Write(sink!.GetBuffer(), 0, (int)sink.Length);
            Interlocked.Add(ref _compressed, sink.Length);
        }
        finally
        {
            // The pool keeps no more copies than are ever in flight, none grown past twice a block.
            if (sink is not null && sink.Capacity <= BlockSize * 2 && Sinks.Count <= InFlight) Sinks.Add(sink);
        }
    }

    private MemoryStream DeflateBlock(byte[] block, int length)
    {
        try
        {
            if (!Sinks.TryTake(out var sink)) sink = new MemoryStream(BlockSize / 2);
            sink.SetLength(0);
            if (_abandoned) return sink;
            var deflate = new DeflateStream(sink, new ZLibCompressionOptions { CompressionLevel = _level }, leaveOpen: true);
            deflate.Write(block, 0, length);
            deflate.Flush();   // a sync flush: ends on a byte boundary, not the last block
            long flushed = sink.Length;
            deflate.Dispose(); // frees zlib's state; the final block it adds is cut off below
            sink.SetLength(flushed);
            return sink;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    private static byte[] MakeFinalEmptyBlock()
    {
        using var sink = new MemoryStream();
        long flushed;
        using (var deflate = new DeflateStream(sink, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.WriteByte(0);
            deflate.Flush();
            flushed = sink.Length;
        }
        return sink.ToArray()[(int)flushed..];
    }

    /// <summary>Without <see cref="Complete"/> (a backup that failed or was stopped), drops the blocks not yet
    /// written and waits for the one being written, so that nothing is written to the output after this returns,
    /// and raises nothing: the entry is left unfinished, and the archive with it.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _block.Length > 0)
        {
            if (!_completed) _abandoned = true;
            _completed = true;
            try { _lastWrite.Wait(); } catch (AggregateException) { }
            ArrayPool<byte>.Shared.Return(_block);
            _block = [];
        }
        base.Dispose(disposing);
    }

    public override bool CanWrite => !_completed;
    public override long Position { get => UncompressedLength; set => throw new NotSupportedException(); }
}
