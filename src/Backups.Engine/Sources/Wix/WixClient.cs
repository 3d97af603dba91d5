using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.RateLimiting;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// The HTTP side of a Wix site: one <see cref="HttpClient"/> per site carrying the <c>Authorization</c> and
/// <c>wix-site-id</c> headers, every request paced evenly under the rate limit (a token bucket, one request per
/// 60/<see cref="WixOptions.RequestsPerMinute"/> seconds), and a Polly pipeline around each request: a timeout per
/// attempt, and retries with exponential backoff and jitter on 429 (waiting at least what Retry-After asks) and 5xx,
/// and on failures and timeouts on the way. Every request the source sends is safe to repeat: queries by cursor,
/// counts, truncation, bulk saves (a save of the same item twice leaves one item) and reference inserts (one repeated
/// is answered WDE0074, already there, which the restore counts as written). A request that is not (asking Wix for a
/// backup or a restoration: a second one would be a second backup, and Wix would drop another old one) is sent once,
/// retried only after a 429 (which Wix answers before it does anything), and its caller finds out from Wix's lists
/// whether an unclear failure went through (<see cref="PostOnceAsync"/>).
/// </summary>
internal sealed class WixClient : IDisposable
{
    /// <summary>One connection pool for the process; each site's client only adds its own headers.</summary>
    private static readonly SocketsHttpHandler SharedHandler = new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
    };

    private readonly HttpClient http;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;
    private readonly ResiliencePipeline<HttpResponseMessage> once;
    private readonly TokenBucketRateLimiter? pace;
    private readonly string siteId;

    public WixClient(string siteId, string wixSiteId, string apiKey, WixOptions options)
    {
        this.siteId = siteId;
        Options = options;
        http = new HttpClient(SharedHandler, disposeHandler: false)
        {
            BaseAddress = options.ApiBase,
            Timeout = Timeout.InfiniteTimeSpan, // the pipeline times each attempt out
        };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", apiKey);
        http.DefaultRequestHeaders.Add("wix-site-id", wixSiteId);
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("SiteBackup", typeof(WixClient).Assembly.GetName().Version?.ToString(3)));

        // One token at a time: no burst can push a minute over the limit, whichever way the server counts it. The
        // replenishing timer cannot tick faster than a millisecond, so a rate of 60,000 a minute or more is no pace.
        pace = options.RequestsPerMinute >= 60_000 ? null : new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromTicks(TimeSpan.TicksPerMinute / Math.Max(1, options.RequestsPerMinute)),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });

        pipeline = Pipeline(new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(response => IsTransient(response.StatusCode)), options);
        once = Pipeline(new PredicateBuilder<HttpResponseMessage>().HandleResult(response => response.StatusCode == HttpStatusCode.TooManyRequests), options);
    }

    /// <summary>Retries what <paramref name="retried"/> says, with exponential backoff and jitter, at least as late as
    /// Retry-After asks; each attempt timed out on its own.</summary>
    private static ResiliencePipeline<HttpResponseMessage> Pipeline(PredicateBuilder<HttpResponseMessage> retried, WixOptions options) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = retried,
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose(); // the answer being retried is not read
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();

    public WixOptions Options { get; }

    public async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, path, null, null, cancellationToken))!;

    public async Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Delete, path, null, null, cancellationToken))!.Dispose();

    /// <summary>POSTs <paramref name="body"/> (JSON) and returns the answer; <paramref name="collectionId"/> names
    /// the collection in errors.</summary>
    public async Task<JsonDocument> PostAsync(string path, ReadOnlyMemory<byte> body, string? collectionId, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, path, body, collectionId, cancellationToken, tooLargeIsNull: false))!;

    /// <summary>As <see cref="PostAsync"/> for a request that must not be repeated: sent once (again only after a 429).
    /// A failure on the way, a timeout or a 5xx is SiteUnreachable, and the request may or may not have been carried
    /// out.</summary>
    public async Task<JsonDocument> PostOnceAsync(string path, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, path, body, null, cancellationToken, repeatable: false))!;

    /// <summary>As <see cref="PostAsync"/>, but null when Wix answers 413 (the request is larger than it takes), so
    /// that the caller can send it again in parts.</summary>
    public Task<JsonDocument?> PostUnlessTooLargeAsync(string path, ReadOnlyMemory<byte> body, string? collectionId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body, collectionId, cancellationToken, tooLargeIsNull: true);

    private async Task<JsonDocument?> SendAsync(HttpMethod method, string path, ReadOnlyMemory<byte>? body, string? collectionId, CancellationToken cancellationToken,
        bool tooLargeIsNull = false, bool repeatable = true)
    {
        HttpResponseMessage response;
        try
        {
            response = await (repeatable ? pipeline : once).ExecuteAsync(async token =>
            {
                using var lease = pace is null ? null : await pace.AcquireAsync(1, token);
                using var request = new HttpRequestMessage(method, path);
                if (body is { } content)
                {
                    request.Content = new ReadOnlyMemoryContent(content);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                }
                return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            }, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            throw new BackupException(BackupError.SiteUnreachable,
                $"The Wix Data API cannot be reached for '{siteId}' after {(repeatable ? Options.MaxRetries + 1 : 1)} attempt(s): {e.Message}", siteId, e);
        }

        using (response)
        {
            byte[] answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (tooLargeIsNull && response.StatusCode == HttpStatusCode.RequestEntityTooLarge) return null;
            if (!response.IsSuccessStatusCode)
                throw WixErrors.FromResponse(response.StatusCode, answer, siteId, collectionId, repeatable ? Options.MaxRetries + 1 : 1);
            try
            {
                return JsonDocument.Parse(answer);
            }
            catch (JsonException e)
            {
                throw new BackupException(BackupError.SiteUnreachable, $"The Wix Data API answered '{siteId}' with something that is not JSON.", siteId, e);
            }
        }
    }

    private static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Retry-After (seconds or a date) when the answer has one: never retry sooner than asked, never wait
    /// longer than the longest delay. Null lets the backoff decide.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, WixOptions options)
    {
        var header = response?.Headers.RetryAfter;
        if (header is null) return null;
        var wait = header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (wait is null) return null;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > options.MaxRetryDelay ? options.MaxRetryDelay : wait;
    }

    public void Dispose()
    {
        pace?.Dispose();
        http.Dispose();
    }
}
