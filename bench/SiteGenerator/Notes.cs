using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SiteBackup.SiteGenerator;

/// <summary>
/// A text-heavy site: one table of notes, each row a few short columns (an author, a status, a date), a long free-text
/// note and a JSON metadata string, about 330 bytes a row on average, as support tickets, comments or CMS entries
/// are. The same seed always gives the same database.
/// </summary>
internal static class Notes
{
    private static readonly string[] Words =
    [
        "the", "customer", "asked", "about", "delivery", "of", "an", "order", "that", "was", "late", "and", "we", "offered",
        "a", "refund", "or", "replacement", "after", "checking", "stock", "in", "warehouse", "north", "please", "call", "back",
        "tomorrow", "morning", "invoice", "attached", "résumé", "naïve", "café", "façade", "übermäßig", "straße", "東京", "지원",
    ];
    private static readonly string[] Statuses = ["open", "pending", "solved", "closed"];
    private static readonly string[] Channels = ["email", "chat", "phone", "web"];

    public static void Create(SqliteConnection connection, int items, int seed)
    {
        var random = new Random(seed);
        Shop.Execute(connection, "PRAGMA journal_mode = WAL", null);
        using var transaction = connection.BeginTransaction();
        Shop.Execute(connection,
            """
            CREATE TABLE notes (id INTEGER PRIMARY KEY, author TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
                note TEXT NOT NULL, metadata TEXT);
            """, transaction);
        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Shop.Insert(connection, transaction, "INSERT INTO notes VALUES ($1, $2, $3, $4, $5, $6)", items, i => [
            i,
            $"agent{random.Next(1, 200)}",
            Statuses[random.Next(Statuses.Length)],
            epoch.AddSeconds(random.Next(0, 2 * 365 * 24 * 3600)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Sentence(random, 25, 60),
            random.Next(8) == 0 ? null
                : $$"""{"channel":"{{Channels[random.Next(Channels.Length)]}}","priority":{{random.Next(1, 5)}},"tags":["{{Words[random.Next(Words.Length)]}}","{{Words[random.Next(Words.Length)]}}"]}""",
        ]);
        transaction.Commit();
    }

    private static string Sentence(Random random, int minWords, int maxWords) =>
        string.Join(' ', Enumerable.Range(0, random.Next(minWords, maxWords + 1)).Select(_ => Words[random.Next(Words.Length)])) + ".";
}
