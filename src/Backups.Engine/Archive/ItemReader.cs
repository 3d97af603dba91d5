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
/// (at most <see cref="BatchItems"/> items or about <see cref="BatchBytes"/> bytes each, and
/// <see cref="BatchesAhead"/> batches ahead), so memory stays flat however large the collection. The reader owns
/// the documents: the batches the caller is done with go back to the read-ahead, which disposes their documents and
/// reuses their arrays on its own thread: pooled arrays rented on one thread and returned on another mostly miss the
/// pool (in a trace of a PostgreSQL restore, documents disposed by the writing thread took almost as many samples as
/// parsing them, and the garbage collections they caused twice as many as now).</para>
/// </summary>
public sealed class ItemReader : IDisposable
{
    private const int BatchItems = 1024;
    private const int BatchBytes = 256 * 1024;
    private const int BatchesAhead = 4;
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
    private Task? _readAhead;
    // Set by the read-ahead when reading failed, before it hands the failure on: it is never lost to a stop.
    private volatile ExceptionDispatchInfo? _failure;
    private Batch? _current;
    private int _next;
    private bool _checked;

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
    /// The item is valid until the next call: its document is disposed and its bytes go back to a pool then.</summary>
    public JsonElement? Read()
    {
        if (_checked) return null;
        while (_current is null || _next == _current.Count)
        {
            if (_current is { } done)
            {
                done.Error?.Throw();
                if (done.End) return null;
                _spent.Enqueue(done);
                _current = null;
            }
            _readAhead ??= Task.Factory.StartNew(ReadAhead, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            _current = _ahead.Take();
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
        if (_checked) return;
        _checked = true;
        StopReadAhead();
        // A failure the read-ahead found is the answer; otherwise the lines go on, without parsing, from where it
        // stopped (at their end, they have been checked whole already).
        _failure?.Throw();
        ReleaseAll();
        _lines.CheckRest();
        ItemCount = _lines.Count;
        ByteCount = _lines.ByteCount;
    }

    /// <summary>The read-ahead: lines into checked, parsed items, in batches, until the entry ends, reading fails,
    /// or the reader stops it.</summary>
    private void ReadAhead()
    {
        var token = _stop.Token;
        var batch = NextBatch();
        try
        {
            while (true)
            {
                token.ThrowIfCancellationRequested();
                if (_lines.Next() is not { } line)
                {
                    batch.End = true;
                    break;
                }
                bool large = line.Length > BatchBytes / 4;
                if (batch.Count == BatchItems || (!large && !batch.Fits(line.Length)))
                {
                    Publish(batch, token);
                    batch = NextBatch();
                }
                // A large line keeps the array it was read into; the others are copied into the batch's.
                var kept = large ? batch.Keep(_lines.Detach(), line) : batch.Copy(line);
                batch.Add(Parse(kept, _lines.Count));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            batch.Release();
            return;
        }
        catch (Exception e)
        {
            batch.Error = _failure = ExceptionDispatchInfo.Capture(e);
        }
        try
        {
            Publish(batch, token);
        }
        catch (OperationCanceledException)
        {
            batch.Release();
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

    private void Publish(Batch batch, CancellationToken token)
    {
        batch.ByteCount = _lines.ByteCount;
        _ahead.Add(batch, token);
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
        _readAhead.Wait();
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
        StopReadAhead();
        ReleaseAll();
        _lines.Dispose();
        _ahead.Dispose();
        _stop.Dispose();
    }

    /// <summary>Items parsed ahead, the pooled arrays their bytes are in, and how the entry went on after them;
    /// released, it is empty and can be filled again.</summary>
    private sealed class Batch
    {
        private byte[]? _buffer;
        private int _used;
        private List<byte[]>? _kept;

        public JsonDocument[] Documents { get; } = new JsonDocument[BatchItems];
        public int Count { get; private set; }

        /// <summary>The entry's bytes read when the batch was handed on.</summary>
        public long ByteCount { get; set; }

        /// <summary>The entry ends after these items (and has been checked whole).</summary>
        public bool End { get; set; }

        /// <summary>Reading failed after these items.</summary>
        public ExceptionDispatchInfo? Error { get; set; }

        public bool Fits(int length) => _buffer is null || _used + length <= _buffer.Length;

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
            (_kept ??= []).Add(array);
            return line;
        }

        public void Add(JsonDocument document) => Documents[Count++] = document;

        /// <summary>Disposes the documents and gives the arrays back.</summary>
        public void Release()
        {
            for (int i = 0; i < Count; i++) Documents[i].Dispose();
            Array.Clear(Documents, 0, Count);
            Count = 0;
            _used = 0;
            ByteCount = 0;
            End = false;
            Error = null;
            if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            foreach (var array in _kept ?? []) ArrayPool<byte>.Shared.Return(array);
            _kept = null;
        }
    }
}
