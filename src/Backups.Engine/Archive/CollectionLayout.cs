namespace SiteBackup.Engine.Archive;

/// <summary>
/// How a collection's items are laid out in its entry, when they are not simply one item a row. A site kind says so
/// for each collection it backs up (<see cref="Sources.ISiteSnapshot.Layout"/>), the manifest keeps it, and a restore
/// reads the items by it.
/// </summary>
public sealed record CollectionLayout
{
    /// <summary>The items are the rows of a virtual table's shadow tables (SQLite's FTS and R*Tree keep everything
    /// there): each item names its table (the part after "&lt;table&gt;_") in <see cref="ShadowProperty"/>, and holds
    /// its rowid in <see cref="Rowid"/> when that table's rowid is no column of its own.</summary>
    public const string ShadowTables = "shadow-tables";

    /// <summary>No items: the site rebuilds the collection from others (an FTS index whose content lives in another
    /// table).</summary>
    public const string Rebuilt = "rebuilt";

    /// <summary>The property of a shadow-table item that names its table.</summary>
    public const string ShadowProperty = "$shadow";

    public static CollectionLayout Rows { get; } = new();

    /// <summary>The item property that holds each item's rowid; null when items carry none.</summary>
    public string? Rowid { get; init; }

    /// <summary>Null for rows, else <see cref="ShadowTables"/> or <see cref="Rebuilt"/>.</summary>
    public string? Storage { get; init; }

    /// <summary>True when the site's definitions can create the collection again.</summary>
    public bool Defined { get; init; }
}
