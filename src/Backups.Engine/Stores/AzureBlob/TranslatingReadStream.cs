namespace SiteBackup.Engine.Stores.AzureBlob;

/// <summary>An archive being read from a blob, whose reads are requests too: a failure of one (the network, a token
/// that ended) is translated as every other call to the store is, instead of reaching the caller as the SDK's.</summary>
internal sealed class TranslatingReadStream(Stream inner, Func<Exception, Exception> translate) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => Call(() => inner.Length);

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Call(() => inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception e) when (AzureBlobStore.IsFailure(e))
        {
            throw translate(e);
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => Call(() => inner.Seek(offset, origin));

    private T Call<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (AzureBlobStore.IsFailure(e))
        {
            throw translate(e);
        }
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
