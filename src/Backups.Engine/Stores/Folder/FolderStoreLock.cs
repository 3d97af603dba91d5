using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Stores.Folder;

/// <summary>
/// Lock files: the store lock, and one per running operation. A lock file is held open with FileShare.None. On Windows that is a mandatory share lock; on Linux
/// and macOS .NET takes an advisory flock() on it, which every SiteBackup process honours. Either way the
/// operating system drops the lock when the holder's process dies, so a killed process never leaves a stale lock.
/// </summary>
internal static class FolderStoreLock
{
    /// <summary>Holds <paramref name="path"/> at once (the caller just made the name up, so nobody else holds it);
    /// the file is removed when released.</summary>
    public static IDisposable Hold(string path) =>
        new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);

    /// <summary>True when a live process holds <paramref name="path"/>; a file left by a dead one is not held.</summary>
    public static bool IsHeld(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            return false;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException e) when (IsHeldByAnother(e))
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // unreadable (a read-only store, say): nobody can be working there either
        }
    }

    public static IDisposable Acquire(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        int wait = 10;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException e) when (IsHeldByAnother(e) && DateTime.UtcNow < deadline)
            {
                // Held by another process: wait a little longer each time, up to a quarter second.
                cancellationToken.WaitHandle.WaitOne(wait);
                wait = Math.Min(wait * 2, 250);
            }
            catch (IOException e) when (IsHeldByAnother(e))
            {
                throw new BackupException(BackupError.StoreLocked,
                    $"The store is locked by another SiteBackup operation and stayed locked for {timeout.TotalSeconds:0.#} s ({path}).",
                    path, e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only or full file system, missing permissions: waiting will not help.
                throw new StoreNotWritableException(BackupError.OperationFailed, $"The store cannot be written: {e.Message}", path, e);
            }
        }
    }

    /// <summary>
    /// True when opening failed only because another process holds the file. Windows reports a sharing or lock
    /// violation (32, 33); Linux and macOS report flock()'s EWOULDBLOCK (11 on Linux, 35 on macOS) as the HResult.
    /// </summary>
    private static bool IsHeldByAnother(IOException e) => (e.HResult & 0xFFFF) is 11 or 32 or 33 or 35;
}
