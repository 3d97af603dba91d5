using SiteBackup.Engine.Model;

namespace SiteBackup.Engine.Operations;

/// <summary>One problem found in a backup: which collection (null for the archive as a whole) and what is wrong.</summary>
public sealed record ArchiveProblem(string? Collection, string Message);

/// <summary>The verdict on one backup.</summary>
public sealed record VerificationResult
{
    public required BackupRecord Backup { get; init; }
    public bool IsValid => Problems.Count == 0;
    public IReadOnlyList<ArchiveProblem> Problems { get; init; } = [];
}
