using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Archive;

public class ArchiveRoundTripTests
{
    [Fact]
    public void Items_come_back_in_order_with_matching_counts_sizes_and_checksums()
    {
        string[] people = ["""{"id":1,"name":"Ada"}""", """{"id":2,"name":"名前","photo":{"$binary":"AP8="}}"""];
        using var archive = ArchiveFiles.Write(("people", people), ("empty", []));

        using var reader = ArchiveReader.Open(archive, "test");
        Assert.Equal(ArchiveFormat.Version, reader.Manifest.FormatVersion);
        Assert.Equal(["people", "empty"], reader.Manifest.Collections.Select(c => c.Id));
        var manifestPeople = reader.Manifest.Collections[0];
        Assert.Equal("collections/0.jsonl", manifestPeople.Entry);
        Assert.Equal("PEOPLE", manifestPeople.DisplayName);
        Assert.Equal(2, manifestPeople.ItemCount);

        byte[] expectedBytes = Encoding.UTF8.GetBytes(string.Join("\n", people) + "\n");
        Assert.Equal(expectedBytes.Length, manifestPeople.ByteCount);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expectedBytes)), manifestPeople.Sha256);

        using var items = reader.OpenCollection(manifestPeople);
        var read = new List<string>();
        while (items.Read() is { } item) read.Add(item.GetRawText());
        Assert.Equal(people, read);
        using var empty = reader.OpenCollection(reader.Manifest.Collections[1]);
        Assert.Null(empty.Read());
    }

    [Fact]
    public void Entries_are_plain_UTF8_JSON_lines_without_a_byte_order_mark_readable_by_any_zip_reader()
    {
        using var archive = ArchiveFiles.Write(("people", ["""{"name":"Chloé <&>"}"""]));
        var entries = ArchiveFiles.Entries(archive).ToDictionary(e => e.Name, e => e.Data);

        Assert.Equal(["collections/0.jsonl", "manifest.json"], entries.Keys.Order());
        byte[] line = entries["collections/0.jsonl"];
        Assert.NotEqual(0xEF, line[0]);
        Assert.Equal("{\"name\":\"Chloé <&>\"}\n", Encoding.UTF8.GetString(line));
        Assert.Contains("\"formatVersion\": 3", Encoding.UTF8.GetString(entries["manifest.json"]));
    }

    [Fact]
    public void Whole_number_floats_keep_a_fraction_so_they_read_back_as_floats()
    {
        var output = new MemoryStream();
        using (var writer = new ArchiveWriter(output))
        {
            var items = writer.BeginCollection("numbers", "numbers");
            foreach (double value in new[] { 2.0, -0.0, 1e300, 0.1, double.PositiveInfinity, 123456789012345680000.0 })
            {
                items.Json.WriteStartObject();
                items.Json.WritePropertyName("v");
                ItemValues.WriteDouble(items.Json, value);
                items.Json.WriteEndObject();
                items.EndItem();
            }
            writer.EndCollection();
            writer.Complete(new ArchiveManifest { Id = "x", SiteId = "s", Tool = ArchiveTool.Current });
        }
        output.Position = 0;
        string text = Encoding.UTF8.GetString(ArchiveFiles.Entries(output).Single(e => e.Name.EndsWith(".jsonl", StringComparison.Ordinal)).Data);

        Assert.Equal(
            """
            {"v":2.0}
            {"v":-0.0}
            {"v":1E+300}
            {"v":0.1}
            {"v":{"$double":"Infinity"}}
            {"v":1.2345678901234568E+20}

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void A_large_collection_round_trips_item_by_item_in_order()
    {
        // 200k items (~10 MB uncompressed), several buffer flushes and refills on each side.
        var output = new MemoryStream();
        using (var writer = new ArchiveWriter(output, CompressionLevel.Fastest))
        {
            var items = writer.BeginCollection("big", "big");
            for (int i = 0; i < 200_000; i++)
            {
                items.Json.WriteStartObject();
                items.Json.WriteNumber("i", i);
                items.Json.WriteString("text", "some text that repeats");
                items.Json.WriteEndObject();
                items.EndItem();
            }
            writer.EndCollection();
            writer.Complete(new ArchiveManifest { Id = "x", SiteId = "s", Tool = ArchiveTool.Current });
        }
        output.Position = 0;
        using var reader = ArchiveReader.Open(output, "big");
        using var read = reader.OpenCollection(reader.Manifest.Collections[0]);
        long expected = 0;
        while (read.Read() is { } item)
        {
            Assert.Equal(expected++, item.GetProperty("i").GetInt64());
        }
        Assert.Equal(200_000, expected);
    }
}
