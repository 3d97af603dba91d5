using System.Text;
using Azure.Storage.Blobs.Specialized;

namespace SiteBackup.Engine.Stores.AzureBlob;

/// <summary>
/// An archive written straight into a block blob: each full block (4 MB) is staged as it fills, so neither the
/// whole archive nor a local copy is ever held, and the blob exists only once <see cref="Commit"/> commits the block
/// list. Staged blocks that are never committed do not list as a blob, and Azure discards them within a week.
/// </summary>
internal sealed class BlockUpload : Stream, IArchiveUpload
{
    private readonly BlockBlobClient _blob;
    private readonly byte[] _block;
    private readonly List<string> _ids = [];
    private readonly Func<Exception, Exception> _translate;
    private int _filled;
    private long _length;
    private bool _committed;

    public BlockUpload(BlockBlobClient blob, int blockSize, Func<Exception, Exception> translate)
    {
        _blob = blob;
        _block = new byte[blockSize];
        _translate = translate;
    }

    public Stream Stream => this;

    public long Commit()
    {
        StageBlock();
        try
        {
            _blob.CommitBlockList(_ids);
        }
        catch (Exception e) when (AzureBlobStore.IsFailure(e))
        {
            throw _translate(e);
        }
        _committed = true;
        return _length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        while (!buffer.IsEmpty)
        {
            int take = Math.Min(buffer.Length, _block.Length - _filled);
            buffer[..take].CopyTo(_block.AsSpan(_filled));
            _filled += take;
            _length += take;
            buffer = buffer[take..];
            if (_filled == _block.Length) StageBlock();
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    private void StageBlock()
    {
        if (_filled == 0) return;
        // Block ids: base64 of the same length for every block of a blob, as Azure requires.
        string id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_ids.Count.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)));
        try
        {
            using var content = new MemoryStream(_block, 0, _filled, writable: false);
            _blob.StageBlock(id, content);
        }
        catch (Exception e) when (AzureBlobStore.IsFailure(e))
        {
            throw _translate(e);
        }
        _ids.Add(id);
        _filled = 0;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_committed;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { /* blocks are staged when full; the rest on Commit */ }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
