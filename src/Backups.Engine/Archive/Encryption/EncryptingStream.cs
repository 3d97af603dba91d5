using System.Security.Cryptography;

namespace SiteBackup.Engine.Archive.Encryption;

/// <summary>
/// Seals what is written to it into the target stream as it streams: the header, then AES-256-GCM chunks
/// of <see cref="EncryptionHeader.ChunkSize"/> plaintext bytes, each followed by its 16-byte tag, the last one
/// (shorter, full, or empty when nothing was written) marked as last in its nonce. Memory stays at two chunks whatever the archive's size.
/// <see cref="Complete"/> writes the last chunk; an archive whose writer never completes ends without it and does
/// not open.
/// </summary>
internal sealed class EncryptingStream : WriteOnlyStream
{
    public const int TagSize = 16;

    private readonly Stream _target;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly byte[] _plain;
    private readonly byte[] _sealed;
    private int _filled;
    private long _index;
    private long _written;
    private bool _completed;

    public EncryptingStream(Stream target, EncryptionHeader header, byte[] contentKey)
    {
        _target = target;
        _aes = new AesGcm(contentKey, TagSize);
        CryptographicOperations.ZeroMemory(contentKey);
        _header = header.ToBytes();
        _plain = new byte[header.ChunkSize];
        _sealed = new byte[header.ChunkSize + TagSize];
        _target.Write(_header);
    }

    public override bool CanWrite => !_completed;
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!buffer.IsEmpty)
        {
            // A full chunk is sealed only when more follows, so that the last chunk is always the one marked last.
            if (_filled == _plain.Length) Seal(last: false);
            int take = Math.Min(buffer.Length, _plain.Length - _filled);
            buffer[..take].CopyTo(_plain.AsSpan(_filled));
            _filled += take;
            _written += take;
            buffer = buffer[take..];
        }
    }

    /// <summary>Seals the last chunk. Nothing can be written after it.</summary>
    public void Complete()
    {
        if (_completed) return;
        Seal(last: true);
        _completed = true;
        _target.Flush();
    }

    private void Seal(bool last)
    {
        Span<byte> nonce = stackalloc byte[12];
        EncryptionHeader.Nonce(_index, last, nonce);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _sealed.AsSpan(0, _filled), _sealed.AsSpan(_filled, TagSize), _header);
        _target.Write(_sealed, 0, _filled + TagSize);
        _index++;
        _filled = 0;
    }

    // Flush does nothing (WriteOnlyStream's): chunks are written whole, when sealed.

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
        }
        _completed = true;
        base.Dispose(disposing);
    }
}
