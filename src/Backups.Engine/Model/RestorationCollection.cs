namespace SiteBackup.Engine.Model;

/// <summary>One collection of a restoration: where it came from in the backup and where it went.</summary>
public sealed record RestorationCollection
{
    /// <summary>The collection's id in the backup.</summary>
    public required string Id { get; init; }

    /// <summary>The collection of the site it was restored into.</summary>
    public required string Destination { get; init; }

    /// <summary>Items written into <see cref="Destination"/>.</summary>
    public long ItemCount { get; init; }

    public RestorationCollectionStatus Status { get; init; }

    /// <summary>Items the site refused one by one (Wix bulk writes report each item); they are not in it.</summary>
    public long RefusedItemCount { get; init; }

    /// <summary>Fields (columns) whose values the site did not keep as the backup had them: Wix sets
    /// <c>_createdDate</c> and <c>_updatedDate</c> itself on every write (found by reading restored items back); a
    /// SQLite that stores as numbers some text an older one kept as text in a numeric column (text with a NUL in it).
    /// The archive keeps the backup's values.</summary>
    public IReadOnlyList<string> NotKept { get; init; } = [];

    /// <summary>"customers → kv (3, Restored)": how a person reads it in a list of collections.</summary>
    public override string ToString() =>
        (string.Equals(Id, Destination, StringComparison.Ordinal) ? Id : $"{Id} → {Destination}") + $" ({ItemCount}, {Status}" +
        (NotKept.Count == 0 ? ")" : $"; not kept: {string.Join(", ", NotKept)})");
}
