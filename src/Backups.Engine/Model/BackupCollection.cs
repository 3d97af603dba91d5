namespace SiteBackup.Engine.Model;

/// <summary>One collection held by a backup.</summary>
public sealed record BackupCollection
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public long ItemCount { get; init; }

    /// <summary>"orders (3)": how a person reads it in a list of collections.</summary>
    public override string ToString() => $"{Id} ({ItemCount})";
}
