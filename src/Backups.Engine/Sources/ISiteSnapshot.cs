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

    /// <summary>How <paramref name="collection"/>'s items are laid out, for the manifest and the restore.</summary>
    CollectionLayout Layout(CollectionInfo collection) => CollectionLayout.Rows;

    /// <summary>What a backup of <paramref name="selected"/> cannot keep, and why; a backup names them in its record and
    /// warns. Omissions of the selected collections, and of what of the site is no collection (named under its own
    /// name; a backup keeps those its selection's patterns would have taken).</summary>
    IReadOnlyList<Model.Omission> Omissions(IReadOnlyList<CollectionInfo> selected) => [];

    /// <summary>The site's definitions of <paramref name="collections"/> (and what else a new copy of the site needs),
    /// as a JSON document of the kind's own, read in this snapshot; null for a kind without definitions.</summary>
    Task<byte[]?> ReadDefinitionsAsync(IReadOnlyList<CollectionInfo> collections, CancellationToken cancellationToken) => Task.FromResult<byte[]?>(null);
}
