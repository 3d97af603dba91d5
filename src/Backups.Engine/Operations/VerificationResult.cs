using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Operations;

/// <summary>One problem found in a backup: which collection (null for the archive as a whole) and what is wrong.</summary>
public sealed record ArchiveProblem(string? Collection, string Message)
{
    public override string ToString() => Collection is null ? Message : $"{Collection}: {Message}";
}

/// <summary>The verdict on one backup.</summary>
public sealed record VerificationResult
{
    private readonly DisplayList<ArchiveProblem> _problems = new(null);

    public required BackupRecord Backup { get; init; }

    /// <summary>The backup's id and store, so that results pipe on by property name (to Remove-SiteBackup, say).</summary>
    public string Id => Backup.Id;
    public string Store => Backup.Store;

    /// <summary>The backup's site (PowerShell also shows it as <c>Site</c>), so that results group and filter by site.</summary>
    public string SiteId => Backup.SiteId;

    /// <summary>False when the backup was not verified because it has no archive to verify (it is not Ready).</summary>
    public bool Verified { get; init; } = true;

    /// <summary>True or false for a verified backup; null (neither) for one that was not verified.</summary>
    public bool? IsValid => Verified ? Problems.Count == 0 : null;

    /// <summary>What is wrong, or for a backup that was not verified, why not.</summary>
    public IReadOnlyList<ArchiveProblem> Problems { get => _problems; init => _problems = new(value); }
}
