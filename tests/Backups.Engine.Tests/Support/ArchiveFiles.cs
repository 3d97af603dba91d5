using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>Builds archives in memory: valid ones through the engine's writer, and damaged or hostile ones by
/// rewriting a valid one entry by entry.</summary>
public static class ArchiveFiles
{
    public static MemoryStream Write(params (string Id, string[] Lines)[] collections)
    {
        var output = new MemoryStream();
        using (var writer = new ArchiveWriter(output))
        {
            foreach (var (id, lines) in collections)
            {
                var items = writer.BeginCollection(id, id.ToUpperInvariant());
                foreach (string line in lines)
                {
                    items.Json.WriteRawValue(line);
                    items.EndItem();
                }
                writer.EndCollection();
            }
            writer.Complete(new ArchiveManifest
            {
                Id = "00000000-0000-0000-0000-000000000001", SiteId = "/tmp/x.db", Type = BackupType.OnDemand,
                RequestedDate = DateTimeOffset.UnixEpoch, Tool = ArchiveTool.Current,
            });
        }
        output.Position = 0;
        return output;
    }

    public static List<(string Name, byte[] Data)> Entries(Stream archive)
    {
        archive.Position = 0;
        using var zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
        var entries = zip.Entries.Select(e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return (e.FullName, m.ToArray());
        }).ToList();
        archive.Position = 0;
        return entries;
    }

    public static MemoryStream Build(IEnumerable<(string Name, byte[] Data)> entries)
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(data);
            }
        }
        output.Position = 0;
        return output;
    }

    /// <summary>A copy of <paramref name="archive"/> whose entries went through <paramref name="change"/>.</summary>
    public static MemoryStream Rewrite(Stream archive, Func<List<(string Name, byte[] Data)>, IEnumerable<(string Name, byte[] Data)>> change) =>
        Build(change(Entries(archive)));

    /// <summary>A copy of <paramref name="archive"/> with its manifest edited as JSON.</summary>
    public static MemoryStream EditManifest(Stream archive, Action<JsonObject> edit) => Rewrite(archive, entries => entries.Select(e =>
    {
        if (e.Name != ArchiveFormat.ManifestEntryName) return e;
        var manifest = JsonNode.Parse(e.Data)!.AsObject();
        edit(manifest);
        return (e.Name, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }));

    /// <summary>A copy with the entry of collection <paramref name="index"/> replaced by <paramref name="data"/>,
    /// its manifest left as it was (so checksums and sizes no longer match unless fixed by the caller).</summary>
    public static MemoryStream ReplaceEntry(Stream archive, int index, byte[] data) => Rewrite(archive, entries =>
        entries.Select(e => e.Name == ArchiveFormat.CollectionEntryName(index) ? (e.Name, data) : e));

    /// <summary>Overwrites the uncompressed size that the zip's central directory records for <paramref name="entry"/>,
    /// as a hand-made zip bomb would.</summary>
    public static void PatchUncompressedSize(byte[] zip, string entry, uint size)
    {
        byte[] name = Encoding.UTF8.GetBytes(entry);
        for (int i = 0; i + 46 < zip.Length; i++)
        {
            // Central directory header: signature PK\x01\x02, name length at 28, name at 46, uncompressed size at 24.
            if (zip[i] != 0x50 || zip[i + 1] != 0x4B || zip[i + 2] != 0x01 || zip[i + 3] != 0x02) continue;
            int nameLength = BitConverter.ToUInt16(zip, i + 28);
            if (!zip.AsSpan(i + 46, nameLength).SequenceEqual(name)) continue;
            BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), size);
            return;
        }
        throw new InvalidOperationException($"No central directory entry for {entry}.");
    }

    /// <summary>Rewrites the definitions of the archive at <paramref name="path"/>, the manifest's size and checksum
    /// made to match.</summary>
    public static void EditDefinitions(string path, Action<JsonObject> edit) =>
        EditEntry(path, _ => "definitions.json", data =>
        {
            var definitions = JsonNode.Parse(data)!.AsObject();
            edit(definitions);
            return Encoding.UTF8.GetBytes(definitions.ToJsonString());
        }, m => m["definitions"]!);

    /// <summary>Rewrites the item lines of one collection of the archive at <paramref name="path"/>, the manifest's
    /// count, size and checksum made to match.</summary>
    public static void EditItems(string path, string collection, Func<string[], string[]> edit)
    {
        JsonNode Described(JsonObject manifest) => manifest["collections"]!.AsArray().Single(c => (string?)c!["id"] == collection)!;
        int count = 0;
        EditEntry(path, m => (string)Described(m)["entry"]!, data =>
        {
            var lines = edit(Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            count = lines.Length;
            return Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        }, m =>
        {
            var described = Described(m);
            described["itemCount"] = count;
            return described;
        });
    }

    /// <summary>A crafted archive: one entry rewritten, and the manifest's byteCount and sha256 for it made to match,
    /// so that only a restore's own checks stand in the way.</summary>
    private static void EditEntry(string path, Func<JsonObject, string> entryOf, Func<byte[], byte[]> edit, Func<JsonObject, JsonNode> describing)
    {
        using var original = new MemoryStream(File.ReadAllBytes(path));
        var entries = Entries(original);
        string entry = entryOf(JsonNode.Parse(entries.Single(e => e.Name == ArchiveFormat.ManifestEntryName).Data)!.AsObject());
        byte[] data = edit(entries.Single(e => e.Name == entry).Data);
        original.Position = 0;
        using var rewritten = Rewrite(original, all => all.Select(e => e.Name == entry ? (e.Name, data) : e).ToList());
        File.WriteAllBytes(path, EditManifest(rewritten, m =>
        {
            var described = describing(m);
            described["byteCount"] = data.Length;
            described["sha256"] = Convert.ToHexStringLower(SHA256.HashData(data));
        }).ToArray());
    }
}
