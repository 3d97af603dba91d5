using System.Buffers;
using System.Text.Json;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// Restores into a Wix site, which has no transactions. The restore operation checks the archive entries whole
/// before this is called. Each collection is then emptied (<c>items/truncate</c>) only when its turn comes, and its
/// items are written with bulk save, at most 1000 (and 8 MB) a call, each under its own <c>_id</c>. Save rather than
/// insert: a bulk call repeated after a lost answer writes the same items again instead of failing on them, so a
/// retry can neither double an item nor report a false error. Items Wix refuses one by one are collected in
/// <see cref="RefusedItems"/>; a call that fails for good stops the restore, and <see cref="ItemsWritten"/> says
/// how far each collection got.
/// </summary>
internal sealed class WixRestore(WixClient client, IReadOnlyList<CollectionInfo> collections) : ISiteRestore
{
    private readonly List<RefusedItem> refused = [];
    private readonly Dictionary<string, long> written = new(StringComparer.Ordinal);

    public IReadOnlyList<CollectionInfo> Collections => collections;
    public bool IsTransactional => false;
    public IReadOnlyList<RefusedItem> RefusedItems => refused;
    public long? ItemsWritten(string collectionId) => written.TryGetValue(collectionId, out long count) ? count : null;

    /// <summary>Nothing is emptied ahead: a collection is emptied just before it is written, so a failure leaves
    /// the collections after it untouched.</summary>
    public Task<IReadOnlyList<string>> ClearAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken) =>
        Task.FromResult(collectionIds);

    public async Task<long> WriteAsync(string collectionId, ItemReader items, CancellationToken cancellationToken)
    {
        await WixApi.TruncateAsync(client, collectionId, cancellationToken);
        written[collectionId] = 0;
        var body = new ArrayBufferWriter<byte>(1024 * 1024);
        var json = new Utf8JsonWriter(body);
        var ids = new List<string?>(client.Options.PageSize);
        try
        {
            while (items.Read() is { } document)
            {
                using (document)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (ids.Count == 0) StartBatch(json, collectionId);
                    var item = document.RootElement;
                    string? id = item.TryGetProperty("_id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                    json.WriteStartObject();
                    if (id is not null) json.WriteString("id", id);
                    json.WritePropertyName("data");
                    json.WriteRawValue(item.GetRawText(), skipInputValidation: true);
                    json.WriteEndObject();
                    ids.Add(id);
                }
                json.Flush();
                if (ids.Count >= client.Options.PageSize || body.WrittenCount >= client.Options.MaxBulkBytes)
                    await SaveAsync(json, body, ids, collectionId, cancellationToken);
            }
            if (ids.Count > 0) await SaveAsync(json, body, ids, collectionId, cancellationToken);
            return written[collectionId];
        }
        finally
        {
            await json.DisposeAsync();
        }
    }

    private static void StartBatch(Utf8JsonWriter json, string collectionId)
    {
        json.WriteStartObject();
        json.WriteString("dataCollectionId", collectionId);
        json.WriteStartArray("dataItems");
    }

    private async Task SaveAsync(Utf8JsonWriter json, ArrayBufferWriter<byte> body, List<string?> ids, string collectionId, CancellationToken cancellationToken)
    {
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        using (var answer = await client.PostAsync("bulk/items/save", body.WrittenMemory, collectionId, cancellationToken))
        {
            long saved = 0;
            if (answer.RootElement.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
            {
                foreach (var result in results.EnumerateArray())
                {
                    var meta = result.TryGetProperty("itemMetadata", out var m) ? m : result;
                    if (meta.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True)
                    {
                        saved++;
                        continue;
                    }
                    string? id = meta.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()
                        : meta.TryGetProperty("originalIndex", out var at) && at.TryGetInt32(out int index) && index < ids.Count ? ids[index] : null;
                    var error = meta.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
                    refused.Add(new RefusedItem(collectionId, id, Text(error, "code") ?? "UNKNOWN", Text(error, "description") ?? Text(error, "message") ?? "refused"));
                }
            }
            else
            {
                throw new BackupException(BackupError.SiteUnreachable, $"The Wix Data API answered a bulk save into '{collectionId}' without per-item results.", collectionId);
            }
            written[collectionId] += saved;
        }
        body.ResetWrittenCount();
        json.Reset(body);
        ids.Clear();
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public Task CommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
