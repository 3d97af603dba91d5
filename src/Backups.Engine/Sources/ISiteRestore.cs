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

    /// <summary>Removes every item of the collections about to be restored, and returns the order in which to
    /// write them (a site with foreign keys wants referenced collections first).</summary>
    Task<IReadOnlyList<string>> ClearAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken);

    /// <summary>Writes the items of <paramref name="items"/> into <paramref name="collectionId"/>, which
    /// <see cref="ClearAsync"/> emptied. Returns the number of items written.</summary>
    Task<long> WriteAsync(string collectionId, ItemReader items, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
