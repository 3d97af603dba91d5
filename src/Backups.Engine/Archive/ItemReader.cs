using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Unicode;

namespace SiteBackup.Engine.Archive;

/// <summary>
/// Reads one collection's items back, one JSON object a line, and checks them on the way: each line is UTF-8 and
/// one JSON object, and the entry's lines pass <see cref="ItemLines"/>' checks (sizes, count, SHA-256). Any mismatch
/// throws ArchiveCorrupt, at the item where it is found; a restore that reads through this inside its transaction
/// therefore rolls back before anything becomes visible.
/// <para>The entry is read ahead on a thread of its own: inflating, hashing and parsing the next items run while
/// the caller writes the ones before into the site, so that on two cores the two overlap. Items travel in batches
/// (at most <see cref="BatchItems"/> items or about <see cref="BatchBytes"/> bytes each, a line longer than
/// <see cref="LargeLine"/> in a batch of its own; <see cref="BatchesAhead"/> batches and <see cref="MaxAheadBytes"/>
/// ahead, or one batch whatever its size), so memory stays flat however large the collection: with items larger than
/// that, two are held at once, the caller's and the next.</para>
/// <para>The reader owns the documents: the batches the caller is done with go back to the read-ahead, which disposes
/// their documents and reuses their arrays on its own thread. Pooled arrays rented on one thread and returned on
/// another mostly miss the pool (in a trace of a PostgreSQL restore, documents disposed by the writing thread took
/// almost as many samples as parsing them, and the garbage collections they caused twice as many as now).</para>
/// </summary>
public sealed class ItemReader : IDisposable
{
    private const int BatchItems = 1024;
    private const int BatchBytes = 256 * 1024;
    private const int BatchesAhead = 4;
    private const int LargeLine = BatchBytes / 4;
    private const long MaxAheadBytes = 16 * 1024 * 1024;
    // Deep enough for any value a site keeps (a PostgreSQL json value nests as deep as its server's stack allows,
    // thousands of levels): the reader keeps its nesting on the heap, so depth costs memory, not the stack.
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 100_000 };

    private readonly ItemLines _lines;
    private readonly ManifestCollection _expected;
    private readonly Action<long, long>? _onProgress;
    private long _nextProgressTick;
    private readonly BlockingCollection<Batch> _ahead = new(BatchesAhead);
    private readonly ConcurrentQueue<Batch> _spent = new();
    private readonly CancellationTokenSource _stop = new();
    // Bytes of the batches handed on and not yet given back, and a signal for each one given back.
    private long _aheadBytes;
    private readonly SemaphoreSlim _returned = new(0);
    private Task? _readAhead;
    // Set by the read-ahead when reading failed, before it hands the failure on: it is never lost to a stop.
    private volatile ExceptionDispatchInfo? _failure;
    private Batch? _current;
    private int _next;
    private bool _checked;
    private ExceptionDispatchInfo? _checkFailure;
    private bool _disposed;

    internal ItemReader(Stream entry, ManifestCollection expected, Action<long, long>? onProgress = null)
    {
        _lines = new ItemLines(entry, expected);
        _expected = expected;
        _onProgress = onProgress;
    }

    public ManifestCollection Collection => _expected;

    /// <summary>The items returned so far.</summary>
    public long ItemCount { get; private set; }

    /// <summary>The entry's (uncompressed) bytes read so far, up to the batch of the last item returned.</summary>
    public long ByteCount { get; private set; }

    /// <summary>The next item (a JSON object), or null after the last one (once the entry has been checked whole).
    /// The item is valid until the next call (or <see cref="CheckRest"/>, or <see cref="Dispose"/>): its document is
    /// disposed and its bytes go back to a pool then.</summary>
    public JsonElement? Read()
    {
        _checkFailure?.Throw();
        if (_checked) return null;
        while (_current is null || _next == _current.Count)
        {
            if (_current is { } done)
            {
                done.Error?.Throw();
                if (done.End) return null;
                _current = null;
                Interlocked.Add(ref _aheadBytes, -done.Size);
                _spent.Enqueue(done);
                _returned.Release();
            }
            _readAhead ??= Task.Factory.StartNew(ReadAhead, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (!_ahead.TryTake(out _current, Timeout.Infinite))
            {
                // The read-ahead hands on the entry's end or its failure before it stops; ending without either is a bug.
                _failure?.Throw();
                throw new InvalidOperationException($"The read-ahead of collection '{_expected.Id}' ended before the entry did.");
            }
            _next = 0;
            ByteCount = _current.ByteCount;
        }

        ItemCount++;
        if (_onProgress is not null && (ItemCount & 255) == 0 && Environment.TickCount64 >= _nextProgressTick)
        {
            _nextProgressTick = Environment.TickCount64 + 250;
            _onProgress(ItemCount, ByteCount);
        }
        return _current.Documents[_next++].RootElement;
    }

    /// <summary>Reads what is left of the entry only to check it. A restore calls this when an item was refused
    /// (a column the table lacks, say): if the entry is damaged, that is the error to report, not the symptom.</summary>
    public void CheckRest()
    {
        _checkFailure?.Throw();
        if (_checked) return;
        try
        {
            StopReadAhead();
            // Damage the read-ahead found is the answer; otherwise the lines go on, without parsing, from where it
            // stopped (at their end, they have been checked whole already). Any other failure of the read-ahead
            // (memory, say) was in parsing an item, after its line: the lines are whole.
            if (_failure?.SourceException is Errors.BackupException { Error: Errors.BackupError.ArchiveCorrupt }) _failure.Throw();
            ReleaseAll();
            _lines.CheckRest();
            ItemCount = _lines.Count;
            ByteCount = _lines.ByteCount;
            _checked = true;
        }
        catch (Exception e)
        {
            _checkFailure = ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    /// <summary>The read-ahead: lines into checked, parsed items, in batches, until the entry ends, reading fails,
    /// or the reader stops it. It never throws: a failure goes to the caller in order, after the items before it.</summary>
    private void ReadAhead()
    {
        var token = _stop.Token;
        Batch? batch = null;
        try
        {
            batch = NextBatch();
            while (true)
            {
                token.ThrowIfCancellationRequested();
                if (_lines.Next() is not { } line)
                {
                    batch.End = true;
                    break;
                }
                bool large = line.Length > LargeLine;
                if (batch.Count > 0 && (batch.Count == BatchItems || large || !batch.Fits(line.Length)))
                    batch = PublishAndRenew(batch, token);
                // A large line keeps the array it was read into, in a batch of its own; the others are copied.
                var kept = large ? batch.Keep(_lines.Detach(), line) : batch.Copy(line);
                batch.Add(Parse(kept, _lines.Count), line.Length);
                if (large) batch = PublishAndRenew(batch, token);
            }
            Publish(batch, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped: what was not handed on was released by Publish, or is released here.
            batch?.Release();
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            try
            {
                batch ??= new Batch();
                batch.Error = _failure;
                Publish(batch, token);
            }
            catch (OperationCanceledException)
            {
                // Stopped meanwhile: CheckRest and Dispose read _failure.
            }
        }
        finally
        {
            _ahead.CompleteAdding();
        }
    }

    /// <summary>A batch the caller is done with, its documents disposed and its arrays returned here, or a new one.</summary>
    private Batch NextBatch()
    {
        Batch? reused = null;
        while (_spent.TryDequeue(out var spent))
        {
            spent.Release();
            reused = spent;
        }
        return reused ?? new Batch();
    }

    private Batch PublishAndRenew(Batch batch, CancellationToken token)
    {
        Publish(batch, token);
        return NextBatch();
    }

    /// <summary>Hands a batch on, once the batches ahead leave room for it (or none is ahead); a batch not handed on
    /// because the reader stopped is released.</summary>
    private void Publish(Batch batch, CancellationToken token)
    {
        batch.ByteCount = _lines.ByteCount;
        try
        {
            long size = batch.Size;
            while (Interlocked.Read(ref _aheadBytes) is > 0 and var ahead && ahead + size > MaxAheadBytes) _returned.Wait(token);
            Interlocked.Add(ref _aheadBytes, size);
            _ahead.Add(batch, token);
        }
        catch (OperationCanceledException)
        {
            batch.Release();
            throw;
        }
    }

    private JsonDocument Parse(ReadOnlyMemory<byte> line, long number)
    {
        if (!Utf8.IsValid(line.Span))
            throw _lines.Corrupt($"item {number} is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, ParseOptions);
        }
        catch (JsonException e)
        {
            throw _lines.Corrupt($"item {number} is not valid JSON ({e.Message})");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw _lines.Corrupt($"item {number} is not a JSON object");
        }
        return document;
    }

    /// <summary>Stops the read-ahead and waits for it, so that nothing else reads the entry.</summary>
    private void StopReadAhead()
    {
        if (_readAhead is null) return;
        _stop.Cancel();
        _readAhead.Wait(); // never faults: ReadAhead catches everything
    }

    /// <summary>Once the read-ahead has stopped: every batch's documents disposed and arrays returned.</summary>
    private void ReleaseAll()
    {
        _current?.Release();
        _current = null;
        while (_ahead.TryTake(out var queued)) queued.Release();
        while (_spent.TryDequeue(out var spent)) spent.Release();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        StopReadAhead();
        ReleaseAll();
        _lines.Dispose();
        _ahead.Dispose();
        _stop.Dispose();
        _returned.Dispose();
    }

    /// <summary>Items parsed ahead, the pooled arrays their bytes are in, and how the entry went on after them;
    /// released, it is empty and can be filled again.</summary>
    private sealed class Batch
    {
        // Kept arrays longer than this go to the garbage collector rather than back to the shared pool, which
        // would hold on to them.
        private const int PooledMax = 1024 * 1024;
        private byte[]? _buffer;
        private int _used;
        private byte[]? _kept; // a large line's own array: such a line is alone in its batch
        private long _lineBytes;

        public JsonDocument[] Documents { get; } = new JsonDocument[BatchItems];
        public int Count { get; private set; }

        /// <summary>The entry's bytes read when the batch was handed on.</summary>
        public long ByteCount { get; set; }

        /// <summary>The entry ends after these items (and has been checked whole).</summary>
        public bool End { get; set; }

        /// <summary>Reading failed after these items.</summary>
        public ExceptionDispatchInfo? Error { get; set; }

        public bool Fits(int length) => _buffer is null || _used + length <= _buffer.Length;

        /// <summary>About the memory the batch holds: its arrays, and its documents' metadata (about a line's length
        /// each).</summary>
        public long Size => (_buffer?.Length ?? 0) + (_kept?.Length ?? 0) + _lineBytes;

        public ReadOnlyMemory<byte> Copy(ReadOnlyMemory<byte> line)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(BatchBytes);
            line.Span.CopyTo(_buffer.AsSpan(_used));
            var copy = new ReadOnlyMemory<byte>(_buffer, _used, line.Length);
            _used += line.Length;
            return copy;
        }

        public ReadOnlyMemory<byte> Keep(byte[] array, ReadOnlyMemory<byte> line)
        {
            _kept = array;
            return line;
        }

        public void Add(JsonDocument document, int lineLength)
        {
            Documents[Count++] = document;
            _lineBytes += lineLength;
        }

        /// <summary>Disposes the documents and gives the arrays back.</summary>
        public void Release()
        {
            for (int i = 0; i < Count; i++) Documents[i].Dispose();
            Array.Clear(Documents, 0, Count);
            Count = 0;
            _used = 0;
            _lineBytes = 0;
            ByteCount = 0;
            End = false;
            Error = null;
            if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            if (_kept is { Length: <= PooledMax }) ArrayPool<byte>.Shared.Return(_kept);
            _kept = null;
        }
    }
}
