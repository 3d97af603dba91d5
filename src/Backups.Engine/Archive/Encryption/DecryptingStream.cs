using System.Security.Cryptography;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Archive.Encryption;

/// <summary>
/// Reads an encrypted archive as the zip it holds, seekably (a zip is read from its end), opening one chunk at a time
/// and checking its tag before any of its bytes are handed out. The last chunk is checked when the stream is opened,
/// so an archive that was cut short, lost a chunk or had chunks moved is refused before anything reads it; every
/// other chunk is checked when first read.
/// </summary>
internal sealed class DecryptingStream : Stream
{
    private readonly Stream _source;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly string _backupId;
    private readonly int _chunkSize;
    private readonly long _chunks;
    private readonly long _length;
    private readonly byte[] _sealed;
    private readonly byte[] _plain;
    private long _loaded = -1;
    private int _loadedLength;
    private long _position;

    private DecryptingStream(Stream source, EncryptionHeader header, byte[] contentKey, string backupId)
    {
        _source = source;
        _header = header.ToBytes();
        _backupId = backupId;
        _chunkSize = header.ChunkSize;
        _sealed = new byte[_chunkSize + EncryptingStream.TagSize];
        _plain = new byte[_chunkSize];
        long body = source.Length - EncryptionHeader.Size;
        long stride = _chunkSize + EncryptingStream.TagSize;
        _chunks = body <= 0 ? 0 : (body + stride - 1) / stride;
        long lastSealed = body - (_chunks - 1) * stride;
        _length = body - _chunks * EncryptingStream.TagSize;
        _aes = new AesGcm(contentKey, EncryptingStream.TagSize);
        CryptographicOperations.ZeroMemory(contentKey);
        try
        {
            if (_chunks == 0 || lastSealed < EncryptingStream.TagSize)
                throw Corrupt("it ends before its first chunk's tag (cut short)");
            Load(_chunks - 1);
        }
        catch
        {
            _aes.Dispose();
            throw;
        }
    }

    /// <summary>Reads the header of <paramref name="source"/> (seekable, at its start).</summary>
    public static EncryptionHeader ReadHeader(Stream source, string backupId)
    {
        var bytes = new byte[EncryptionHeader.Size];
        source.Position = 0;
        source.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        var (header, problem) = EncryptionHeader.Parse(bytes);
        return header ?? throw ArchiveReader.Corrupt(backupId, problem!);
    }

    /// <summary>Opens <paramref name="source"/> with <paramref name="key"/>: EncryptionKeyMismatch when it is not the
    /// archive's key, ArchiveCorrupt when the archive does not hold together. A header whose key id is not
    /// <paramref name="recorded"/> (the record's), or whose passphrase stretching is not, is damage, not a wrong key.</summary>
    public static DecryptingStream Open(Stream source, ArchiveKey key, string backupId, Model.BackupEncryption recorded)
    {
        var header = ReadHeader(source, backupId);
        if (header.Disagreement(recorded) is { } differs)
            throw ArchiveReader.Corrupt(backupId, $"the encrypted archive is not sound: {differs}");
        byte[] contentKey = header.Unlock(key)
            ?? throw new BackupException(BackupError.EncryptionKeyMismatch,
                $"Backup '{backupId}' was encrypted with another {(header.Passphrase ? EncryptionKinds.Passphrase : EncryptionKinds.RawKey)} (key id {header.KeyIdText}); the key given is not it.", backupId);
        return new DecryptingStream(source, header, contentKey, backupId);
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => _length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int total = 0;
        while (!buffer.IsEmpty && _position < _length)
        {
            long chunk = _position / _chunkSize;
            if (chunk != _loaded) Load(chunk);
            int at = (int)(_position - chunk * _chunkSize);
            int take = Math.Min(buffer.Length, _loadedLength - at);
            _plain.AsSpan(at, take).CopyTo(buffer);
            buffer = buffer[take..];
            _position += take;
            total += take;
        }
        return total;
    }

    private void Load(long chunk)
    {
        bool last = chunk == _chunks - 1;
        int plainLength = last ? (int)(_length - chunk * _chunkSize) : _chunkSize;
        int sealedLength = plainLength + EncryptingStream.TagSize;
        _source.Position = EncryptionHeader.Size + chunk * (_chunkSize + (long)EncryptingStream.TagSize);
        if (_source.ReadAtLeast(_sealed.AsSpan(0, sealedLength), sealedLength, throwOnEndOfStream: false) != sealedLength)
            throw Corrupt($"chunk {chunk} is cut short");
        Span<byte> nonce = stackalloc byte[12];
        EncryptionHeader.Nonce(chunk, last, nonce);
        try
        {
            _aes.Decrypt(nonce, _sealed.AsSpan(0, plainLength), _sealed.AsSpan(plainLength, EncryptingStream.TagSize), _plain.AsSpan(0, plainLength), _header);
        }
        catch (AuthenticationTagMismatchException)
        {
            _loaded = -1;
            throw Corrupt(last
                ? $"its last chunk ({chunk}) does not authenticate: the archive was cut short, lost or gained a chunk, or was changed"
                : $"chunk {chunk} does not authenticate: it was changed, moved, or comes from another archive");
        }
        _loaded = chunk;
        _loadedLength = plainLength;
    }

    private BackupException Corrupt(string why) => ArchiveReader.Corrupt(_backupId, $"the encrypted archive is not sound: {why}");

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
            _source.Dispose();
        }
        base.Dispose(disposing);
    }
}
