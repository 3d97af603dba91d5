using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;

namespace SiteBackup.Engine.Stores.Folder;

/// <summary>
/// A store in a local (or mounted) folder:
/// <code>
/// archives/&lt;id&gt;.zip            one archive per Ready backup (written as &lt;id&gt;.zip.partial, then renamed)
/// backups/&lt;id&gt;.json           one record per backup, whatever its status
/// restorations/&lt;id&gt;.json      one record per restoration
/// retention.json               the store's retention limits (absent: the defaults)
/// store.lock                   the lock file
/// running/&lt;id&gt;.lock          held by the process working on a Pending backup or restoration
/// </code>
/// Every file is replaced by writing a temporary file and renaming it over the old one, which is atomic on
/// POSIX file systems and on NTFS; a reader sees the old file or the new one, never half of one.
/// </summary>
internal sealed class FolderStore : IBackupStore
{
    private const string ArchivesFolder = "archives";
    private const string BackupsFolder = "backups";
    private const string RestorationsFolder = "restorations";
    private const string RetentionFile = "retention.json";
    private const string LockFile = "store.lock";
    private const string RunningFolder = "running";
    private const string PartialSuffix = ".partial";

    private readonly string _root;

    public FolderStore(string location)
    {
        try
        {
            _root = Path.GetFullPath(location);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new BackupException(BackupError.InvalidArgument, $"'{location}' is not a valid store folder path.", location, e);
        }
        // Told apart here, for every command alike: otherwise listing would call it a missing store, and a backup
        // would fail later on a folder it cannot create.
        if (File.Exists(_root))
            throw new BackupException(BackupError.InvalidArgument, $"'{_root}' is a file, not a store folder.", _root);
        for (string? above = Path.GetDirectoryName(_root); above is not null && !Directory.Exists(above); above = Path.GetDirectoryName(above))
        {
            if (File.Exists(above))
                throw new BackupException(BackupError.InvalidArgument, $"'{above}' is a file, so '{_root}' cannot be a store folder.", _root);
        }
    }

    public string Location => _root;

    public bool Exists => Directory.Exists(_root);

    public IDisposable Lock(TimeSpan timeout, CancellationToken cancellationToken)
    {
        EnsureFolder(_root);
        return FolderStoreLock.Acquire(Path.Combine(_root, LockFile), timeout, cancellationToken);
    }

    public IDisposable HoldOperation(string id)
    {
        string folder = Path.Combine(_root, RunningFolder);
        EnsureFolder(folder);
        string path = Path.Combine(folder, CheckId(id) + ".lock");
        try
        {
            return FolderStoreLock.Hold(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotWrite(path, e);
        }
    }

    public bool IsOperationRunning(string id) =>
        IsSafeId(id) && FolderStoreLock.IsHeld(Path.Combine(_root, RunningFolder, id + ".lock"));

    public RetentionPolicy ReadRetention() =>
        (ReadJson(Path.Combine(_root, RetentionFile), EngineJson.Default.RetentionPolicy) ?? RetentionPolicy.Default) with { Store = _root };

    public void WriteRetention(RetentionPolicy policy) =>
        WriteJson(Path.Combine(_root, RetentionFile), policy, EngineJson.Default.RetentionPolicy);

    public IReadOnlyList<BackupRecord> ListBackups() =>
        ReadAll(BackupsFolder, EngineJson.Default.BackupRecord).Select(b => b with { Store = _root }).ToList();

    public BackupRecord? FindBackup(string id) =>
        IsSafeId(id)
            ? ReadJson(RecordPath(BackupsFolder, id), EngineJson.Default.BackupRecord) is { } b ? b with { Store = _root } : null
            : null;

    public void SaveBackup(BackupRecord backup) =>
        WriteJson(RecordPath(BackupsFolder, CheckId(backup.Id)), backup, EngineJson.Default.BackupRecord);

    public void DeleteBackupRecord(string id)
    {
        string path = RecordPath(BackupsFolder, CheckId(id));
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotWrite(path, e);
        }
    }

