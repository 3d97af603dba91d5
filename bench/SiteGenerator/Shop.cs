using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SiteBackup.SiteGenerator;

/// <summary>
/// A shop: customers, products, orders (with foreign keys to both) and events, about half a kilobyte an item on
/// average, with ids, text of mixed length, integers, reals (some whole), ISO dates, JSON text, blobs and nulls.
/// The same seed always gives the same database.
/// </summary>
internal static class Shop
{
    private static readonly string[] FirstNames = ["Ada", "Brian", "Chloé", "Dmitri", "Eun-ji", "Fatima", "Gustavo", "Hiroshi", "Ingrid", "José", "Kwame", "Lena", "Mateus", "Nadia", "Olumide", "Priya"];
    private static readonly string[] LastNames = ["Lovelace", "Kernighan", "Dubois", "Ivanov", "Kim", "Haddad", "Pereira", "Tanaka", "Larsen", "García", "Mensah", "Novak", "Silva", "Rahman", "Adeyemi", "Sharma"];
    private static readonly string[] Countries = ["FR", "DE", "JP", "BR", "NG", "IN", "US", "KR", "NO", "ES", "GH", "CZ", "PT", "BD", "GB", "CA"];
    private static readonly string[] Words = ["backup", "garden", "lamp", "river", "copper", "violet", "stone", "quiet", "harbour", "maple", "signal", "amber", "orbit", "linen", "cedar", "pixel", "tide", "ember"];
    private static readonly string[] Statuses = ["new", "paid", "shipped", "delivered", "returned"];
    private static readonly string[] EventKinds = ["login", "view", "cart", "checkout", "review"];

    public static void Create(SqliteConnection connection, int items, int seed)
    {
        var random = new Random(seed);
        Execute(connection, "PRAGMA journal_mode = WAL", null);
        using var transaction = connection.BeginTransaction();
        Execute(connection,
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, country TEXT,
                created_at TEXT NOT NULL, balance REAL, vip INTEGER NOT NULL DEFAULT 0, notes TEXT);
            CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, title TEXT NOT NULL, price REAL NOT NULL,
                stock INTEGER, attributes TEXT, thumbnail BLOB);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
                product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL, total REAL NOT NULL,
                ordered_at TEXT NOT NULL, status TEXT NOT NULL, note TEXT);
            CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, customer_id INTEGER, at TEXT NOT NULL, payload TEXT);
            """, transaction);

        int customers = Math.Max(1, items / 5), products = Math.Max(1, items / 20);
        int orders = Math.Max(0, items / 2), events = Math.Max(0, items - customers - products - orders);
        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        Insert(connection, transaction, "INSERT INTO customers VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", customers, i => [
            i,
            $"{Pick(random, FirstNames)} {Pick(random, LastNames)}",
            $"customer{i}@example.org",
            Pick(random, Countries),
            Date(epoch, random),
            random.Next(4) == 0 ? (double)random.Next(0, 500) : Math.Round(random.NextDouble() * 1000, 2),
            random.Next(10) == 0 ? 1 : 0,
            random.Next(3) == 0 ? null : Text(random, 5, 60),
        ]);
        Insert(connection, transaction, "INSERT INTO products VALUES ($1, $2, $3, $4, $5, $6, $7)", products, i => [
            i,
            $"SKU-{i:D6}",
            Text(random, 2, 6),
            Math.Round(1 + random.NextDouble() * 200, 2),
            random.Next(5) == 0 ? null : random.Next(0, 1000),
            $$"""{"colour":"{{Pick(random, Words)}}","weight":{{random.Next(1, 5000)}},"tags":["{{Pick(random, Words)}}","{{Pick(random, Words)}}"],"fragile":{{(random.Next(2) == 0 ? "true" : "false")}}}""",
            random.Next(4) == 0 ? null : RandomBytes(random, random.Next(16, 96)),
        ]);
        Insert(connection, transaction, "INSERT INTO orders VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", orders, i => [
            i,
            random.Next(1, customers + 1),
            random.Next(1, products + 1),
            random.Next(1, 6),
            Math.Round(random.NextDouble() * 500, 2),
            Date(epoch, random),
            Pick(random, Statuses),
            random.Next(2) == 0 ? null : Text(random, 10, 80),
        ]);
        Insert(connection, transaction, "INSERT INTO events VALUES ($1, $2, $3, $4, $5)", events, i => [
            i,
            Pick(random, EventKinds),
            random.Next(6) == 0 ? null : random.Next(1, customers + 1),
            Date(epoch, random),
            $$"""{"page":"/{{Pick(random, Words)}}/{{random.Next(1000)}}","ms":{{random.Next(5, 3000)}},"agent":"{{Text(random, 3, 12)}}"}""",
        ]);
        transaction.Commit();
    }

    internal static void Insert(SqliteConnection connection, SqliteTransaction transaction, string sql, int count, Func<int, object?[]> row)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        int parameters = sql.Count(c => c == '$');
        for (int p = 1; p <= parameters; p++) command.Parameters.Add(new SqliteParameter("$" + p.ToString(CultureInfo.InvariantCulture), null));
        command.Prepare();
        for (int i = 1; i <= count; i++)
        {
            var values = row(i);
            for (int p = 0; p < values.Length; p++) command.Parameters[p].Value = values[p] ?? DBNull.Value;
            command.ExecuteNonQuery();
        }
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string Date(DateTime epoch, Random random) =>
        epoch.AddSeconds(random.Next(0, 2 * 365 * 24 * 3600)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Text(Random random, int minWords, int maxWords) =>
        string.Join(' ', Enumerable.Range(0, random.Next(minWords, maxWords + 1)).Select(_ => Pick(random, Words)));

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
