using SiteBackup.Engine.Archive;

namespace SiteBackup.Engine.Sources;

/// <summary>What a site is told when a restore starts: which of the archive's collections go where, the archive's
/// definitions of them (checked already), and whether to create what the site lacks from them.</summary>
public sealed record RestoreStart
{
    public static RestoreStart None { get; } = new();

    /// <summary>Each collection of the archive being restored, with its destination as the user named it.</summary>
    public IReadOnlyList<RestoreTarget> Targets { get; init; } = [];

    /// <summary>The archive's definitions (a document of the site kind's own), or null.</summary>
    public byte[]? Definitions { get; init; }

    /// <summary>The archive's format version: how its items were written (see <see cref="Archive.ArchiveFormat"/>).</summary>
    public int FormatVersion { get; init; } = Archive.ArchiveFormat.Version;

    /// <summary>Create a site that does not exist, and collections it lacks, from <see cref="Definitions"/>.</summary>
    public bool CreateMissing { get; init; }
}

/// <summary>One collection of a restore: its entry in the archive, and the collection of the site it goes into.</summary>
public sealed record RestoreTarget(ManifestCollection Source, string Destination);
