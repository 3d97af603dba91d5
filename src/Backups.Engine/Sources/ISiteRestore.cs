using SiteBackup.Engine.Archive;

namespace SiteBackup.Engine.Sources;

/// <summary>
/// A restore in progress on a site: collections replaced inside one transaction. Disposing without
/// <see cref="CommitAsync"/> rolls everything back. A site without transactions says so with
/// <see cref="IsTransactional"/> false: its <see cref="ClearAsync"/> only orders, each <see cref="WriteAsync"/>
/// empties its collection and writes item by item, what was written stays written, and <see cref="CommitAsync"/>
/// has nothing left to do.
/// </summary>
public interface ISiteRestore : IAsyncDisposable
{
    /// <summary>True when nothing is visible until <see cref="CommitAsync"/> and a failure changes nothing.</summary>
    bool IsTransactional => true;

    /// <summary>Items the site refused one by one (a bulk write's per-item errors); the rest were written.</summary>
    IReadOnlyList<RefusedItem> RefusedItems => [];

    /// <summary>For a site without transactions, how many items <paramref name="collectionId"/> holds since this
    /// restore emptied it, or null when it has not touched it: what a failure part-way leaves behind.</summary>
    long? ItemsWritten(string collectionId) => null;

    /// <summary>Fields of <paramref name="collectionId"/>'s restored items whose values the site did not keep as the
    /// backup had them, once it is written (Wix sets <c>_createdDate</c>, <c>_updatedDate</c> itself; SQLite may store
    /// text with a NUL in it as a number in a numeric column).</summary>
    IReadOnlyList<string> NotKept(string collectionId) => [];

    /// <summary>For a collection of the archive that the site lacks, how to create it (the statement its definitions
    /// hold), for the error that says it is missing; null when the kind cannot say.</summary>
    string? HowToCreate(string sourceId) => null;

    /// <summary>What the restore will not give back exactly as the backup had it (a destination defined otherwise
    /// than the backed-up collection, say): each is reported as a warning, those known once it has begun at once, those
    /// found on the way once it is committed.</summary>
    IReadOnlyList<string> Warnings => [];

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

/// <summary>One item a site refused: its collection, its id, and the site's error code and message.</summary>
public sealed record RefusedItem(string CollectionId, string? ItemId, string Code, string Message);
