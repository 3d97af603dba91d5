using System.Text.Json.Serialization;

namespace SiteBackup.Engine.Model;

/// <summary>
/// The record of one backup. Stores keep it beside the archive so that listing never opens an archive.
/// </summary>
public sealed record BackupRecord
{
    private readonly DisplayList<BackupCollection> _collections = new(null);
    private readonly DisplayList<Omission> _omissions = new(null);

    public required string Id { get; init; }

    /// <summary>The site, normalised and without secrets (for SQLite the absolute path of the file). PowerShell
    /// also shows it as <c>Site</c> (module/SiteBackup.Types.ps1xml).</summary>
    public required string SiteId { get; init; }

    /// <summary>The user name the site was read as, for kinds of site that have users (PostgreSQL); null for the
    /// others. A user name is not a secret: a piped restore connects as this user unless told otherwise.</summary>
    public string? SiteUser { get; init; }

    public BackupType Type { get; init; }
    public BackupStatus Status { get; init; }
    public DateTimeOffset RequestedDate { get; init; }
    public DateTimeOffset? StartedDate { get; init; }
    public DateTimeOffset? FinishedDate { get; init; }
    public DateTimeOffset? DeletedDate { get; init; }

    /// <summary>Size of the archive; 0 until the backup is ready.</summary>
    public long SizeInBytes { get; init; }

    public IReadOnlyList<BackupCollection> Collections { get => _collections; init => _collections = new(value); }

    /// <summary>What of the site this backup could not keep, and why (empty when it kept everything it was asked for).</summary>
    public IReadOnlyList<Omission> Omissions { get => _omissions; init => _omissions = new(value); }

    /// <summary>For a copy made by Copy-SiteBackup, the store it came from; null for a backup taken here.</summary>
    public BackupCopySource? CopiedFrom { get; init; }

    /// <summary>How the archive is encrypted; null when it is not.</summary>
    public BackupEncryption? Encryption { get; init; }

    /// <summary>Why the backup failed or was canceled; null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>Where the backup lives. Set by the store when it hands the record out; never written into it,
    /// so that a store can be moved or mounted elsewhere.</summary>
    [JsonIgnore]
    public string Store { get; init; } = "";

    /// <summary>"&lt;id&gt; (Ready, 2026-11-25 13:19:05Z)": short, for where the record is one value among others (a
    /// restoration's Backup, an error's target).</summary>
    public override string ToString() => $"{Id} ({Status}, {Times.Show(RequestedDate)})";
}
