using System.Globalization;
using System.Text.Json;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;
using SiteBackup.Engine.Sources.Wix;

namespace SiteBackup.Engine.Stores.WixPlatform;

/// <summary>
/// The Wix Data Backups API of one site (<c>/wix-data/v2/backups</c>), through the same client as the Data Items
/// calls (pacing, retries, errors). Backups and restorations map one to one onto SiteBackup's records: PENDING,
/// READY, FAILED, DELETED, CANCELED and ON_DEMAND, AUTO; PENDING, COMPLETED, FAILED. Wix keeps the archive: reading,
/// writing or verifying one is refused, and retention is Wix's own (at most 3 on-demand backups, the 4th removing the
/// oldest; automatic ones every 7 days).
/// </summary>
internal sealed class WixPlatformStore(string wixSiteId, string apiKey, WixOptions options) : IPlatformStore
{
    private const int Page = 100;

    public string SiteId { get; } = $"wix://{wixSiteId}";
    public string Location => SiteId;
    public bool Exists => true;

    public PlatformWait Wait { get; } = new(options.PollDelay, options.MaxPollDelay, options.WaitTimeout);

    /// <summary>One client for the store, so that every call it makes is paced together. It is not disposed: it holds
    /// no connection of its own (the process shares one pool), only its pace.</summary>
    private WixClient Client => client ??= new(SiteId, wixSiteId, apiKey, options);
    private WixClient? client;

    private static T Sync<T>(Task<T> task) => task.GetAwaiter().GetResult();

    /// <summary>Asks once: a second request would be a second backup (and Wix would drop another old one). When the
    /// answer is lost on the way, Wix's list says whether the backup was taken: one new on-demand backup since the
    /// request is it.</summary>
    public async Task<BackupRecord> CreateAsync(CancellationToken cancellationToken)
    {
        var before = (await ListAsync([], [BackupType.OnDemand], cancellationToken)).Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
        try
        {
            using var answer = await Client.PostOnceAsync("backups", WixApi.Body(_ => { }), cancellationToken);
            return ToRecord(Property(answer.RootElement, "backup"));
        }
        catch (BackupException e) when (e.Error == BackupError.SiteUnreachable)
        {
            var made = (await ListAsync([], [BackupType.OnDemand], cancellationToken)).Where(b => !before.Contains(b.Id)).ToList();
            if (made.Count == 1) return made[0];
            throw new BackupException(BackupError.SiteUnreachable,
                $"{e.Message} Wix lists {made.Count} new on-demand backup(s) of '{SiteId}' since it was asked, so whether it took this one is not known: Get-SiteBackup -Store {SiteId} shows them.", SiteId, e);
        }
    }

    public async Task<IReadOnlyList<BackupRecord>> ListAsync(IReadOnlyList<BackupStatus> statuses, IReadOnlyList<BackupType> types, CancellationToken cancellationToken)
    {
        string filters = string.Concat(statuses.Select(s => $"&status={Status(s)}")) + string.Concat(types.Select(t => $"&type={(t == BackupType.Auto ? "AUTO" : "ON_DEMAND")}"));
        var all = new List<BackupRecord>();
        await foreach (var backup in PagesAsync(Client, "backups", "backups", filters, cancellationToken)) all.Add(ToRecord(backup));
        return all;
    }

