using SiteBackup.Engine.Model;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// A PostgreSQL restore builds the indexes of the restored tables again after loading them, and leaves in place those
/// it cannot make again exactly (the corpus's indexes.sql): which ones it rebuilt shows in their oids, which change,
/// and what they are afterwards is pg_dump's to judge (<see cref="PostgreSqlFidelityTests"/> restores the same schema).
/// </summary>
public sealed class PostgreSqlIndexTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private PostgresFixture _site = null!;

    public Task InitializeAsync()
    {
        _site = new PostgresFixture();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _site.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    private Dictionary<string, string> Indexes() => _site.Psql(
            "SELECT c.relname || '=' || c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'i'")
        .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    [Fact]
    public async Task The_indexes_of_restored_tables_are_built_again_after_loading_except_those_that_cannot_be_made_again_exactly()
    {
        await _site.ExecuteAsync(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "pg-corpus", "indexes.sql")));
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        var before = Indexes();
        await _site.ExecuteAsync("DELETE FROM tagged; DELETE FROM events WHERE id > 100; UPDATE customers SET tier = 9 WHERE id < 50");

        var restoration = await TestEngine.RestoreAsync(_site, store, backup.Id);

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        var after = Indexes();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        string[] rebuilt =
        [
            "codes_unique", "customers_email", "customers_name", "customers_note", "customers_tier", "tags_id",
        ];
        string[] kept =
        [
            "bookings_seat",           // deferrable: the restore defers constraints, and checks pending refuse an index build
            "customers_pkey",          // a view relies on it
            "events_id",               // the replica identity
            "events_kind",             // a statistics target on a column
            "slots_during_excl",       // an exclusion constraint
            "slots_pkey",              // a constraint's index with a fillfactor
            "tagged_customer",         // marked for CLUSTER
        ];
        Assert.Equal(rebuilt.Concat(kept).Order(), before.Keys.Order());
        Assert.Equal([], rebuilt.Where(name => before[name] == after[name]));
        Assert.Equal([], kept.Where(name => before[name] != after[name]));
        // Every rebuilt index is valid and in use, and the rows are back.
        Assert.Equal(0, await _site.ScalarAsync("SELECT count(*) FROM pg_index WHERE NOT indisvalid OR NOT indisready"));
        Assert.Equal(1000, await _site.ScalarAsync("SELECT count(*) FROM tagged"));
        Assert.Equal(0, await _site.ScalarAsync("SELECT count(*) FROM customers WHERE tier = 9"));
    }

    [Fact]
    public async Task A_table_with_a_deferrable_key_to_a_table_outside_the_restore_keeps_its_indexes_and_restores()
    {
        // As Django makes every key: DEFERRABLE INITIALLY DEFERRED. Restoring orders alone, the key to customers stays,
        // and the restore's deferred checks of it would make PostgreSQL refuse to build orders' indexes.
        await _site.ExecuteAsync(
            """
            CREATE TABLE customers (id integer PRIMARY KEY);
            CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers DEFERRABLE INITIALLY DEFERRED, note text);
            CREATE INDEX orders_customer ON orders (customer_id);
            INSERT INTO customers SELECT generate_series(1, 10);
            INSERT INTO orders SELECT i, 1 + i % 10, 'n' || i FROM generate_series(1, 200) i;
            """);
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        string before = PostgresJudge.Fingerprint(_site);
        await _site.ExecuteAsync("DELETE FROM orders WHERE id > 50");

        var restoration = await TestEngine.RestoreAsync(_site, store, backup.Id, ["orders"]);

        Assert.Equal(RestorationStatus.Completed, restoration.Status);
        PostgresJudge.AssertSame(before, PostgresJudge.Fingerprint(_site));
    }

    [Fact]
    public async Task Rows_that_break_a_unique_index_built_again_fail_the_restore_and_nothing_changes()
    {
        await _site.ExecuteAsync("CREATE TABLE people (id integer, email text); INSERT INTO people VALUES (1, 'same'), (2, 'same'), (3, 'c')");
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        // Made after the backup, whose rows break it.
        await _site.ExecuteAsync("DELETE FROM people WHERE id = 2; CREATE UNIQUE INDEX people_email ON people (email)");
        string before = await _site.DumpAsync();

        var failure = await Assert.ThrowsAsync<Errors.BackupException>(() => TestEngine.RestoreAsync(_site, store, backup.Id));

        Assert.Equal(Errors.BackupError.InvalidArgument, failure.Error);
        Assert.Contains("people_email", failure.Message, StringComparison.Ordinal);
        Assert.Equal(before, await _site.DumpAsync());
    }
}
