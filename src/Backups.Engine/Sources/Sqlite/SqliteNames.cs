namespace SiteBackup.Engine.Sources.Sqlite;

/// <summary>
/// How SQLite compares identifiers: the case of ASCII letters is ignored, every other character is itself
/// (<c>people</c> and <c>PEOPLE</c> are one table; <c>ä</c> and <c>Ä</c> are two).
/// </summary>
internal sealed class SqliteNames : StringComparer
{
    public static SqliteNames Comparer { get; } = new();

    public override int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            int d = Fold(x[i]) - Fold(y[i]);
            if (d != 0) return d;
        }
        return x.Length - y.Length;
    }

    public override bool Equals(string? x, string? y) => Compare(x, y) == 0;

    public override int GetHashCode(string obj)
    {
        var hash = new HashCode();
        foreach (char c in obj) hash.Add(Fold(c));
        return hash.ToHashCode();
    }

    private static char Fold(char c) => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
}