    /// <summary>Asks once, as <see cref="CreateAsync"/> does: a lost answer is looked up in Wix's restorations.</summary>
    public async Task<RestorationRecord> RestoreAsync(BackupRecord backup, IReadOnlyList<(string Source, string Destination)> collections, CancellationToken cancellationToken)
    {
        var before = (await ListRestorationsAsync(cancellationToken)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        // The id goes in the path and, as the SDK sends it, in the body too.
        var body = WixApi.Body(json =>
        {
            json.WriteString("backupId", backup.Id);
            if (collections.Count == 0) return;
            json.WriteStartArray("restorationCollections");
            foreach (var (source, destination) in collections)
            {
                json.WriteStartObject();
                json.WriteString("dataCollectionId", source);
                if (destination != source)
                {
                    json.WriteStartObject("restoreDestination");
                    json.WriteString("dataCollectionId", destination);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
        string path = $"backups/{Uri.EscapeDataString(backup.Id)}/{(collections.Count == 0 ? "restore" : "partial-restore")}";
        try
        {
            using var answer = await Found(() => Client.PostOnceAsync(path, body, cancellationToken), backup.Id);
            return ToRestoration(Property(answer.RootElement, "restoration"));
        }
        catch (BackupException e) when (e.Error == BackupError.SiteUnreachable)
        {
            var made = (await ListRestorationsAsync(cancellationToken)).Where(r => !before.Contains(r.Id) && r.Backup.Id == backup.Id).ToList();
            if (made.Count == 1) return made[0];
            throw new BackupException(BackupError.SiteUnreachable,
                $"{e.Message} Wix lists {made.Count} new restoration(s) of backup '{backup.Id}' since it was asked, so whether it started this one is not known: Get-SiteBackupRestoration -Store {SiteId} shows them.", SiteId, e);
        }
    }

    public async Task<IReadOnlyList<RestorationRecord>> ListRestorationsAsync(CancellationToken cancellationToken)
    {
        var all = new List<RestorationRecord>();
        await foreach (var restoration in PagesAsync(Client, "backups/restorations", "restorations", "", cancellationToken)) all.Add(ToRestoration(restoration));
        return all;
    }

    public async Task DeleteAsync(string backupId, CancellationToken cancellationToken)
    {
        string id = Uri.EscapeDataString(backupId);
        await Found(async () => { await Client.DeleteAsync($"backups/{id}?backupId={id}", cancellationToken); return 0; }, backupId); // as the SDK sends it
    }

    /// <summary>Wix answers 404 for a backup it does not have, which the client reads as an unknown site.</summary>
    private async Task<T> Found<T>(Func<Task<T>> call, string backupId)
    {
        try
        {
            return await call();
        }
        catch (BackupException e) when (e.Error == BackupError.SiteNotFound)
        {
            throw new BackupException(BackupError.BackupNotFound, $"Wix has no backup '{backupId}' of '{SiteId}'.", backupId, e);
        }
    }

    /// <summary>Every item of a list, page by page (offset paging, 100 a page).</summary>
    private static async IAsyncEnumerable<JsonElement> PagesAsync(WixClient client, string path, string name, string filters,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int offset = 0; ;)
        {
            using var page = await client.GetAsync($"{path}?paging.limit={Page}&paging.offset={offset}{filters}", cancellationToken);
            int count = 0;
            if (page.RootElement.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array)
                foreach (var item in items.EnumerateArray())
                {
                    yield return item.Clone();
                    count++;
                }
            offset += count;
            long total = page.RootElement.TryGetProperty("pagingMetadata", out var paging) && paging.TryGetProperty("total", out var t) && t.TryGetInt64(out long n) ? n : -1;
            if (count == 0 || (total >= 0 ? offset >= total : count < Page)) yield break;
        }
    }

    /// <summary>A property Wix's answer must have; without it the answer is not one of the API's.</summary>
    private JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new BackupException(BackupError.SiteUnreachable, $"The Wix Backups API answered for '{SiteId}' without its '{name}'.", SiteId);

    private static string Status(BackupStatus status) => status switch
    {
        BackupStatus.Pending => "PENDING",
        BackupStatus.Ready => "READY",
        BackupStatus.Failed => "FAILED",
        BackupStatus.Deleted => "DELETED",
        _ => "CANCELED",
    };

    private BackupRecord ToRecord(JsonElement backup)
    {
        string? size = WixJson.Text(backup, "sizeInBytes");
        return new BackupRecord
        {
            Id = WixJson.Text(backup, "id") ?? throw new BackupException(BackupError.SiteUnreachable, $"The Wix Backups API listed a backup of '{SiteId}' without its id.", SiteId),
            SiteId = SiteId,
            Type = WixJson.Text(backup, "type") == "AUTO" ? BackupType.Auto : BackupType.OnDemand,
            Status = WixJson.Text(backup, "status") switch
            {
                "READY" => BackupStatus.Ready,
                "FAILED" => BackupStatus.Failed,
                "DELETED" => BackupStatus.Deleted,
                "CANCELED" => BackupStatus.Canceled,
                _ => BackupStatus.Pending,
            },
            RequestedDate = Date(backup, "requestedDate") ?? DateTimeOffset.MinValue,
            StartedDate = Date(backup, "startedDate"),
            FinishedDate = Date(backup, "finishedDate"),
            DeletedDate = Date(backup, "deletedDate"),
            // int64 as a string, null until the backup is done.
            SizeInBytes = long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) ? bytes : 0,
            Collections = backup.TryGetProperty("collections", out var collections) && collections.ValueKind == JsonValueKind.Array
                ? collections.EnumerateArray().Select(c => new BackupCollection
                {
                    Id = WixJson.Text(c, "id") ?? "",
                    DisplayName = WixJson.Text(c, "displayName") ?? WixJson.Text(c, "id") ?? "",
                }).ToList()
                : [],
            Store = Location,
        };
    }

    private RestorationRecord ToRestoration(JsonElement restoration)
    {
        var backup = ToRecord(Property(restoration, "backup"));
        var status = WixJson.Text(restoration, "status") switch
        {
            "COMPLETED" => RestorationStatus.Completed,
            "FAILED" => RestorationStatus.Failed,
            _ => RestorationStatus.Pending,
        };
        var chosen = restoration.TryGetProperty("restorationCollections", out var c) && c.ValueKind == JsonValueKind.Array && c.GetArrayLength() > 0
            ? c.EnumerateArray().Select(r => (Id: WixJson.Text(r, "dataCollectionId") ?? "",
                Destination: r.TryGetProperty("restoreDestination", out var d) && WixJson.Text(d, "dataCollectionId") is { Length: > 0 } to ? to : null)).ToList()
            : backup.Collections.Select(b => (Id: b.Id, Destination: (string?)null)).ToList();
        return new RestorationRecord
        {
            Id = WixJson.Text(restoration, "id") ?? throw new BackupException(BackupError.SiteUnreachable, $"The Wix Backups API listed a restoration of '{SiteId}' without its id.", SiteId),
            Backup = backup,
            SiteId = SiteId,
            Status = status,
            RequestedDate = Date(restoration, "requestedDate") ?? DateTimeOffset.MinValue,
            StartedDate = Date(restoration, "startedDate"),
            FinishedDate = Date(restoration, "finishedDate"),
            // Wix says per restoration, not per collection, how it went, and nothing of item counts. A failed one may
            // have written part of a collection for all Wix says: Partial, not NotRestored (which promises untouched).
            Collections = chosen.Select(r => new RestorationCollection
            {
                Id = r.Id,
                Destination = r.Destination ?? r.Id,
                Status = status switch
                {
                    RestorationStatus.Completed => RestorationCollectionStatus.Restored,
                    RestorationStatus.Failed => RestorationCollectionStatus.Partial,
                    _ => RestorationCollectionStatus.NotRestored,
                },
            }).ToList(),
            // Wix restores on its side and does not say whether a failure can leave a collection half-written.
            Transactional = false,
            Error = status == RestorationStatus.Failed ? "Wix reported the restoration as FAILED; it does not say what a failed restoration leaves in the collections." : null,
            Store = Location,
        };
    }

    private static DateTimeOffset? Date(JsonElement element, string name) =>
        WixJson.Text(element, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;

    // ---- IBackupStore: listing works; what needs an archive, or SiteBackup's own records, is not Wix's. ----

    public IDisposable Lock(TimeSpan timeout, CancellationToken cancellationToken) => NoLock.Instance;
    public IDisposable HoldOperation(string id) => NoLock.Instance;
    /// <summary>A Pending backup or restoration here is Wix's to finish, never one a dead process left behind.</summary>
    public bool IsOperationRunning(string id) => true;

    /// <summary>Wix's own rules, as far as it states them (it does not say how many automatic backups it keeps).</summary>
    public RetentionPolicy ReadRetention() => RetentionPolicy.Default with { Store = Location };

    public void WriteRetention(RetentionPolicy policy) =>
        throw NotHere("keeps its backups by its own rules (at most 3 on-demand ones, automatic ones every 7 days); SiteBackup cannot change them");

    public IReadOnlyList<BackupRecord> ListBackups() => Sync(ListAsync([], [], CancellationToken.None));
    public BackupRecord? FindBackup(string id) => ListBackups().FirstOrDefault(b => string.Equals(b.Id, id, StringComparison.OrdinalIgnoreCase));
    public IReadOnlyList<RestorationRecord> ListRestorations() => Sync(ListRestorationsAsync(CancellationToken.None));
    public IReadOnlyList<string> ListArchiveIds() => [];
    public RestorationRecord? FindRestoration(string id) => ListRestorations().FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));

    public void SaveBackup(BackupRecord backup) => throw NotHere("keeps the records of its own backups");
    public void DeleteBackupRecord(string id) => throw NotHere("keeps the records of its own backups");
    public void SaveRestoration(RestorationRecord restoration) => throw NotHere("keeps the records of its own restorations");
    public IArchiveUpload BeginArchive(string id) => throw NotHere("takes its backups itself: New-SiteBackup -Store " + Location + " asks it for one");
    public Stream OpenArchive(string id) => throw NotHere("holds the backup; it has no archive SiteBackup can read");
    public void DeleteArchive(string id) => throw NotHere("deletes its own backups: Remove-SiteBackup -Store " + Location + " asks it to");

    private BackupException NotHere(string why) => new(BackupError.InvalidArgument, $"'{Location}' is Wix's own backup service: Wix {why}.", Location);

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();
        public void Dispose() { }
    }
}
