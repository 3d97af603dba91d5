using System.IO.Enumeration;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Picks collections by name patterns, as -Collection and -ExcludeCollection do: <c>*</c> and <c>?</c> are
/// wildcards, case is ignored, and a pattern matches a collection's id or its display name. Every include pattern
/// must match something, wildcards too: a typo in one of three names must not quietly back up or restore the other
/// two. An exclude pattern that matches nothing is not an error (nothing is lost by it). A selection that comes to
/// no collection at all is an error: a backup of nothing would count as a backup, and retention could remove a
/// real one to make room for it.
/// </summary>
public static class CollectionSelection
{
    public static IReadOnlyList<CollectionInfo> Select(
        IReadOnlyList<CollectionInfo> available, IReadOnlyList<string>? include, IReadOnlyList<string>? exclude, string where)
    {
        if (available.Count == 0)
            throw new BackupException(BackupError.CollectionNotFound, $"{where} has no collections.", null);
        IEnumerable<CollectionInfo> chosen = available;
        if (include is { Count: > 0 })
        {
            foreach (string pattern in include)
            {
                if (!available.Any(c => Matches(pattern, c)))
                    throw new BackupException(BackupError.CollectionNotFound,
                        $"{where} has no collection {(HasWildcard(pattern) ? "matching " : "")}'{pattern}' (it has {Names(available)}).", pattern);
            }
            chosen = chosen.Where(c => include.Any(p => Matches(p, c)));
        }
        if (exclude is { Count: > 0 }) chosen = chosen.Where(c => !exclude.Any(p => Matches(p, c)));
        var selected = chosen.ToList();
        if (selected.Count == 0)
            throw new BackupException(BackupError.CollectionNotFound,
                $"The exclusions ({string.Join(", ", exclude!.Select(p => $"'{p}'"))}) leave none of the collections of {Lower(where)} ({Names(available)}).",
                exclude![0]);
        return selected;
    }

    public static bool HasWildcard(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    private static bool Matches(string pattern, CollectionInfo collection) =>
        FileSystemName.MatchesSimpleExpression(pattern, collection.Id, ignoreCase: true)
        || FileSystemName.MatchesSimpleExpression(pattern, collection.DisplayName, ignoreCase: true);

    /// <summary>Up to ten names, for a message that helps the user see the typo.</summary>
    private static string Names(IReadOnlyList<CollectionInfo> available) =>
        string.Join(", ", available.Take(10).Select(c => c.Id)) + (available.Count > 10 ? $" and {available.Count - 10} more" : "");

    private static string Lower(string where) => where.Length > 0 ? char.ToLowerInvariant(where[0]) + where[1..] : where;
}
