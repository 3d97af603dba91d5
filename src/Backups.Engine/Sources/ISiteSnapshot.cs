using SiteBackup.Engine.Archive;

namespace SiteBackup.Engine.Sources;

/// <summary>A consistent read of a site: every collection as of one moment.</summary>
public interface ISiteSnapshot : IAsyncDisposable
{
    IReadOnlyList<CollectionInfo> Collections { get; }

    /// <summary>How many items <paramref name="collection"/> holds in this snapshot, for progress.</summary>
    Task<long> CountAsync(CollectionInfo collection, CancellationToken cancellationToken);

    /// <summary>Writes every item of <paramref name="collection"/> to <paramref name="items"/>, one at a time.</summary>
    Task ExportAsync(CollectionInfo collection, ItemWriter items, CancellationToken cancellationToken);
}
