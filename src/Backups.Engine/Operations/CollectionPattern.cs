using System.IO.Enumeration;
using System.Text;
using SiteBackup.Engine.Sources;

namespace SiteBackup.Engine.Operations;

/// <summary>
/// One -Collection or -ExcludeCollection pattern. <c>*</c> and <c>?</c> are wildcards and a backtick makes the next
/// character literal, as in PowerShell (<c>'a`*'</c> is the name <c>a*</c>); every other character, a backslash
/// too, is itself. Case is ignored, except that a pattern without wildcards that names a collection exactly names
/// only that one: to SQLite <c>ä</c> and <c>Ä</c> are two tables, and each must be reachable on its own.
/// </summary>
internal sealed class CollectionPattern
{
    private readonly string _expression;
    private readonly string? _literal;

    public CollectionPattern(string pattern)
    {
        Text = pattern;
        // FileSystemName's own escape is a backslash: the pattern is turned into its syntax.
        var expression = new StringBuilder(pattern.Length);
        var literal = new StringBuilder(pattern.Length);
        bool wildcard = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '`' && i + 1 < pattern.Length)
            {
                char next = pattern[++i];
                expression.Append('\\').Append(next);
                literal.Append(next);
            }
            else if (c is '*' or '?')
            {
                wildcard = true;
                expression.Append(c);
            }
            else
            {
                if (c == '\\') expression.Append('\\');
                expression.Append(c);
                literal.Append(c);
            }
        }
        _expression = expression.ToString();
        _literal = wildcard ? null : literal.ToString();
    }

    public string Text { get; }

    public bool HasWildcard => _literal is null;

    public IEnumerable<CollectionInfo> Matches(IReadOnlyList<CollectionInfo> available)
    {
        if (_literal is not null)
        {
            var exact = available.Where(c => string.Equals(c.Id, _literal, StringComparison.Ordinal) || string.Equals(c.DisplayName, _literal, StringComparison.Ordinal)).ToList();
            if (exact.Count > 0) return exact;
        }
        return available.Where(c =>
            FileSystemName.MatchesSimpleExpression(_expression, c.Id, ignoreCase: true)
            || FileSystemName.MatchesSimpleExpression(_expression, c.DisplayName, ignoreCase: true));
    }

    /// <summary>A name as a pattern that matches only itself: wildcards and backticks escaped with a backtick (for
    /// tab completion, which inserts names into -Collection).</summary>
    public static string Escape(string name)
    {
        var escaped = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (c is '*' or '?' or '`') escaped.Append('`');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
