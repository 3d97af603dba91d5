using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Picks collections by name patterns, as -Collection and -ExcludeCollection do (see <see cref="CollectionPattern"/>:
/// wildcards, backtick escapes, case ignored unless a name matches exactly); a pattern matches a collection's id or
/// its display name. Every include pattern must match something, wildcards too: a typo in one of three names must not
/// quietly back up or restore the other two. An exclude pattern that matches nothing is not an error (nothing is lost
/// by it). A selection that comes to no collection at all is an error: a backup of nothing would count as a backup,
/// and retention could remove a real one to make room for it.
/// </summary>
public static class CollectionSelection
{
    /// <param name="available">The collections of the site or the backup.</param>
    /// <param name="include">-Collection's patterns; none means all.</param>
    /// <param name="exclude">-ExcludeCollection's patterns.</param>
    /// <param name="where">What the collections belong to, as a message starts ("The site '/x.db'").</param>
    /// <param name="owner">Its id (a site's or a backup's), the target of "has no collections".</param>
    public static IReadOnlyList<CollectionInfo> Select(
        IReadOnlyList<CollectionInfo> available, IReadOnlyList<string>? include, IReadOnlyList<string>? exclude, string where, string owner)
    {
        if (available.Count == 0)
            throw new BackupException(BackupError.CollectionNotFound, $"{where} has no collections.", owner);
        IEnumerable<CollectionInfo> chosen = available;
        if (include is { Count: > 0 })
        {
            var picked = new HashSet<CollectionInfo>();
            foreach (var pattern in include.Select(p => new CollectionPattern(p)))
            {
                var matched = pattern.Matches(available).ToList();
                if (matched.Count == 0)
                    throw new BackupException(BackupError.CollectionNotFound,
                        $"{where} has no collection {(pattern.HasWildcard ? "matching " : "")}'{pattern.Text}' (it has {Names(available)}).", pattern.Text);
                picked.UnionWith(matched);
            }
            chosen = available.Where(picked.Contains);
        }
        if (exclude is { Count: > 0 })
        {
            var left = exclude.Select(p => new CollectionPattern(p)).SelectMany(p => p.Matches(available)).ToHashSet();
            chosen = chosen.Where(c => !left.Contains(c));
        }
        var selected = chosen.ToList();
        if (selected.Count == 0)
            throw new BackupException(BackupError.CollectionNotFound,
                $"The exclusions ({string.Join(", ", exclude!.Select(p => $"'{p}'"))}) leave none of the collections of {Lower(where)} ({Names(available)}).",
                exclude![0]);
        return selected;
    }

    /// <summary>Whether a selection would take a collection named <paramref name="name"/> (for what a site holds that
    /// is no collection, so that a selection can still be said to reach it).</summary>
    public static bool Takes(string name, IReadOnlyList<string>? include, IReadOnlyList<string>? exclude)
    {
        CollectionInfo[] one = [new(name, name)];
        return (include is not { Count: > 0 } || include.Any(p => new CollectionPattern(p).Matches(one).Any()))
            && (exclude is not { Count: > 0 } || !exclude.Any(p => new CollectionPattern(p).Matches(one).Any()));
    }

    /// <summary>A collection's name as a pattern that matches only that name (tab completion inserts these).</summary>
    public static string Escape(string name) => CollectionPattern.Escape(name);

    /// <summary>Up to ten names, for a message that helps the user see the typo.</summary>
    private static string Names(IReadOnlyList<CollectionInfo> available) =>
        string.Join(", ", available.Take(10).Select(c => c.Id)) + (available.Count > 10 ? $" and {available.Count - 10} more" : "");

    private static string Lower(string where) => where.Length > 0 ? char.ToLowerInvariant(where[0]) + where[1..] : where;
}