    public IReadOnlyList<RestorationRecord> ListRestorations() =>
        ReadAll(RestorationsFolder, EngineJson.Default.RestorationRecord)
            .Select(r => r with { Store = _root, Backup = r.Backup with { Store = _root } }).ToList();

    public RestorationRecord? FindRestoration(string id) =>
        IsSafeId(id) && ReadJson(RecordPath(RestorationsFolder, id), EngineJson.Default.RestorationRecord) is { } r
            ? r with { Store = _root, Backup = r.Backup with { Store = _root } }
            : null;

    public void SaveRestoration(RestorationRecord restoration) =>
        WriteJson(RecordPath(RestorationsFolder, CheckId(restoration.Id)), restoration, EngineJson.Default.RestorationRecord);

    public IArchiveUpload BeginArchive(string id)
    {
        string final = ArchivePath(CheckId(id));
        EnsureFolder(Path.GetDirectoryName(final)!);
        try
        {
            return new FolderArchiveUpload(final + PartialSuffix, final);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotWrite(final, e);
        }
    }

    public Stream OpenArchive(string id)
    {
        try
        {
            // FileShare.Delete: a concurrent Remove-SiteBackup may delete the file; this reader keeps its handle.
            return new FileStream(ArchivePath(CheckId(id)), FileMode.Open, FileAccess.Read,
                FileShare.Read | FileShare.Delete, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackupException(BackupError.BackupNotFound, $"The archive of backup '{id}' is missing from the store '{_root}'.", id, e);
        }
    }

    public void DeleteArchive(string id)
    {
        string path = ArchivePath(CheckId(id));
        if (!Directory.Exists(Path.GetDirectoryName(path))) return;
        try
        {
            File.Delete(path);
            File.Delete(path + PartialSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotWrite(path, e);
        }
    }

    public IReadOnlyList<string> ListArchiveIds()
    {
        string folder = Path.Combine(_root, ArchivesFolder);
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*" + ArchiveFormat.FileExtension)
            .Select(f => Path.GetFileName(f)[..^ArchiveFormat.FileExtension.Length])
            .Where(IsSafeId).ToList();
    }

    private string ArchivePath(string id) => Path.Combine(_root, ArchivesFolder, id + ArchiveFormat.FileExtension);

    private string RecordPath(string folder, string id) => Path.Combine(_root, folder, id + ".json");

    /// <summary>Ids become file names, so only plain ids are accepted (engine ids are GUIDs).</summary>
    internal static bool IsSafeId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static string CheckId(string id) =>
        IsSafeId(id) ? id : throw new BackupException(BackupError.InvalidArgument, $"'{id}' is not a valid backup id.", id);

    private List<T> ReadAll<T>(string folder, JsonTypeInfo<T> type) where T : class
    {
        string path = Path.Combine(_root, folder);
        if (!Directory.Exists(path)) return [];
        var records = new List<T>();
        foreach (string file in Directory.EnumerateFiles(path, "*.json"))
        {
            if (ReadJson(file, type) is { } record) records.Add(record);
        }
        return records;
    }

    /// <summary>Reads one JSON file; null when it is missing or unreadable. Files are only ever replaced whole, so
    /// an unreadable one was damaged from outside, and listing goes on without it.</summary>
    private static T? ReadJson<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return JsonSerializer.Deserialize(stream, type);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    private static void WriteJson<T>(string path, T value, JsonTypeInfo<T> type)
    {
        string folder = Path.GetDirectoryName(path)!;
        EnsureFolder(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, value, type);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw CannotWrite(path, e);
        }
    }

    /// <summary>A store that cannot be written (read-only, full, no permission) fails the operation at once:
    /// waiting or retrying would not help.</summary>
    private static StoreNotWritableException CannotWrite(string path, Exception e) =>
        new(BackupError.OperationFailed, $"The store cannot be written ({path}): {e.Message}", path, e);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the original error matters more */ }
    }

    private static void EnsureFolder(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreNotWritableException(BackupError.OperationFailed, $"The store folder '{path}' cannot be created: {e.Message}", path, e);
        }
    }
}
