using System.IO.Enumeration;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// Picks collections by name patterns, as -Collection and -ExcludeCollection do: <c>*</c> and <c>?</c> are
/// wildcards, case is ignored, and a pattern matches a collection's id or its display name. A name without
/// wildcards that matches nothing is an error (CollectionNotFound); a wildcard that matches nothing is not,
/// as elsewhere in PowerShell.
/// </summary>
public static class CollectionSelection
{
    public static IReadOnlyList<CollectionInfo> Select(
        IReadOnlyList<CollectionInfo> available, IReadOnlyList<string>? include, IReadOnlyList<string>? exclude, string where)
    {
        IEnumerable<CollectionInfo> chosen = available;
        if (include is { Count: > 0 })
        {
            foreach (string pattern in include)
            {
                if (!HasWildcard(pattern) && !available.Any(c => Matches(pattern, c)))
                    throw new BackupException(BackupError.CollectionNotFound, $"{where} has no collection '{pattern}'.", pattern);
            }
            chosen = chosen.Where(c => include.Any(p => Matches(p, c)));
        }
        if (exclude is { Count: > 0 }) chosen = chosen.Where(c => !exclude.Any(p => Matches(p, c)));
        return chosen.ToList();
    }

    public static bool HasWildcard(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    private static bool Matches(string pattern, CollectionInfo collection) =>
        FileSystemName.MatchesSimpleExpression(pattern, collection.Id, ignoreCase: true)
        || FileSystemName.MatchesSimpleExpression(pattern, collection.DisplayName, ignoreCase: true);
}
