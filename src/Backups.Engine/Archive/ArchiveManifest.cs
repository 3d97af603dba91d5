using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Archive;

/// <summary>The <c>manifest.json</c> at the root of every archive.</summary>
public sealed record ArchiveManifest
{
    public int FormatVersion { get; init; } = ArchiveFormat.Version;
    public required string Id { get; init; }
    public required string SiteId { get; init; }
    public BackupType Type { get; init; }
    public DateTimeOffset RequestedDate { get; init; }
    public DateTimeOffset? StartedDate { get; init; }
    public DateTimeOffset? FinishedDate { get; init; }
    public required ArchiveTool Tool { get; init; }
    public IReadOnlyList<ManifestCollection> Collections { get; init; } = [];

    /// <summary>The site's definitions (version 2; null when the site kind has none): what is needed to create the
    /// collections again, checked like an entry of items.</summary>
    public ManifestEntry? Definitions { get; init; }
}

/// <summary>An entry of the archive that is not a collection, with what a reader checks it against.</summary>
public sealed record ManifestEntry
{
    public required string Entry { get; init; }
    public long ByteCount { get; init; }
    public required string Sha256 { get; init; }
}

public sealed record ArchiveTool(string Name, string Version)
{
    public static ArchiveTool Current { get; } = new(
        ArchiveFormat.ToolName,
        typeof(ArchiveTool).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
}

/// <summary>One collection's entry in the archive, with what a reader checks it against.</summary>
public sealed record ManifestCollection
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public required string Entry { get; init; }
    public long ItemCount { get; init; }

    /// <summary>Uncompressed size of the entry.</summary>
    public long ByteCount { get; init; }

    /// <summary>SHA-256 of the uncompressed entry, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The item property that holds each item's rowid (version 2; SQLite tables whose rowid is no column of
    /// their own), or null when items carry none.</summary>
    public string? Rowid { get; init; }

    /// <summary>How the items restore (version 2): null for one item a row; <see cref="CollectionLayout.ShadowTables"/>
    /// or <see cref="CollectionLayout.Rebuilt"/>.</summary>
    public string? Layout { get; init; }

    /// <summary>True when the archive's definitions can create this collection in a site that lacks it.</summary>
    public bool Defined { get; init; }
}
