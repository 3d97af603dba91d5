namespace SiteBackup.Engine.Model;

/// <summary>
/// A snapshot of a running backup, restore or verification. Reported at collection boundaries and at most a
/// few times a second in between, so a consumer may do slow things (draw a progress bar) with each one.
/// </summary>
public sealed record BackupProgress
{
    public required string Activity { get; init; }

    /// <summary>The collection being worked on; null before the first and after the last.</summary>
    public string? CollectionId { get; init; }

    /// <summary>Zero-based position of the collection among <see cref="CollectionCount"/>.</summary>
    public int CollectionIndex { get; init; }
    public int CollectionCount { get; init; }
    public long ItemsDone { get; init; }

    /// <summary>Items in the collection when known, else -1.</summary>
    public long ItemsTotal { get; init; } = -1;

    /// <summary>Bytes of the collection's items done, uncompressed (JSON text as it is in the archive entry).</summary>
    public long BytesDone { get; init; }

    /// <summary>Items done over the whole operation: every earlier collection's and this one's.</summary>
    public long OverallItemsDone { get; init; }

    /// <summary>Items of the whole operation when known, else -1.</summary>
    public long OverallItemsTotal { get; init; } = -1;

    public bool Completed { get; init; }
}
