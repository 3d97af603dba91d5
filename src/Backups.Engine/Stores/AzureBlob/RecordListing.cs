using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace SiteBackup.Engine.Stores.AzureBlob;

/// <summary>
/// Lists the records of one folder of an Azure store (<c>backups/</c>, <c>restorations/</c>) without a request per
/// record. The folder is listed (one request per 5,000 blobs, each with its ETag), and each record is taken from a
/// cache blob (<c>cache/&lt;folder&gt;.json</c>: name, ETag and record of every record seen) when the cached ETag is the
/// blob's, else downloaded. A listing that downloaded or dropped anything writes the cache again, on the condition that
/// no other listing replaced it meanwhile (If-Match; a conflict or a store this sign-in may only read leaves it for the
/// next listing). The blobs stay the truth: a cache that is stale, damaged or missing costs requests, never a wrong
/// record, and a record changed from outside is read again because its ETag changed.
/// </summary>
internal sealed class RecordListing<T>(BlobContainerClient container, string folder, string cacheName, JsonTypeInfo<T> type) where T : class
{
    private const int CacheVersion = 1;

    /// <summary>The records; <paramref name="download"/> reads one blob (null when it is gone or unreadable), returning
    /// its bytes and ETag.</summary>
    public List<T> List(Func<string, (BinaryData Content, ETag ETag)?> download)
    {
        var (cached, cacheETag) = ReadCache();
        var current = new List<Entry>();
        bool changed = false;
        foreach (var item in container.GetBlobs(BlobTraits.None, BlobStates.None, folder, CancellationToken.None))
        {
            if (!item.Name.EndsWith(".json", StringComparison.Ordinal)) continue;
            if (cached.TryGetValue(item.Name, out var hit) && item.Properties.ETag is { } etag && hit.ETag == Text(etag))
            {
                current.Add(hit);
                continue;
            }
            changed = true;
            if (download(item.Name) is not { } read) continue;
            var record = Parse(read.Content.ToMemory());
            if (record is not null) current.Add(new Entry(item.Name, Text(read.ETag), read.Content.ToArray(), record));
        }
        if (changed || current.Count != cached.Count) WriteCache(current, cacheETag);
        return current.Select(e => e.Record).ToList();
    }

    /// <summary>An ETag as text, without the quotes a response header has and a listing's XML has not.</summary>
    private static string Text(ETag etag) => etag.ToString().Trim('"');

    private T? Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json.Span, type);
        }
        catch (JsonException)
        {
            // Damaged from outside: listed without it, as the folder store does.
            return null;
        }
    }

    private sealed record Entry(string Name, string ETag, byte[] Json, T Record);

    private (Dictionary<string, Entry> Entries, ETag? ETag) ReadCache()
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            var download = container.GetBlobClient(cacheName).DownloadContent().Value;
            using var document = JsonDocument.Parse(download.Content.ToMemory());
            var root = document.RootElement;
            if (!root.TryGetProperty("version", out var version) || version.GetInt32() != CacheVersion) return (entries, download.Details.ETag);
            foreach (var entry in root.GetProperty("entries").EnumerateArray())
            {
                string name = entry.GetProperty("name").GetString()!, etag = entry.GetProperty("etag").GetString()!;
                byte[] json = System.Text.Encoding.UTF8.GetBytes(entry.GetProperty("record").GetRawText());
                if (Parse(json) is { } record) entries[name] = new Entry(name, etag, json, record);
            }
            return (entries, download.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (entries, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // A damaged cache is no cache: every record is read from its blob, and the cache written again.
            entries.Clear();
            return (entries, null);
        }
    }

    private void WriteCache(List<Entry> entries, ETag? replacing)
    {
        var body = new ArrayBufferWriter<byte>(entries.Sum(e => e.Json.Length + e.Name.Length + 64) + 64);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteNumber("version", CacheVersion);
            json.WriteStartArray("entries");
            foreach (var entry in entries)
            {
                json.WriteStartObject();
                json.WriteString("name", entry.Name);
                json.WriteString("etag", entry.ETag);
                json.WritePropertyName("record");
                json.WriteRawValue(entry.Json, skipInputValidation: true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var conditions = replacing is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            container.GetBlobClient(cacheName).Upload(BinaryData.FromBytes(body.WrittenMemory), new BlobUploadOptions { Conditions = conditions });
        }
        catch (RequestFailedException e) when (e.Status is 403 or 404 or 409 or 412)
        {
            // Another listing wrote it first, or this sign-in may only read (a read-only SAS): the next listing tries.
        }
    }
}
