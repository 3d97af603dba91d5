namespace SiteBackup.Engine.Model;

/// <summary>Where a copied backup came from (null in the record of a backup taken into its store).</summary>
public sealed record BackupCopySource
{
    /// <summary>The store it was copied from, as that store names itself (no secrets).</summary>
    public required string Store { get; init; }

    public DateTimeOffset CopiedDate { get; init; }

    /// <summary>The SHA-256 of the archive, the same in both stores (checked after the copy, before it listed).</summary>
    public required string ArchiveSha256 { get; init; }

    public override string ToString() => $"copied from {Store} at {Times.Show(CopiedDate)}";
}
