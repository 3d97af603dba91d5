using System.IO.Compression;
using System.Text.Json;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Archive;

/// <summary>
/// Opens an archive and checks everything that can be checked without reading the items: the zip itself, the
/// format version, the manifest, and that the entries are exactly the ones the manifest names, with safe names
/// and believable sizes. The items are checked as they are read (<see cref="ItemReader"/>).
/// </summary>
public sealed class ArchiveReader : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;

    private ArchiveReader(ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, ArchiveManifest manifest)
    {
        _zip = zip;
        _entries = entries;
        Manifest = manifest;
    }

    public ArchiveManifest Manifest { get; }

    /// <summary>Opens <paramref name="archive"/> (a seekable stream); throws <see cref="BackupException"/> with
    /// <see cref="BackupError.ArchiveCorrupt"/> or <see cref="BackupError.ArchiveVersionUnsupported"/>.</summary>
    public static ArchiveReader Open(Stream archive, string name)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw Corrupt(name, $"it is not a readable zip file ({e.Message})", e);
        }

        try
        {
            var entries = IndexEntries(zip, name);
            var manifest = ReadManifest(entries, name);
            CheckEntries(manifest, entries, name);
            return new ArchiveReader(zip, entries, manifest);
        }
        catch (Exception e) when (IsDamage(e))
        {
            // The zip reads its central directory lazily, so damage there shows up only now.
            zip.Dispose();
            throw Corrupt(name, $"its zip directory is damaged ({e.Message})", e);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>Opens the items of one collection of the manifest.</summary>
    /// <param name="collection">The manifest's entry of the collection.</param>
    /// <param name="onProgress">Called with the items and (uncompressed) bytes read so far, at most a few times a
    /// second.</param>
    public ItemReader OpenCollection(ManifestCollection collection, Action<long, long>? onProgress = null)
    {
        try
        {
            return new ItemReader(_entries[collection.Entry].Open(), collection, onProgress);
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw Corrupt(collection.Entry, $"the entry cannot be read ({e.Message})", e);
        }
    }

    /// <summary>The site's definitions, read whole and checked against the manifest (size, SHA-256, JSON); null when
    /// the archive has none (version 1, or a kind of site without definitions). Throws ArchiveCorrupt.</summary>
    public byte[]? ReadDefinitions()
    {
        if (Manifest.Definitions is not { } definitions) return null;
        byte[] bytes;
        try
        {
            using var stream = new BoundedReadStream(_entries[definitions.Entry].Open(), ArchiveFormat.MaxDefinitionsBytes);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw Corrupt(definitions.Entry, $"the definitions cannot be read ({e.Message})", e);
        }
        if (bytes.Length != definitions.ByteCount)
            throw Corrupt(definitions.Entry, $"the definitions hold {bytes.Length} bytes, the manifest says {definitions.ByteCount}");
        if (!string.Equals(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), definitions.Sha256, StringComparison.OrdinalIgnoreCase))
            throw Corrupt(definitions.Entry, "the definitions' SHA-256 does not match the manifest");
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Corrupt(definitions.Entry, "the definitions are not a JSON object");
        }
        catch (JsonException e)
        {
            throw Corrupt(definitions.Entry, $"the definitions are not valid JSON ({e.Message})", e);
        }
        return bytes;
    }

    public void Dispose() => _zip.Dispose();

    /// <summary>What System.IO.Compression throws for damaged zip data (an unknown compression method is
    /// NotSupportedException; a bad offset, ArgumentOutOfRangeException).</summary>
    internal static bool IsDamage(Exception e) =>
        e is InvalidDataException or IOException or NotSupportedException or ArgumentException;

    internal static BackupException Corrupt(string target, string why, Exception? inner = null) =>
        new(BackupError.ArchiveCorrupt, $"The archive is corrupt: {why}.", target, inner);

    private static Dictionary<string, ZipArchiveEntry> IndexEntries(ZipArchive zip, string name)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            if (!ArchiveFormat.IsSafeEntryName(entry.FullName))
                throw Corrupt(name, $"entry name '{entry.FullName}' is not a safe relative name");
            if (!entries.TryAdd(entry.FullName, entry))
                throw Corrupt(name, $"entry '{entry.FullName}' appears more than once");
        }
        return entries;
    }

    private static ArchiveManifest ReadManifest(Dictionary<string, ZipArchiveEntry> entries, string name)
    {
        if (!entries.TryGetValue(ArchiveFormat.ManifestEntryName, out var entry))
            throw Corrupt(name, "it has no manifest.json");
        if (entry.Length > ArchiveFormat.MaxManifestBytes)
            throw Corrupt(name, $"manifest.json declares {entry.Length} bytes, more than a manifest can hold");

        try
        {
            // The items are covered by their SHA-256 in the manifest; the manifest itself by the zip's CRC-32,
            // which System.IO.Compression does not check on reading.
            byte[] bytes;
            using (var stream = new BoundedReadStream(entry.Open(), ArchiveFormat.MaxManifestBytes))
            using (var buffer = new MemoryStream())
            {
                stream.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            if (System.IO.Hashing.Crc32.HashToUInt32(bytes) != entry.Crc32)
                throw Corrupt(name, "manifest.json fails its CRC-32 check");
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("formatVersion", out var version)
                || version.ValueKind != JsonValueKind.Number)
                throw Corrupt(name, "manifest.json has no formatVersion");
            if (!version.TryGetInt32(out int formatVersion) || !ArchiveFormat.Reads(formatVersion))
                throw new BackupException(
                    BackupError.ArchiveVersionUnsupported,
                    $"The archive has format version {version.GetRawText()}; this version of SiteBackup reads versions 1 to {ArchiveFormat.Version}.",
                    name);
            return root.Deserialize(EngineJson.Default.ArchiveManifest)
                ?? throw Corrupt(name, "manifest.json is empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException or NotSupportedException or InvalidOperationException)
        {
            throw Corrupt(name, $"manifest.json cannot be read ({e.Message})", e);
        }
    }

    private static void CheckEntries(ArchiveManifest manifest, Dictionary<string, ZipArchiveEntry> entries, string name)
    {
        if (string.IsNullOrEmpty(manifest.Id) || manifest.Collections is null)
            throw Corrupt(name, "manifest.json lacks the backup id or the collection list");

        var named = new HashSet<string>(StringComparer.Ordinal) { ArchiveFormat.ManifestEntryName };
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var collection in manifest.Collections)
        {
            if (collection is null || string.IsNullOrEmpty(collection.Id) || string.IsNullOrEmpty(collection.Entry))
                throw Corrupt(name, "manifest.json has a collection without an id or an entry");
            if (!ids.Add(collection.Id))
                throw Corrupt(name, $"collection '{collection.Id}' is listed twice");
            if (!ArchiveFormat.IsSafeEntryName(collection.Entry) || !named.Add(collection.Entry))
                throw Corrupt(name, $"collection '{collection.Id}' names an unsafe or shared entry '{collection.Entry}'");
            if (!entries.TryGetValue(collection.Entry, out var entry))
                throw Corrupt(name, $"entry '{collection.Entry}' of collection '{collection.Id}' is missing");
            if (collection.ItemCount < 0 || collection.ByteCount < 0 || collection.Sha256 is not { Length: 64 })
                throw Corrupt(name, $"collection '{collection.Id}' has an impossible count, size or checksum");
            if (entry.Length != collection.ByteCount)
                throw Corrupt(name, $"entry '{collection.Entry}' holds {entry.Length} bytes, the manifest says {collection.ByteCount}");
            if (collection.ByteCount > ArchiveFormat.MaxCompressionRatio * Math.Max(entry.CompressedLength, 1))
                throw Corrupt(name, $"entry '{collection.Entry}' claims a compression ratio no zip can reach");
        }

        if (manifest.Definitions is { } definitions)
        {
            if (manifest.FormatVersion < 2)
                throw Corrupt(name, "a version 1 manifest names definitions");
            if (!ArchiveFormat.IsSafeEntryName(definitions.Entry) || !named.Add(definitions.Entry))
                throw Corrupt(name, $"the definitions name an unsafe or shared entry '{definitions.Entry}'");
            if (!entries.TryGetValue(definitions.Entry, out var entry))
                throw Corrupt(name, $"entry '{definitions.Entry}' of the definitions is missing");
            if (definitions.ByteCount is < 0 or > ArchiveFormat.MaxDefinitionsBytes || definitions.Sha256 is not { Length: 64 } || entry.Length != definitions.ByteCount)
                throw Corrupt(name, "the definitions have an impossible size or checksum");
        }
        if (manifest.FormatVersion < 2 && manifest.Collections.Any(c => c.Rowid is not null || c.Layout is not null || c.Defined))
            throw Corrupt(name, "a version 1 manifest describes a layout");
        foreach (var collection in manifest.Collections)
        {
            if (collection.Layout is not (null or CollectionLayout.ShadowTables or CollectionLayout.Rebuilt))
                throw Corrupt(name, $"collection '{collection.Id}' has a layout this version does not know ('{collection.Layout}')");
        }

        foreach (var entryName in entries.Keys)
        {
            if (!named.Contains(entryName))
                throw Corrupt(name, $"entry '{entryName}' is not accounted for by the manifest");
        }
    }
}
