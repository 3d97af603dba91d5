using SiteBackup.Engine.Archive;

namespace SiteBackup.Engine.Sources;

/// <summary>
/// A restore in progress on a site: collections replaced inside one transaction. Disposing without
/// <see cref="CommitAsync"/> rolls everything back.
/// </summary>
public interface ISiteRestore : IAsyncDisposable
{
    /// <summary>The collections the site has now, inside the restore's transaction.</summary>
    IReadOnlyList<CollectionInfo> Collections { get; }

    /// <summary>Removes every item of <paramref name="collectionId"/> and writes the items of
    /// <paramref name="items"/> in their place. Returns the number of items written.</summary>
    Task<long> ReplaceAsync(string collectionId, ItemReader items, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
