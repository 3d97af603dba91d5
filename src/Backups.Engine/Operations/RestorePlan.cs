using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Operations;

/// <summary>One collection of a restore: where it comes from in the backup and where it goes.</summary>
public sealed record RestoreStep(BackupCollection Source, string Destination)
{
    /// <summary>"kv (from customers)", or "orders" when it goes back where it came from.</summary>
    public override string ToString() =>
        string.Equals(Source.Id, Destination, StringComparison.Ordinal) ? Destination : $"{Destination} (from {Source.Id})";
}

/// <summary>
/// Which of a backup's collections a restore writes, and where. Every argument error is found here, before any
/// record is written or the site is touched; a caller that asks first (-WhatIf, -Confirm) makes the same plan, so
/// what it names is what a real run replaces.
/// </summary>
public static class RestorePlan
{
    /// <summary>Throws BackupNotReady, CollectionNotFound (a pattern that matches nothing in the backup) or
    /// InvalidArgument (a destination key that names no collection being restored, two into one).</summary>
    public static IReadOnlyList<RestoreStep> For(
        BackupRecord backup, IReadOnlyList<string> collections, IReadOnlyDictionary<string, string> destinations)
    {
        if (backup.Status != BackupStatus.Ready)
            throw new BackupException(BackupError.BackupNotReady,
                $"Backup '{backup.Id}' is {backup.Status}; only a Ready backup can be restored.", backup.Id);

        var inBackup = backup.Collections.Select(c => new CollectionInfo(c.Id, c.DisplayName)).ToList();
        var chosen = CollectionSelection.Select(inBackup, collections, null, $"Backup '{backup.Id}'");

        foreach (string key in destinations.Keys)
        {
            if (!chosen.Any(c => string.Equals(c.Id, key, StringComparison.OrdinalIgnoreCase)))
                throw new BackupException(BackupError.InvalidArgument,
                    $"The destination map names '{key}', which is not among the collections being restored ({string.Join(", ", chosen.Select(c => c.Id))}).", key);
        }

        var steps = chosen.Select(c =>
        {
            var destination = destinations.FirstOrDefault(d => string.Equals(d.Key, c.Id, StringComparison.OrdinalIgnoreCase)).Value ?? c.Id;
            if (string.IsNullOrWhiteSpace(destination))
                throw new BackupException(BackupError.InvalidArgument, $"The destination of '{c.Id}' is empty.", c.Id);
            return new RestoreStep(backup.Collections.First(b => b.Id == c.Id), destination);
        }).ToList();

        var twice = steps.GroupBy(s => s.Destination, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new BackupException(BackupError.InvalidArgument,
                $"Collections {string.Join(" and ", twice.Select(s => $"'{s.Source.Id}'"))} would both be restored into '{twice.Key}'.", twice.Key);
        return steps;
    }

    /// <summary>Throws CollectionNotFound when a destination is not among <paramref name="site"/>'s collections: a
    /// restore writes into collections that exist.</summary>
    public static void CheckDestinations(IReadOnlyList<RestoreStep> plan, IReadOnlyList<CollectionInfo> site, string siteId)
    {
        foreach (var step in plan)
        {
            if (!site.Any(c => string.Equals(c.Id, step.Destination, StringComparison.Ordinal)))
                throw new BackupException(BackupError.CollectionNotFound,
                    $"The site '{siteId}' has no collection '{step.Destination}' to restore '{step.Source.Id}' into; a restore writes into collections that exist.",
                    step.Destination);
        }
    }
}
