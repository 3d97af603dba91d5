namespace SiteBackup.Engine.Model;

/// <summary>One collection of a restoration: where it came from in the backup and where it went.</summary>
public sealed record RestorationCollection
{
    /// <summary>The collection's id in the backup.</summary>
    public required string Id { get; init; }

    /// <summary>The collection of the site it was restored into.</summary>
    public required string Destination { get; init; }

    public long ItemCount { get; init; }
}
