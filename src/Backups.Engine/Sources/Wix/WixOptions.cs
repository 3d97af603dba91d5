using System.Globalization;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// How SiteBackup talks to the Wix Data API. The defaults follow Wix's documented limits; every one can be changed
/// through an environment variable, so a runbook (or a test against a local stand-in) can set them without a
/// parameter on every cmdlet.
/// </summary>
public sealed record WixOptions
{
    /// <summary>The Wix Data REST API (<c>SITEBACKUP_WIX_API</c>).</summary>
    public Uri ApiBase { get; init; } = new("https://www.wixapis.com/wix-data/v2/");

    /// <summary>Requests a minute SiteBackup allows itself (<c>SITEBACKUP_WIX_RATE</c>). Wix documents 200 a minute
    /// for an app; SiteBackup paces its requests evenly under this instead of running into 429 answers.</summary>
    public int RequestsPerMinute { get; init; } = 200;

    /// <summary>Retries of one request answered 429 or 5xx, or that failed or timed out on the way.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>The first retry's delay; each next one doubles, with jitter (<c>SITEBACKUP_WIX_RETRY_DELAY</c>, seconds).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts, also for a Retry-After that asks for more.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one attempt may take (<c>SITEBACKUP_WIX_TIMEOUT</c>, seconds).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Largest page of a query by cursor (and of referenced items): Wix's SDK documents at most 100 items a
    /// page for cursor paging of native collections (1000 for offset paging, which a backup uses only for a collection
    /// that takes no cursor: a cursor keeps its place while items are written).</summary>
    public int QueryPageSize { get; init; } = 100;

    /// <summary>Largest bulk write, as Wix documents.</summary>
    public int BulkSize { get; init; } = 1000;

    /// <summary>A bulk save also ends once its body passes this many bytes (items can be up to 500 KB each). Wix does
    /// not document its largest request; one it answers 413 is split in two and sent again, down to single items.</summary>
    public int MaxBulkBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Waiting for Wix's own backups and restorations: the first look after this, each next one twice as late
    /// (<c>SITEBACKUP_WIX_POLL_DELAY</c>, seconds).</summary>
    public TimeSpan PollDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two looks.</summary>
    public TimeSpan MaxPollDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a Wix backup or restoration before giving up with an error (it goes on at Wix):
    /// <c>SITEBACKUP_WIX_WAIT_TIMEOUT</c>, seconds; 30 minutes by default.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public static WixOptions FromEnvironment()
    {
        var options = new WixOptions();
        if (Environment.GetEnvironmentVariable("SITEBACKUP_WIX_API") is { Length: > 0 } api)
        {
            if (!Uri.TryCreate(api.EndsWith('/') ? api : api + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                throw new BackupException(BackupError.InvalidArgument, $"SITEBACKUP_WIX_API is not an http(s) URL: '{api}'.");
            options = options with { ApiBase = uri };
        }
        return options with
        {
            RequestsPerMinute = (int)Number("SITEBACKUP_WIX_RATE", options.RequestsPerMinute),
            RetryDelay = TimeSpan.FromSeconds(Number("SITEBACKUP_WIX_RETRY_DELAY", options.RetryDelay.TotalSeconds)),
            AttemptTimeout = TimeSpan.FromSeconds(Number("SITEBACKUP_WIX_TIMEOUT", options.AttemptTimeout.TotalSeconds)),
            PollDelay = TimeSpan.FromSeconds(Number("SITEBACKUP_WIX_POLL_DELAY", options.PollDelay.TotalSeconds)),
            WaitTimeout = TimeSpan.FromSeconds(Number("SITEBACKUP_WIX_WAIT_TIMEOUT", options.WaitTimeout.TotalSeconds)),
        };
    }

    private static double Number(string name, double fallback)
    {
        string? text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(text)) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0)
            throw new BackupException(BackupError.InvalidArgument, $"{name} must be a positive number, not '{text}'.");
        return value;
    }
}
