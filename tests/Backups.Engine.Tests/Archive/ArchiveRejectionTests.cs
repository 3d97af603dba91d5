using System.Text;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Archive;

/// <summary>Every archive here is wrong in one way; the reader must say ArchiveCorrupt (or
/// ArchiveVersionUnsupported) and name the problem, at open time or by the end of the collection.</summary>
public class ArchiveRejectionTests
{
    private static MemoryStream Valid() => ArchiveFiles.Write(
        ("people", ["""{"id":1,"name":"Ada"}""", """{"id":2,"name":"Brian"}"""]),
        ("orders", ["""{"id":1}"""]));

    /// <summary>Opens and reads every collection to the end, as a restore would.</summary>
    private static BackupException ReadAll(Stream archive)
    {
        return Assert.Throws<BackupException>(() =>
        {
            using var reader = ArchiveReader.Open(archive, "test");
            foreach (var collection in reader.Manifest.Collections)
            {
                using var items = reader.OpenCollection(collection);
                while (items.Read() is not null) { }
            }
        });
    }

    private static void AssertCorrupt(Stream archive, string because)
    {
        var e = ReadAll(archive);
        Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
        Assert.Contains(because, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Not_a_zip() => AssertCorrupt(new MemoryStream("hello, not a zip"u8.ToArray()), "not a readable zip");

    [Fact]
    public void Truncated()
    {
        using var valid = Valid();
        AssertCorrupt(new MemoryStream(valid.ToArray()[..(int)(valid.Length * 2 / 3)]), "not a readable zip");
    }

    [Fact]
    public void Unknown_format_version()
    {
        foreach (int version in new[] { 0, 4, 99 })
        {
            using var archive = ArchiveFiles.EditManifest(Valid(), m => m["formatVersion"] = version);
            Assert.Equal(BackupError.ArchiveVersionUnsupported, ReadAll(archive).Error);
        }
    }

    [Fact]
    public void No_manifest() =>
        AssertCorrupt(ArchiveFiles.Rewrite(Valid(), e => e.Where(x => x.Name != "manifest.json")), "no manifest");

    [Fact]
    public void Manifest_is_not_JSON() =>
        AssertCorrupt(ArchiveFiles.Rewrite(Valid(), e => e.Select(x => x.Name == "manifest.json" ? (x.Name, "{ nope"u8.ToArray()) : x)), "manifest.json");

    [Fact]
    public void An_entry_the_manifest_does_not_name() =>
        AssertCorrupt(ArchiveFiles.Rewrite(Valid(), e => e.Append(("collections/9.jsonl", "{}\n"u8.ToArray()))), "not accounted for");

    [Fact]
    public void A_named_entry_is_missing() =>
        AssertCorrupt(ArchiveFiles.Rewrite(Valid(), e => e.Where(x => x.Name != "collections/1.jsonl")), "missing");

    [Theory]
    [InlineData("../evil.jsonl")]
    [InlineData("collections/../../evil.jsonl")]
    [InlineData("/etc/evil.jsonl")]
    [InlineData("collections\\evil.jsonl")]
    [InlineData("C:/evil.jsonl")]
    public void Unsafe_entry_names(string name) =>
        AssertCorrupt(ArchiveFiles.Rewrite(Valid(), e => e.Append((name, "{}\n"u8.ToArray()))), "not a safe relative name");

    [Fact]
    public void A_manifest_pointing_at_an_unsafe_name() =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m => m["collections"]![0]!["entry"] = "../people.jsonl"), "unsafe");

    [Fact]
    public void Duplicate_entries() =>
        AssertCorrupt(ArchiveFiles.Rewrite(Valid(), e => e.Append(e.First(x => x.Name == "collections/0.jsonl"))), "more than once");

