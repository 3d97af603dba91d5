namespace SiteBackup.Engine.Sources;

/// <summary>
/// One site to back up from and restore into. One implementation per site kind (a folder under Sources/),
/// registered in <see cref="SiteKinds"/>.
/// </summary>
public interface ISiteSource
{
    /// <summary>The site, normalised and stripped of secrets; safe to show and to store.</summary>
    string SiteId { get; }

    /// <summary>The user the site is read and written as, for kinds of site that have users (PostgreSQL); null
    /// for the others. Not a secret: a backup's record keeps it, so that a restore from the record connects as the
    /// same user.</summary>
    string? UserName => null;

    /// <summary>When two collection names name the same collection of this site: a restore that would write two
    /// collections into one is refused, and a destination is found, by this. Ordinal unless the kind says otherwise
    /// (SQLite ignores the case of ASCII letters, and only of those).</summary>
    StringComparer CollectionNames => StringComparer.Ordinal;

    /// <summary>The collections as they are now (for listing and completion; a backup uses its snapshot).</summary>
    Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken);

    /// <summary>The collections a restore may write into, as <see cref="ISiteRestore.Collections"/> will have them, for
    /// checking a restore before it starts. Usually the same as <see cref="ListCollectionsAsync"/>; a kind that backs up
    /// fewer than it can write (Wix apps' collections unless asked for) says so here.</summary>
    Task<IReadOnlyList<CollectionInfo>> ListRestorableCollectionsAsync(CancellationToken cancellationToken) => ListCollectionsAsync(cancellationToken);

    /// <summary>Refuses, as <see cref="BeginRestoreAsync(RestoreStart, CancellationToken)"/> will, a restore the site's
    /// collections do not allow (a Wix collection that cannot be emptied, say), without starting one: for -WhatIf and
    /// the confirmation prompt.</summary>
    Task CheckRestoreAsync(RestoreStart start, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Opens a consistent, read-only view of every collection for a backup.</summary>
    Task<ISiteSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>Starts a restore: one transaction in which collections are replaced and which becomes visible
    /// only on <see cref="ISiteRestore.CommitAsync"/>.</summary>
    Task<ISiteRestore> BeginRestoreAsync(RestoreStart start, CancellationToken cancellationToken);

    /// <summary>A restore with nothing to create and no definitions.</summary>
    Task<ISiteRestore> BeginRestoreAsync(CancellationToken cancellationToken) => BeginRestoreAsync(RestoreStart.None, cancellationToken);
}
