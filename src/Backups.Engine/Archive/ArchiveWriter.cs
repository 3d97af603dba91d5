using System.IO.Compression;
using System.Text.Json;
using SiteBackup.Engine.Archive.Zip;

namespace SiteBackup.Engine.Archive;

/// <summary>
/// Writes an archive: one entry per collection, then the manifest that accounts for them. The output stream is
/// the store's temporary upload; the store makes it visible only after <see cref="Complete"/>. The zip is written
/// front to back by <see cref="ZipWriter"/>, each entry deflated in blocks on several processors at once.
/// </summary>
public sealed class ArchiveWriter : IDisposable
{
    private readonly ZipWriter _zip;
    private readonly int _level;
    private readonly List<ManifestCollection> _collections = [];
    private ItemWriter? _items;
    private (string Id, string DisplayName, string Entry, CollectionLayout Layout) _current;
    private ManifestEntry? _definitions;

    public ArchiveWriter(Stream output, CompressionLevel level = CompressionLevel.Optimal)
    {
        _zip = new ZipWriter(output);
        _level = BlockDeflateStream.ZlibLevel(level);
    }

    public IReadOnlyList<ManifestCollection> Collections => _collections;

    /// <summary>Starts the next collection's entry; the returned writer is valid until <see cref="EndCollection"/>.</summary>
    /// <param name="id">The collection's id.</param>
    /// <param name="displayName">Its name as the site shows it.</param>
    /// <param name="layout">How its items are laid out, for the manifest (null: one item a row).</param>
    /// <param name="onProgress">Called with the items and bytes written so far, at most a few times a second.</param>
    public ItemWriter BeginCollection(string id, string displayName, CollectionLayout? layout = null, Action<long, long>? onProgress = null)
    {
        if (_items is not null) throw new InvalidOperationException("The previous collection was not ended.");
        string entry = ArchiveFormat.CollectionEntryName(_collections.Count);
        // Classic local headers, as System.IO.Compression and Java write them: readers that stream a zip and know only
        // 4-byte descriptor sizes (Java before 21, funzip) read every entry under 4 GiB; a ZIP64 local header would
        // let bsdtar from a pipe read an entry past 4 GiB too, but would lose those readers for every archive.
        _items = new ItemWriter(_zip.BeginEntry(entry, _level, mayPass4GiB: false), onProgress);
        _current = (id, displayName, entry, layout ?? CollectionLayout.Rows);
        return _items;
    }

    public ManifestCollection EndCollection()
    {
        var items = _items ?? throw new InvalidOperationException("No collection was begun.");
        string sha256 = items.Finish();
        _zip.EndEntry();
        var collection = new ManifestCollection
        {
            Id = _current.Id,
            DisplayName = _current.DisplayName,
            Entry = _current.Entry,
            ItemCount = items.ItemCount,
            ByteCount = items.ByteCount,
            Sha256 = sha256,
            Rowid = _current.Layout.Rowid,
            Layout = _current.Layout.Storage,
            Defined = _current.Layout.Defined,
        };
        items.Dispose();
        _items = null;
        _collections.Add(collection);
        return collection;
    }

    /// <summary>Writes the site's definitions (a JSON document of the site kind's own) as their own entry.</summary>
    public void WriteDefinitions(ReadOnlySpan<byte> json)
    {
        if (_items is not null) throw new InvalidOperationException("A collection is being written.");
        // Readers refuse definitions past this bound; a backup that wrote them would be Ready and unrestorable.
        if (json.Length > ArchiveFormat.MaxDefinitionsBytes)
            throw new Errors.BackupException(Errors.BackupError.OperationFailed,
                $"The site's definitions are {json.Length:N0} bytes as JSON, more than the {ArchiveFormat.MaxDefinitionsBytes:N0} an archive holds.");
        _zip.BeginEntry(ArchiveFormat.DefinitionsEntryName, _level, mayPass4GiB: false).Write(json);
        _zip.EndEntry();
        _definitions = new ManifestEntry
        {
            Entry = ArchiveFormat.DefinitionsEntryName,
            ByteCount = json.Length,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json)),
        };
    }

    /// <summary>Writes the manifest (with the collections written so far) and the zip's central directory.</summary>
    public void Complete(ArchiveManifest manifest)
    {
        if (_items is not null) throw new InvalidOperationException("The last collection was not ended.");
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(manifest with { Collections = _collections, Definitions = _definitions }, EngineJson.Default.ArchiveManifest);
        // As for definitions: a manifest no reader takes would make a Ready backup nothing can restore.
        if (json.Length > ArchiveFormat.MaxManifestBytes)
            throw new Errors.BackupException(Errors.BackupError.OperationFailed,
                $"The archive's manifest would be {json.Length:N0} bytes ({_collections.Count:N0} collections), more than the {ArchiveFormat.MaxManifestBytes:N0} a reader takes; back up fewer collections at a time (-Collection).");
        _zip.BeginEntry(ArchiveFormat.ManifestEntryName, _level, mayPass4GiB: false).Write(json);
        _zip.EndEntry();
        _zip.Finish();
    }

    public void Dispose()
    {
        _items?.Dispose();
        _zip.Dispose();
    }
}
