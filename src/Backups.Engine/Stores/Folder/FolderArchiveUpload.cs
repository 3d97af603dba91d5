namespace SiteBackup.Engine.Stores.Folder;

/// <summary>An archive written to a temporary file beside its final name and renamed into place on commit.</summary>
internal sealed class FolderArchiveUpload : IArchiveUpload
{
    private readonly string _temporary;
    private readonly string _final;
    private readonly FileStream _stream;
    private bool _committed;

    public FolderArchiveUpload(string temporary, string final)
    {
        _temporary = temporary;
        _final = final;
        _stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16);
    }

    public Stream Stream => _stream;

    public long Commit()
    {
        _stream.Flush(flushToDisk: true);
        long size = _stream.Length;
        _stream.Dispose();
        File.Move(_temporary, _final, overwrite: false);
        _committed = true;
        return size;
    }

    public void Dispose()
    {
        try
        {
            _stream.Dispose(); // flushing what is left can fail on a full disk, too
        }
        catch (IOException) when (!_committed)
        {
            // Abandoning the upload anyway.
        }
        if (_committed) return;
        try
        {
            File.Delete(_temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next backup's recovery of abandoned work; the error being reported matters more.
        }
    }
}