    [Fact]
    public void A_collection_listed_twice() =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m => m["collections"]![1]!["id"] = "people"), "listed twice");

    [Fact]
    public void A_layout_this_version_does_not_know() =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m => m["collections"]![0]!["layout"] = "columnar"), "layout this version does not know");

    [Theory]
    [InlineData("layout", "shadowTables")]
    [InlineData("rowid", "rowid")]
    public void A_version_1_manifest_that_describes_a_layout(string property, string value) =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m =>
        {
            m["formatVersion"] = 1;
            m["collections"]![0]![property] = value;
        }), "version 1 manifest describes a layout");

    [Fact]
    public void A_version_1_manifest_that_names_definitions() =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m =>
        {
            m["formatVersion"] = 1;
            m["definitions"] = new System.Text.Json.Nodes.JsonObject { ["entry"] = "definitions.json", ["byteCount"] = 2, ["sha256"] = new string('0', 64) };
        }), "version 1 manifest names definitions");

    [Fact]
    public void A_manifest_lying_about_the_count() =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m => m["collections"]![0]!["itemCount"] = 3), "holds 2 items, the manifest says 3");

    [Fact]
    public void A_manifest_lying_about_the_checksum() =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m => m["collections"]![0]!["sha256"] = new string('0', 64)), "SHA-256");

    [Fact]
    public void A_manifest_lying_about_the_size() =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m => m["collections"]![0]!["byteCount"] = 5), "bytes");

    [Fact]
    public void A_bit_flipped_in_an_entry_with_the_same_length()
    {
        using var valid = Valid();
        byte[] people = ArchiveFiles.Entries(valid).Single(e => e.Name == "collections/0.jsonl").Data;
        people[9] ^= 0x01; // "name" → "oame": still JSON, same size, different hash
        AssertCorrupt(ArchiveFiles.ReplaceEntry(valid, 0, people), "SHA-256");
    }

    [Fact]
    public void A_declared_size_that_does_not_match_the_entry() =>
        AssertCorrupt(ArchiveFiles.EditManifest(Valid(), m => m["collections"]![0]!["byteCount"] = 10_000_000_000L), "the manifest says 10000000000");

    [Fact]
    public void A_zip_bomb_declaring_more_than_deflate_can_produce()
    {
        // The zip's own directory claims 4 GB for an entry of a few dozen compressed bytes, and the manifest
        // agrees: only the ratio gives it away, and the reader refuses before decompressing anything.
        const uint claimed = 0xFFFF_FFF0;
        var archive = ArchiveFiles.EditManifest(Valid(), m => m["collections"]![0]!["byteCount"] = claimed);
        byte[] bytes = archive.ToArray();
        ArchiveFiles.PatchUncompressedSize(bytes, "collections/0.jsonl", claimed);
        AssertCorrupt(new MemoryStream(bytes), "compression ratio");
    }

    [Theory]
    [InlineData("{\"id\":1}\n{not json}\n", "not valid JSON")]
    [InlineData("{\"id\":1}\n[1,2]\n", "not a JSON object")]
    [InlineData("{\"id\":1}\n\n", "empty line")]
    [InlineData("{\"id\":1}\n{\"id\":2}", "no line end")]
    public void Broken_item_lines(string content, string because)
    {
        byte[] data = Encoding.UTF8.GetBytes(content);
        using var archive = WithEntry(data, itemCount: 2);
        AssertCorrupt(archive, because);
    }

    [Fact]
    public void An_item_that_is_not_UTF8()
    {
        byte[] data = [.. "{\"name\":\""u8, 0xC3, 0x28, .. "\"}\n"u8];
        using var archive = WithEntry(data, itemCount: 1);
        AssertCorrupt(archive, "not valid UTF-8");
    }

    /// <summary>An archive whose only collection holds exactly <paramref name="data"/>, with a manifest that
    /// matches it byte for byte, so only the content itself is wrong.</summary>
    private static MemoryStream WithEntry(byte[] data, int itemCount)
    {
        using var valid = ArchiveFiles.Write(("people", []));
        var replaced = ArchiveFiles.ReplaceEntry(valid, 0, data);
        return ArchiveFiles.EditManifest(replaced, m =>
        {
            var c = m["collections"]![0]!;
            c["itemCount"] = itemCount;
            c["byteCount"] = data.Length;
            c["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
        });
    }

    [Fact]
    public void A_valid_archive_passes_all_the_same_checks()
    {
        using var reader = ArchiveReader.Open(Valid(), "test");
        long items = 0;
        foreach (var collection in reader.Manifest.Collections)
        {
            using var read = reader.OpenCollection(collection);
            while (read.Read() is not null) items++;
        }
        Assert.Equal(3, items);
    }
}
