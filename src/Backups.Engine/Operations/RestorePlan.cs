using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Operations;

/// <summary>One collection of a restore: where it comes from in the backup and where it goes.</summary>
public sealed record RestoreStep(BackupCollection Source, string Destination)
{
    /// <summary>"customers → kv", or "orders" when it goes back where it came from (as a restoration's collections read).</summary>
    public override string ToString() =>
        string.Equals(Source.Id, Destination, StringComparison.Ordinal) ? Destination : $"{Source.Id} → {Destination}";
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
    /// <param name="backup">The backup, as it is now in its store.</param>
    /// <param name="collections">-Collection's patterns; none means all.</param>
    /// <param name="destinations">Collection in the backup → collection of the site. A key is matched as a -Collection
    /// name is: exactly if it can be, else ignoring case.</param>
    /// <param name="siteNames">When two destination names are one collection of the site (<see cref="ISiteSource.CollectionNames"/>).</param>
    public static IReadOnlyList<RestoreStep> For(
        BackupRecord backup, IReadOnlyList<string> collections, IReadOnlyDictionary<string, string> destinations, StringComparer siteNames)
    {
        if (backup.Status != BackupStatus.Ready)
            throw new BackupException(BackupError.BackupNotReady,
                $"Backup '{backup.Id}' is {backup.Status}; only a Ready backup can be restored.", backup.Id);

        var inBackup = backup.Collections.Select(c => new CollectionInfo(c.Id, c.DisplayName)).ToList();
        var chosen = CollectionSelection.Select(inBackup, collections, null, $"Backup '{backup.Id}'", backup.Id);

        var destinationOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, destination) in destinations)
        {
            var named = chosen.Where(c => string.Equals(c.Id, key, StringComparison.Ordinal)).ToList();
            if (named.Count == 0) named = chosen.Where(c => string.Equals(c.Id, key, StringComparison.OrdinalIgnoreCase)).ToList();
            if (named.Count != 1)
                throw new BackupException(BackupError.InvalidArgument, named.Count == 0
                    ? $"The destination map names '{key}', which is not among the collections being restored ({string.Join(", ", chosen.Select(c => c.Id))})."
                    : $"The destination map names '{key}', which is {string.Join(" and ", named.Select(c => $"'{c.Id}'"))} but for case: give the name exactly.", key);
            if (string.IsNullOrWhiteSpace(destination))
                throw new BackupException(BackupError.InvalidArgument, $"The destination of '{named[0].Id}' is empty.", named[0].Id);
            destinationOf[named[0].Id] = destination;
        }

        var steps = chosen.Select(c => new RestoreStep(backup.Collections.First(b => b.Id == c.Id), destinationOf.GetValueOrDefault(c.Id) ?? c.Id)).ToList();
        CheckDistinct(steps, siteNames);
        return steps;
    }

    /// <summary>The plan with each destination as the site names it, throwing CollectionNotFound when one is not
    /// among <paramref name="site"/>'s collections: a restore writes into collections that exist.</summary>
    /// <param name="plan">The steps from <see cref="For"/>.</param>
    /// <param name="site">The site's collections.</param>
    /// <param name="siteId">The site, for messages.</param>
    /// <param name="siteNames">How the site compares collection names.</param>
    /// <param name="howToCreate">For a missing destination, how to create it (the site's own statement), if known.</param>
    public static IReadOnlyList<RestoreStep> Resolve(IReadOnlyList<RestoreStep> plan, IReadOnlyList<CollectionInfo> site, string siteId, StringComparer siteNames,
        Func<string, string?>? howToCreate = null)
    {
        var resolved = plan.Select(step =>
        {
            var found = site.FirstOrDefault(c => string.Equals(c.Id, step.Destination, StringComparison.Ordinal))
                ?? site.FirstOrDefault(c => siteNames.Equals(c.Id, step.Destination))
                ?? throw new BackupException(BackupError.CollectionNotFound,
                    $"The site '{siteId}' has no collection '{step.Destination}' to restore '{step.Source.Id}' into; a restore writes into collections that exist"
                    + (howToCreate?.Invoke(step.Source.Id) is { } statement && string.Equals(step.Source.Id, step.Destination, StringComparison.Ordinal)
                        ? $". Restore with -CreateMissing to create it from the backup's definition, or create it yourself: {statement}"
                        : "."),
                    step.Destination);
            return step with { Destination = found.Id };
        }).ToList();
        CheckDistinct(resolved, siteNames);
        return resolved;
    }

    private static void CheckDistinct(IReadOnlyList<RestoreStep> steps, StringComparer siteNames)
    {
        var twice = steps.GroupBy(s => s.Destination, siteNames).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            var sources = twice.Select(s => $"'{s.Source.Id}'").ToList();
            throw new BackupException(BackupError.InvalidArgument,
                $"Collections {string.Join(", ", sources[..^1])} and {sources[^1]} would {(sources.Count == 2 ? "both" : "all")} be restored into '{twice.Key}'.", twice.Key);
        }
    }
}
