using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SiteBackup.WixStandIn;

/// <summary>
/// The Wix Data Backups API (<c>/wix-data/v2/backups</c>), as <c>@wix/auto_sdk_data_backups</c> shows it: create an
/// on-demand backup (<c>POST backups</c>), list backups (<c>GET backups</c>, <c>status</c> and <c>type</c> filters repeated
/// in the query string, offset paging), restore all (<c>POST backups/{id}/restore</c>) or some collections, optionally
/// into others (<c>POST backups/{id}/partial-restore</c> with <c>restorationCollections</c>), list restorations
/// (<c>GET backups/restorations</c>), delete (<c>DELETE backups/{id}</c>: it then lists as DELETED with its
/// <c>deletedDate</c>). A backup copies the site's collections (items, definitions, references) when it is asked for and
/// moves from PENDING to READY (or FAILED, on request) after <see cref="StandInOptions.BackupDuration"/>; at most
/// <see cref="StandInOptions.MaxOnDemandBackups"/> on-demand backups are kept, a new one deleting the oldest. A
/// restoration moves from PENDING to COMPLETED after <see cref="StandInOptions.RestoreDuration"/> and then really
/// writes the backup's content, system dates and references included (the platform restores server-side), into each
/// destination (created when missing). Wix's documentation does not say how long either takes, how many automatic
/// backups it keeps, or the page size: the stand-in takes 50 by default and at most 100 (the stricter).
/// </summary>
public sealed partial class StandInServer
{
    private readonly Dictionary<string, List<StandInBackup>> backups = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<StandInRestoration>> restorations = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The site's backups, oldest first (for tests to look at and to add automatic ones).</summary>
    public List<StandInBackup> Backups(string siteId)
    {
        lock (backups)
        {
            Advance(siteId);
            return backups.TryGetValue(siteId, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Changes the options while no request of the Backups API is being answered, so that a request sees
    /// them all before the change or all after.</summary>
    public void Change(Action<StandInOptions> change)
    {
        lock (backups) change(Options);
    }

    /// <summary>An automatic backup of the site as it is now, Ready at once (Wix takes one every 7 days).</summary>
    public StandInBackup AddAutoBackup(string siteId, DateTimeOffset? requested = null)
    {
        lock (backups)
        {
            var backup = Take(siteId, "AUTO", requested ?? DateTimeOffset.UtcNow, willFail: false, duration: TimeSpan.Zero);
            Advance(siteId);
            return backup;
        }
    }

    private StandInBackup Take(string siteId, string type, DateTimeOffset now, bool willFail, TimeSpan duration)
    {
        var backup = new StandInBackup
        {
            Id = Guid.NewGuid().ToString(),
            Type = type,
            RequestedDate = now,
            DoneAt = now + duration,
            WillFail = willFail,
            Collections = Data.Collections(siteId).Where(c => c.Type != "EXTERNAL").Select(c => new StandInCollectionCopy(
                c.Id, c.DisplayName, c.Type, [.. c.Fields], c.Items().Select(i => i.ToJsonString()).ToList(), c.AllReferences())).ToList(),
        };
        if (!backups.TryGetValue(siteId, out var list)) backups[siteId] = list = [];
        list.Add(backup);
        return backup;
    }

    /// <summary>Moves backups and restorations whose time has come on.</summary>
    private void Advance(string siteId)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var backup in backups.GetValueOrDefault(siteId) ?? [])
        {
            if (backup.Status != "PENDING" || now < backup.DoneAt) continue;
            backup.StartedDate = backup.RequestedDate;
            backup.FinishedDate = backup.DoneAt;
            backup.Status = backup.WillFail ? "FAILED" : "READY";
            if (!backup.WillFail) backup.SizeInBytes = backup.Collections.Sum(c => c.Items.Sum(i => (long)Encoding.UTF8.GetByteCount(i)));
        }
        foreach (var restoration in restorations.GetValueOrDefault(siteId) ?? [])
        {
            if (restoration.Status != "PENDING" || now < restoration.DoneAt) continue;
            restoration.StartedDate = restoration.RequestedDate;
            restoration.FinishedDate = restoration.DoneAt;
            if (restoration.WillFail) restoration.Status = "FAILED";
            else
            {
                Apply(siteId, restoration);
                restoration.Status = "COMPLETED";
            }
        }
    }

    /// <summary>Writes a backup's collections into the site, as the platform's restore does: each destination emptied
    /// and given the backup's items as they were (system dates included) and their references.</summary>
    private void Apply(string siteId, StandInRestoration restoration)
    {
        var chosen = restoration.Collections.Count == 0
            ? restoration.Backup.Collections.Select(c => (c, c.Id, (string?)c.DisplayName)).ToList()
            : restoration.Collections.Select(r => (restoration.Backup.Collections.First(c => c.Id == r.Source), r.Destination ?? r.Source, r.DisplayName)).ToList();
        var written = new List<(StandInCollectionCopy Copy, StandInCollection Destination)>();
        foreach (var (copy, id, name) in chosen)
        {
            var destination = Data.Collection(siteId, id);
            if (destination is null)
            {
                destination = Data.AddCollection(siteId, id, copy.Type, string.IsNullOrEmpty(name) ? copy.DisplayName : name);
                destination.Fields.AddRange(copy.Fields);
            }
            Data.Truncate(siteId, destination);
            foreach (string item in copy.Items) destination.Save(JsonNode.Parse(item)!["_id"]!.GetValue<string>(), item);
            written.Add((copy, destination));
        }
        foreach (var (copy, destination) in written)
            foreach (var (field, item, referenced) in copy.References)
                if (destination.MultiReference(field) is not null) Data.SetReferences(siteId, destination, field, item, referenced);
    }

    private (int, JsonObject) BackupsApi(string siteId, string method, string path, IQueryCollection query, string? text)
    {
        lock (backups)
        {
            Advance(siteId);
            var list = backups.TryGetValue(siteId, out var l) ? l : backups[siteId] = [];
            if (path == "backups" && method == "POST") return CreateBackup(siteId, list);
            if (path == "backups" && method == "GET")
            {
                var statuses = query["status"].OfType<string>().ToHashSet(StringComparer.Ordinal);
                var types = query["type"].OfType<string>().ToHashSet(StringComparer.Ordinal);
                if (statuses.Count > 10 || types.Count > 10 || statuses.Except(["PENDING", "READY", "FAILED", "DELETED", "CANCELED"]).Any() || types.Except(["ON_DEMAND", "AUTO"]).Any())
                    return (400, ErrorBody("status and type take at most 10 values of the API's enums", "INVALID_ARGUMENT"));
                var listed = list.Where(b => (statuses.Count == 0 || statuses.Contains(b.Status)) && (types.Count == 0 || types.Contains(b.Type)))
                    .OrderByDescending(b => b.RequestedDate).ToList();
                return Paged(listed.Select(b => b.ToJson()).ToList(), "backups", query);
            }
            if (path == "backups/restorations" && method == "GET")
            {
                var statuses = query["status"].OfType<string>().ToHashSet(StringComparer.Ordinal);
                if (statuses.Count > 10 || statuses.Except(["PENDING", "COMPLETED", "FAILED"]).Any())
                    return (400, ErrorBody("status takes at most 10 values of the API's enum", "INVALID_ARGUMENT"));
                var listed = (restorations.GetValueOrDefault(siteId) ?? []).Where(r => statuses.Count == 0 || statuses.Contains(r.Status))
                    .OrderByDescending(r => r.RequestedDate).Select(r => r.ToJson()).ToList();
                return Paged(listed, "restorations", query);
            }
            string[] parts = path.Split('/');
            var backup = parts.Length >= 2 ? list.FirstOrDefault(b => b.Id == parts[1]) : null;
            if (backup is null) return (404, ErrorBody($"Backup {(parts.Length >= 2 ? parts[1] : "")} not found", "BACKUP_NOT_FOUND"));
            // The SDK sends the id in the query string of a DELETE and in the body of a restore, besides the path: one
            // that names another backup is refused (the stricter reading).
            if (query["backupId"].FirstOrDefault() is { } named && named != backup.Id)
                return (400, ErrorBody("backupId does not match the path", "INVALID_ARGUMENT"));
            if (parts.Length == 2 && method == "DELETE")
            {
                if (backup.Status != "DELETED")
                {
                    backup.Status = "DELETED";
                    backup.DeletedDate = DateTimeOffset.UtcNow;
                }
                return (200, new JsonObject());
            }
            if (parts.Length == 3 && method == "POST" && parts[2] is "restore" or "partial-restore")
            {
                if (backup.Status != "READY") return (400, ErrorBody($"Backup {backup.Id} is {backup.Status}, not READY", "BACKUP_NOT_READY"));
                if (text is { Length: > 0 } && Parse(text)["backupId"]?.GetValue<string>() is { } inBody && inBody != backup.Id)
                    return (400, ErrorBody("backupId does not match the path", "INVALID_ARGUMENT"));
                var chosen = new List<(string, string?, string?)>();
                if (parts[2] == "partial-restore")
                {
                    var asked = Parse(text)["restorationCollections"]?.AsArray() ?? throw new InvalidOperationException("restorationCollections is required");
                    foreach (var entry in asked)
                    {
                        string source = entry?["dataCollectionId"]?.GetValue<string>() ?? throw new InvalidOperationException("dataCollectionId is required");
                        if (backup.Collections.All(c => c.Id != source)) return (400, ErrorBody($"Backup {backup.Id} has no collection {source}", "WDE0025"));
                        chosen.Add((source, entry["restoreDestination"]?["dataCollectionId"]?.GetValue<string>(), entry["restoreDestination"]?["displayName"]?.GetValue<string>()));
                    }
                    if (chosen.Count == 0) return (400, ErrorBody("restorationCollections is required", "INVALID_ARGUMENT"));
                }
                var now = DateTimeOffset.UtcNow;
                var restoration = new StandInRestoration
                {
                    Id = Guid.NewGuid().ToString(), Backup = backup, RequestedDate = now, DoneAt = now + Options.RestoreDuration,
                    WillFail = Options.FailNextRestore, Collections = chosen,
                };
                Options.FailNextRestore = false;
                if (!restorations.TryGetValue(siteId, out var done)) restorations[siteId] = done = [];
                done.Add(restoration);
                Advance(siteId);
                return (200, new JsonObject { ["restoration"] = restoration.ToJson() });
            }
            return (404, ErrorBody("No such endpoint", "NOT_FOUND"));
        }
    }

    /// <summary>A new on-demand backup; past the most kept, "the oldest existing on-demand backup" (the SDK's words) is
    /// deleted, whatever its status.</summary>
    private (int, JsonObject) CreateBackup(string siteId, List<StandInBackup> list)
    {
        var kept = list.Where(b => b.Type == "ON_DEMAND" && b.Status != "DELETED").OrderBy(b => b.RequestedDate).ToList();
        if (kept.Count >= Options.MaxOnDemandBackups)
        {
            kept[0].Status = "DELETED";
            kept[0].DeletedDate = DateTimeOffset.UtcNow;
        }
        var backup = Take(siteId, "ON_DEMAND", DateTimeOffset.UtcNow, Options.FailNextBackup, Options.BackupDuration);
        Options.FailNextBackup = false;
        Advance(siteId);
        return (200, new JsonObject { ["backup"] = backup.ToJson() });
    }

    private static (int, JsonObject) Paged(List<JsonObject> all, string name, IQueryCollection query)
    {
        int limit = int.TryParse(query["paging.limit"], out int l) ? l : 50;
        int offset = int.TryParse(query["paging.offset"], out int o) ? o : 0;
        if (limit is < 1 or > 100 || offset < 0) return (400, ErrorBody("paging.limit must be between 1 and 100", "INVALID_ARGUMENT"));
        var page = all.Skip(offset).Take(limit).ToList();
        return (200, new JsonObject
        {
            [name] = new JsonArray(page.Select(p => (JsonNode)p).ToArray()),
            ["pagingMetadata"] = new JsonObject { ["count"] = page.Count, ["offset"] = offset, ["total"] = all.Count },
        });
    }
}
