namespace SiteBackup.WixStandIn;

/// <summary>Where a request that gets a fault fails: before the stand-in acts on it, or after (the answer is lost
/// but the write happened, which is what makes a retried write dangerous).</summary>
public enum FaultTiming { Before, After, Alternate }

/// <summary>
/// How the stand-in behaves. The defaults are Wix's documented limits: query pages of at most 100 items by cursor
/// and 1000 by offset (as Wix's SDK documents them for native collections), bulk writes of at most 1000 items, items
/// of at most 500 KB, 200 requests a minute.
/// </summary>
public sealed class StandInOptions
{
    public string ApiKey { get; set; } = "test-api-key";
    public int MaxCursorPage { get; set; } = 100;
    public int MaxOffsetPage { get; set; } = 1000;

    /// <summary>A request body larger than this is answered 413. Wix answers 413 to oversized requests without
    /// documenting the size; the stand-in takes the stricter 4 MB (SiteBackup's own bulk bodies end there).</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;
    public int DefaultPage { get; set; } = 50;
    public int MaxBulk { get; set; } = 1000;
    public int MaxItemBytes { get; set; } = 500 * 1024;

    /// <summary>At most this many requests in any <see cref="RateWindow"/>; past it, 429 with Retry-After. 0: no limit.</summary>
    public int RateLimit { get; set; } = 200;
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every Nth request (counting those past authentication and the rate limit) is answered
    /// <see cref="FaultStatus"/>. 0: never.</summary>
    public int FailEvery { get; set; }
    public int FaultStatus { get; set; } = 503;
    public FaultTiming FaultTiming { get; set; } = FaultTiming.Alternate;

    /// <summary>Every request from the Nth on (counting as <see cref="FailEvery"/> does) is answered
    /// <see cref="FaultStatus"/> before it is carried out: the API is down for good. 0: never.</summary>
    public long FailFrom { get; set; }

    /// <summary>The next request to each of these paths is carried out and then answered <see cref="FaultStatus"/>, as if
    /// the answer were lost on the way (once per path: the path leaves the set).</summary>
    public HashSet<string> LoseAnswerOnce { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests to these paths (<c>bulk/items/insert-references</c>, ...) are answered <see cref="FaultStatus"/>
    /// before they are carried out: one part of the API down for good.</summary>
    public HashSet<string> FailPaths { get; } = new(StringComparer.Ordinal);

    /// <summary>How long a backup of the Backups API stays PENDING before it is READY (or FAILED).</summary>
    public TimeSpan BackupDuration { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long a restoration stays PENDING before it is carried out and COMPLETED (or FAILED).</summary>
    public TimeSpan RestoreDuration { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The next backup asked for ends FAILED; the next restoration, FAILED without writing anything.</summary>
    public bool FailNextBackup { get; set; }
    public bool FailNextRestore { get; set; }

    /// <summary>On-demand backups Wix keeps: a new one past these deletes the oldest.</summary>
    public int MaxOnDemandBackups { get; set; } = 3;

    /// <summary>Every Nth request is answered only after <see cref="SlowDelay"/>. 0: never.</summary>
    public int SlowEvery { get; set; }
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(5);
}
