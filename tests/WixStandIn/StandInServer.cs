using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SiteBackup.WixStandIn;

/// <summary>
/// A local stand-in for the Wix Data REST API (<c>/wix-data/v2</c>), written from Wix's public documentation and the
/// request types of its SDK, for tests only. It serves what a Wix collection source calls: <c>GET collections</c>
/// (offset paging; each collection with its fields, <c>capabilities.dataOperations</c>, <c>maxPageSize</c> and
/// <c>pagingModes</c>), <c>POST items/query</c> and <c>GET items/query?.r=</c> (the query as base64url JSON, as Wix's
/// SDK sends it; cursor paging of 50 items by default and at most 100, offset paging of at most 1000, neither past
/// the collection's <c>maxPageSize</c>; drafts only with <c>publishPluginOptions.includeDraftItems</c>; multi-references
/// only with <c>includeReferences</c>, at most 50 an item; <c>appOptions</c>), <c>POST items/count</c>,
/// <c>POST items/truncate</c> (which also clears the multi-references other collections hold to the truncated one),
/// <c>POST bulk/items/save</c> and <c>bulk/items/insert</c> (at most 1000 items a call, a result for each item with
/// the API's action enum INSERT or UPDATE, items of at most 500 KB, multi-references written only with
/// <c>saveReferences</c>), <c>POST bulk/items/insert-references</c> and <c>POST items/query-referenced</c>. Each
/// collection answers only the operations its capabilities list. It answers 403 without a <c>wix-site-id</c> header,
/// 401 with a wrong key, 404 for an unknown site or collection (WDE0025), 400 for a page or bulk past the limits,
/// 413 for a body past <see cref="StandInOptions.MaxRequestBytes"/> (WDE0109), 429 with Retry-After past the rate
/// limit, and injected 5xx faults (before or after acting) and slow answers. It sets <c>_createdDate</c> and
/// <c>_updatedDate</c> itself on every write, as Wix does. Where the SDK and the documentation are silent it takes
/// the stricter choice and says so where it does.
/// </summary>
public sealed partial class StandInServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Queue<DateTimeOffset> window = new();
    private long counted;
    private int faults;

    public StandInServer(StandInOptions? options = null)
    {
        Options = options ?? new StandInOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.Run(HandleAsync);
    }

    public StandInOptions Options { get; }
    public StandInData Data { get; } = new();

    /// <summary>The API base, ending in <c>/wix-data/v2/</c>.</summary>
    public Uri ApiBase { get; private set; } = null!;

    public int Requests { get; private set; }
    /// <summary>Requests past authentication and the rate limit, as <see cref="StandInOptions.FailEvery"/> counts them.</summary>
    public long Counted { get { lock (window) return counted; } }
    /// <summary>Requests served by path (<c>items/query</c>, <c>bulk/items/save</c>, ...).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Calls { get; } = new();
    public int Throttled { get; private set; }
    public int Faults => faults;
    public int Slowed { get; private set; }
    public int BulkItemErrors { get; private set; }
    /// <summary>Requests answered 413.</summary>
    public int TooLarge { get; private set; }
    /// <summary>Requests answered 413, by path.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> TooLargeCalls { get; } = new();
    /// <summary>Arrival times of the requests that were served (not throttled).</summary>
    public List<DateTimeOffset> Served { get; } = [];
    /// <summary>Every request past authentication, as it came: method, path under <c>/wix-data/v2/</c>, query
    /// string and body (for a GET query, the JSON its <c>.r</c> carries), in order.</summary>
    public List<RecordedRequest> Recorded { get; } = [];

    public async Task<StandInServer> StartAsync()
    {
        await app.StartAsync();
        string address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ApiBase = new Uri(address.TrimEnd('/') + "/wix-data/v2/");
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string path = request.Path.Value ?? "";
        if (!path.StartsWith("/wix-data/v2/", StringComparison.Ordinal))
        {
            await Error(context, 404, "Not found", "NOT_FOUND");
            return;
        }
        path = path["/wix-data/v2/".Length..];
        lock (window) Requests++;

        string? siteId = request.Headers["wix-site-id"].FirstOrDefault();
        if (string.IsNullOrEmpty(siteId))
        {
            await Error(context, 403, "Missing wix-site-id header", "PERMISSION_DENIED");
            return;
        }
        if (request.Headers.Authorization.FirstOrDefault() != Options.ApiKey)
        {
            await Error(context, 401, "Invalid API key", "UNAUTHENTICATED");
            return;
        }
        if (Throttle() is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Error(context, 429, "Too many requests", "RATE_LIMIT_EXCEEDED");
            return;
        }

        long number;
        lock (window) number = ++counted;
        if (Options.SlowEvery > 0 && number % Options.SlowEvery == 0)
        {
            lock (window) Slowed++;
            await Task.Delay(Options.SlowDelay, context.RequestAborted);
        }
        if (Options.FailFrom > 0 && number >= Options.FailFrom)
        {
            Interlocked.Increment(ref faults);
            await Error(context, Options.FaultStatus, "Injected outage", "INTERNAL");
            return;
        }
        bool faultAfter = false;
        if (Options.FailEvery > 0 && number % Options.FailEvery == 0)
        {
            int nth = Interlocked.Increment(ref faults);
            faultAfter = Options.FaultTiming == FaultTiming.After || (Options.FaultTiming == FaultTiming.Alternate && nth % 2 == 0);
            if (!faultAfter)
            {
                await Error(context, Options.FaultStatus, "Injected fault", "INTERNAL");
                return;
            }
        }

        if (!Data.HasSite(siteId))
        {
            await Error(context, 404, $"Site {siteId} not found", "SITE_NOT_FOUND");
            return;
        }

        if (Options.FailPaths.Contains(path))
        {
            Interlocked.Increment(ref faults);
            await Error(context, Options.FaultStatus, "Injected outage of " + path, "INTERNAL");
            return;
        }
        Calls.AddOrUpdate(path, 1, (_, n) => n + 1);
        lock (Options.LoseAnswerOnce)
            if (Options.LoseAnswerOnce.Remove(path))
            {
                Interlocked.Increment(ref faults);
                faultAfter = true;
            }
        string? text = null;
        if (HttpMethods.IsGet(request.Method) && path == "items/query")
            text = Encoding.UTF8.GetString(Base64Url(request.Query[".r"].FirstOrDefault() ?? ""));
        if (HttpMethods.IsPost(request.Method))
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            text = await reader.ReadToEndAsync();
            if (Encoding.UTF8.GetByteCount(text) > Options.MaxRequestBytes)
            {
                lock (window) TooLarge++;
                TooLargeCalls.AddOrUpdate(path, 1, (_, n) => n + 1);
                await Error(context, 413, "Payload is too large", "WDE0109");
                return;
            }
        }
        lock (Recorded) Recorded.Add(new RecordedRequest(request.Method, path, request.QueryString.Value ?? "", text));
        (int status, JsonObject body) answer;
        try
        {
            answer = path switch
            {
                "collections" when HttpMethods.IsGet(request.Method) => ListCollections(siteId, request.Query),
                // POST, or the SDK's form: the whole request as base64url JSON in ".r".
                "items/query" when HttpMethods.IsPost(request.Method) || HttpMethods.IsGet(request.Method) => Query(siteId, Parse(text is { Length: > 0 } ? text : null)),
                "items/count" when HttpMethods.IsPost(request.Method) => Count(siteId, Parse(text)),
                "items/truncate" when HttpMethods.IsPost(request.Method) => Truncate(siteId, Parse(text)),
                "bulk/items/save" when HttpMethods.IsPost(request.Method) => Bulk(siteId, Parse(text), insert: false),
                "bulk/items/insert" when HttpMethods.IsPost(request.Method) => Bulk(siteId, Parse(text), insert: true),
                "bulk/items/insert-references" when HttpMethods.IsPost(request.Method) => InsertReferences(siteId, Parse(text)),
                "items/query-referenced" when HttpMethods.IsPost(request.Method) => QueryReferenced(siteId, Parse(text)),
                _ when path == "backups" || path.StartsWith("backups/", StringComparison.Ordinal) => BackupsApi(siteId, request.Method, path, request.Query, text),
                _ => (404, ErrorBody("No such endpoint", "NOT_FOUND")),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            answer = (400, ErrorBody($"Bad request: {e.Message}", "INVALID_ARGUMENT"));
        }
        if (faultAfter)
        {
            await Error(context, Options.FaultStatus, "Injected fault (after the request was carried out)", "INTERNAL");
            return;
        }
        context.Response.StatusCode = answer.status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.body.ToJsonString());
    }

    /// <summary>A sliding window: the time until a place frees up when it is full, else null (and the request counts).</summary>
    private TimeSpan? Throttle()
    {
        var now = DateTimeOffset.UtcNow;
        lock (window)
        {
            if (Options.RateLimit <= 0)
            {
                Served.Add(now);
                return null;
            }
            while (window.Count > 0 && now - window.Peek() >= Options.RateWindow) window.Dequeue();
            if (window.Count >= Options.RateLimit)
            {
                Throttled++;
                return window.Peek() + Options.RateWindow - now;
            }
            window.Enqueue(now);
            Served.Add(now);
            return null;
        }
    }

    private static JsonObject Parse(string? text) =>
        JsonNode.Parse(text ?? throw new JsonException("empty body"))?.AsObject() ?? throw new JsonException("empty body");

    private static byte[] Base64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }

    private (int, JsonObject) ListCollections(string siteId, IQueryCollection query)
    {
        int limit = int.TryParse(query["paging.limit"], out int l) ? l : 50;
        int offset = int.TryParse(query["paging.offset"], out int o) ? o : 0;
        if (limit is < 1 or > 1000) return (400, ErrorBody("paging.limit must be between 1 and 1000", "INVALID_ARGUMENT"));
        var all = Data.Collections(siteId);
        var page = all.Skip(offset).Take(limit).ToList();
        var collections = new JsonArray(page.Select(c => (JsonNode)Describe(c)).ToArray());
        return (200, new JsonObject
        {
            ["collections"] = collections,
            ["pagingMetadata"] = new JsonObject { ["count"] = page.Count, ["offset"] = offset, ["total"] = all.Count },
        });
    }

    /// <summary>The request's collection when it exists and allows <paramref name="operation"/>; else null and the
    /// answer: 404 (WDE0025) for no such collection, 403 for an operation its capabilities do not list (Wix's SDK names
    /// no code for that: the stand-in's own).</summary>
    private StandInCollection? Find(string siteId, JsonObject body, string operation, out (int, JsonObject) refused)
    {
        string id = body["dataCollectionId"]?.GetValue<string>() ?? throw new InvalidOperationException("dataCollectionId is required");
        var collection = Data.Collection(siteId, id);
        refused = (404, ErrorBody($"Collection {id} does not exist", "WDE0025"));
        if (collection is not null && !collection.Allows(operation))
        {
            refused = (403, ErrorBody($"Collection {id} does not support {operation}", "OPERATION_NOT_SUPPORTED"));
            return null;
        }
        return collection;
    }

    private (int, JsonObject) Query(string siteId, JsonObject body)
    {
        if (Find(siteId, body, "FIND", out var notFound) is not { } collection) return notFound;
        // Drafts show only when the request asks for them (publishPluginOptions.includeDraftItems, as the SDK sends it).
        bool drafts = body["publishPluginOptions"]?["includeDraftItems"]?.GetValue<bool>() ?? false;
        var appOptions = AppOptions(body);
        if (Included(collection, body, out var refused) is not { } included) return refused;
        if (body["query"]?["paging"] is { } offsetPaging) return OffsetQuery(siteId, collection, offsetPaging, drafts, appOptions, included);
        if (!collection.PagingModes.Contains("CURSOR"))
            return (400, ErrorBody($"Collection {collection.Id} does not support cursor paging", "INVALID_ARGUMENT"));
        var paging = body["query"]?["cursorPaging"];
        int limit = paging?["limit"]?.GetValue<int>() ?? Math.Min(Options.DefaultPage, collection.MaxPageSize ?? int.MaxValue);
        int most = Math.Min(Options.MaxCursorPage, collection.MaxPageSize ?? int.MaxValue);
        if (limit < 1 || limit > most)
            return (400, ErrorBody($"cursorPaging.limit must be between 1 and {most}", "INVALID_ARGUMENT"));
        long after = 0;
        if (paging?["cursor"]?.GetValue<string>() is { } cursor)
        {
            // A cursor request carries nothing else of the query (an empty field list, as the SDK sends, is nothing).
            if (body["query"]!.AsObject().Any(p => p.Key != "cursorPaging" && !(p.Key == "fields" && p.Value is JsonArray { Count: 0 })))
                return (400, ErrorBody("A cursor request takes no filter or sort", "INVALID_ARGUMENT"));
            string[] parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split('|');
            if (parts.Length != 3 || parts[0] != collection.Id) return (400, ErrorBody("Invalid cursor", "INVALID_CURSOR"));
            after = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            drafts = parts[2] == "drafts"; // a cursor goes on as its query began
        }
        var page = collection.Page(after, limit, out bool more, drafts, appOptions);
        var cursors = new JsonObject();
        if (more) cursors["next"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{collection.Id}|{page[^1].Sequence}|{(drafts ? "drafts" : "live")}"));
        return (200, new JsonObject
        {
            ["dataItems"] = Items(siteId, collection, page, included, drafts),
            ["pagingMetadata"] = new JsonObject { ["count"] = page.Count, ["cursors"] = cursors, ["hasNext"] = more },
        });
    }

    /// <summary>Offset paging: <c>paging.limit</c> (50 by default, at most 1000) items from <c>paging.offset</c>, in the
    /// collection's order, with the total.</summary>
    private (int, JsonObject) OffsetQuery(string siteId, StandInCollection collection, JsonNode paging, bool drafts, IReadOnlySet<string> appOptions, IReadOnlyList<(string Field, int Limit)> included)
    {
        if (!collection.PagingModes.Contains("OFFSET"))
            return (400, ErrorBody($"Collection {collection.Id} does not support offset paging", "INVALID_ARGUMENT"));
        int most = Math.Min(Options.MaxOffsetPage, collection.MaxPageSize ?? int.MaxValue);
        int limit = paging["limit"]?.GetValue<int>() ?? Math.Min(Options.DefaultPage, most);
        int offset = paging["offset"]?.GetValue<int>() ?? 0;
        if (limit < 1 || limit > most || offset < 0)
            return (400, ErrorBody($"paging.limit must be between 1 and {most}, paging.offset at least 0", "INVALID_ARGUMENT"));
        var all = collection.Page(0, int.MaxValue - 1, out _, drafts, appOptions);
        var page = all.Skip(offset).Take(limit).ToList();
        // An offset page also gives the cursor of the next one, which Wix's SDK follows from its first page on.
        var cursors = new JsonObject();
        if (offset + page.Count < all.Count && page.Count > 0 && collection.PagingModes.Contains("CURSOR"))
            cursors["next"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{collection.Id}|{page[^1].Sequence}|{(drafts ? "drafts" : "live")}"));
        return (200, new JsonObject
        {
            ["dataItems"] = Items(siteId, collection, page, included, drafts),
            ["pagingMetadata"] = new JsonObject { ["count"] = page.Count, ["offset"] = offset, ["total"] = all.Count, ["cursors"] = cursors, ["hasNext"] = offset + page.Count < all.Count },
        });
    }

    /// <summary>Counts as a query would return: drafts only when asked, hidden app items only with their app option.</summary>
    private (int, JsonObject) Count(string siteId, JsonObject body) =>
        Find(siteId, body, "COUNT", out var notFound) is { } collection
            ? (200, new JsonObject { ["totalCount"] = collection.CountVisible(body["publishPluginOptions"]?["includeDraftItems"]?.GetValue<bool>() ?? false, AppOptions(body)) })
            : notFound;

    private (int, JsonObject) Truncate(string siteId, JsonObject body)
    {
        if (Find(siteId, body, "TRUNCATE", out var notFound) is not { } collection) return notFound;
        Data.Truncate(siteId, collection);
        return (200, new JsonObject());
    }

    private (int, JsonObject) Bulk(string siteId, JsonObject body, bool insert)
    {
        if (Find(siteId, body, insert ? "BULK_INSERT" : "BULK_SAVE", out var notFound) is not { } collection) return notFound;
        bool saveReferences = body["saveReferences"]?.GetValue<bool>() ?? false;
        // As the request type documents it: with returnEntity each successful result carries the item as saved.
        bool returnEntity = body["returnEntity"]?.GetValue<bool>() ?? false;
        var items = body["dataItems"]?.AsArray() ?? throw new InvalidOperationException("dataItems is required");
        if (items.Count > Options.MaxBulk)
            return (400, ErrorBody($"A bulk request takes at most {Options.MaxBulk} items", "INVALID_ARGUMENT"));
        var results = new JsonArray();
        int successes = 0, failures = 0;
        for (int i = 0; i < items.Count; i++)
        {
            var given = items[i]!.AsObject();
            var data = given["data"]?.DeepClone().AsObject() ?? new JsonObject();
            string id = given["id"]?.GetValue<string>() ?? data["_id"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
            data["_id"] = id;
            string text = data.ToJsonString();
            var meta = new JsonObject { ["id"] = id, ["originalIndex"] = i };
            string? error = null, code = null;
            if (Encoding.UTF8.GetByteCount(text) > Options.MaxItemBytes)
                // Wix's SDK names no code for an item past 500 KB: the stand-in's own.
                (code, error) = ("ITEM_TOO_LARGE", $"The item is larger than {Options.MaxItemBytes / 1024} KB");
            else if (insert && collection.Contains(id))
                (code, error) = ("WDE0074", $"An item with id {id} already exists");
            if (error is null)
            {
                // As Wix: a write sets _updatedDate to now, and _createdDate to now for a new item (an update keeps
                // the item's own); what a client sends for them is not kept. _owner is kept as sent (the
                // documentation is silent on it).
                string now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
                data["_createdDate"] = collection.CreatedDate(id)?.DeepClone() ?? new JsonObject { ["$date"] = now };
                data["_updatedDate"] = new JsonObject { ["$date"] = now };
                text = data.ToJsonString();
                bool created = collection.Save(id, text);
                // Multi-references are written only when the save asks for them; the item's data never holds them.
                if (saveReferences)
                    foreach (var field in collection.Fields.Where(f => f.Type == "MULTI_REFERENCE" && data[f.Key] is JsonArray))
                        Data.SetReferences(siteId, collection, field.Key, id, ReferencedIds(data[field.Key]!.AsArray()));
                meta["success"] = true;
                var result = new JsonObject { ["action"] = created ? "INSERT" : "UPDATE", ["itemMetadata"] = meta };
                if (returnEntity)
                {
                    var saved = JsonNode.Parse(text)!.AsObject();
                    foreach (var field in collection.Fields.Where(f => f.Type == "MULTI_REFERENCE")) saved.Remove(field.Key);
                    result["dataItem"] = new JsonObject { ["id"] = id, ["dataCollectionId"] = collection.Id, ["data"] = saved };
                }
                results.Add(result);
                successes++;
            }
            else
            {
                meta["success"] = false;
                meta["error"] = new JsonObject { ["code"] = code, ["description"] = error };
                results.Add(new JsonObject { ["action"] = "UNKNOWN_ACTION_TYPE", ["itemMetadata"] = meta });
                failures++;
            }
        }
        lock (window) BulkItemErrors += failures;
        return (200, new JsonObject
        {
            ["results"] = results,
            ["bulkActionMetadata"] = new JsonObject { ["totalSuccesses"] = successes, ["totalFailures"] = failures },
        });
    }

    private static JsonObject ErrorBody(string message, string code) => new()
    {
        ["message"] = message,
        ["details"] = new JsonObject { ["applicationError"] = new JsonObject { ["code"] = code, ["description"] = message } },
    };

    private static async Task Error(HttpContext context, int status, string message, string code)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ErrorBody(message, code).ToJsonString());
    }
}
