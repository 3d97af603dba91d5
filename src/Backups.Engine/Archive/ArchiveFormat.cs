namespace SiteBackup.Engine.Archive;

/// <summary>
/// The fixed facts of the archive format (see docs/about_SiteBackup.md). Version 2 adds to version 1, and a reader
/// takes both: the site's definitions as an entry of their own, and per collection how its items are laid out (the
/// property that holds a rowid, rows of a virtual table's shadow tables, a collection the site rebuilds). A version
/// 1 archive has none of these and reads as it always did. Version 3 changes what some PostgreSQL values look like:
/// values whose JSON would not read back as the same value (composites, extension types, arrays of other kinds or
/// with other bounds) are strings holding their text, and a json value may be <c>{"$json": "text"}</c>, its exact
/// text. A reader of version 2 would restore those otherwise, so it refuses version 3; this one reads all three, and
/// reads a version 1 or 2 archive's values as they were written.
/// </summary>
public static class ArchiveFormat
{
    public const int Version = 3;

    /// <summary>The versions this reader takes.</summary>
    public static bool Reads(int version) => version is >= 1 and <= Version;

    /// <summary>The entry that holds the site's definitions (version 2).</summary>
    public const string DefinitionsEntryName = "definitions.json";

    /// <summary>Definitions larger than this are not ones we wrote.</summary>
    public const long MaxDefinitionsBytes = 64L * 1024 * 1024;
    public const string ToolName = "SiteBackup";
    public const string ManifestEntryName = "manifest.json";
    public const string FileExtension = ".zip";

    /// <summary>zlib's level for the default (Optimal) compression. Chosen by measurement on the bench's shapes
    /// (bench/README.md, "A zip writer of our own"): level 5 deflates about twice as fast as 6 for archives 6-9%
    /// larger.</summary>
    public const int DeflateLevel = 5;

    /// <summary>A manifest larger than this is not one we wrote: refuse it before parsing.</summary>
    public const long MaxManifestBytes = 16L * 1024 * 1024;

    /// <summary>The longest item line a reader accepts. SQLite's own default limit for one value is 1 GB;
    /// a line past this bound is taken for a hostile archive rather than buffered.</summary>
    public const int MaxItemBytes = 256 * 1024 * 1024;

    /// <summary>Deflate cannot compress better than about 1032:1, so an entry that declares more is lying
    /// (the usual zip bomb). A little slack covers the zip framing of tiny entries.</summary>
    public const long MaxCompressionRatio = 1100;

    /// <summary>Entry names come from positions, never from collection ids, which may hold any character.</summary>
    public static string CollectionEntryName(int index) => $"collections/{index}.jsonl";

    /// <summary>True for names a reader may open: relative, forward slashes only, no parent steps.</summary>
    public static bool IsSafeEntryName(string name) =>
        name.Length > 0
        && !name.StartsWith('/')
        && !name.Contains('\\')
        && !name.Contains(':')
        && !name.EndsWith('/')
        && !name.Split('/').Any(part => part is "" or "." or "..");
}
