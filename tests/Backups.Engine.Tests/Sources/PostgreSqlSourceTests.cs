using System.Net;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

public sealed class PostgreSqlSourceTests : IAsyncLifetime, IDisposable
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

    private const string EveryType =
        """
        CREATE TABLE every_type (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            small smallint, normal integer, big bigint, exact numeric, money_like numeric(12,2),
            r real, d double precision, flag boolean, t text, v varchar(20), c char(3), u uuid,
            day date, at timestamp, atz timestamptz, b bytea, j json, jb jsonb,
            ints integer[], texts text[], stamps timestamptz[], grid integer[][],
            dur interval, tm time, twice bigint GENERATED ALWAYS AS (normal::bigint * 2) STORED
        );
        INSERT INTO every_type (small, normal, big, exact, money_like, r, d, flag, t, v, c, u, day, at, atz, b, j, jb, ints, texts, stamps, grid, dur, tm) VALUES
          (-32768, -2147483648, -9223372036854775808, 123456789012345678901234567890.123456789012345678901234567890, 0.10,
           2.0, 2.0, true, 'Chloé 名前 ☃ "q" \ tab	end', 'varchar', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
           '2024-02-29', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+05:30', '\x00ff10',
           '{"b": 1,   "a": [1, 2.50, null],"a": "dup"}', '{"b": 1, "a": [1, 2.50, null]}',
           '{1,NULL,3}', '{"x","y z",NULL,"q\"uote"}', '{"2024-01-01 00:00:00+00"}', '{{1,2},{3,4}}', '1 day 02:03:04', '23:59:59.999999'),
          (32767, 2147483647, 9223372036854775807, -0.000000000000000000000000000001, 99999999.99,
           'NaN', '-Infinity', false, '', '', '', NULL, 'infinity', '-infinity', NULL, '\x', 'null', 'null',
           '{}', '{}', NULL, NULL, NULL, NULL),
          (NULL, NULL, NULL, 'NaN', NULL, 1e-45, 1.7976931348623157e308, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        INSERT INTO every_type (normal, t) SELECT i, 'row ' || i FROM generate_series(1, 3000) AS i;
        """;

    [Fact]
    public async Task Every_type_users_store_round_trips_as_psql_shows_it()
    {
        await _site.ExecuteAsync(EveryType);
        const string query = "SELECT * FROM every_type ORDER BY id";
        string types = _site.Psql("SELECT string_agg(pg_typeof(small)::text || pg_typeof(j)::text || pg_typeof(grid)::text, ',') FROM every_type WHERE id = 1");
        string before = _site.Psql(query);
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);

        await _site.ExecuteAsync("DELETE FROM every_type WHERE id % 2 = 0; UPDATE every_type SET t = 'changed', j = '{}', jb = '[]';");
        await TestEngine.RestoreAsync(_site, store, backup.Id);

        Assert.Equal(before, _site.Psql(query));
        Assert.Equal(types, _site.Psql("SELECT string_agg(pg_typeof(small)::text || pg_typeof(j)::text || pg_typeof(grid)::text, ',') FROM every_type WHERE id = 1"));
        // The json column comes back text-identical (spacing, key order, duplicate keys); JSON null stays apart from SQL NULL.
        Assert.Equal("{\"b\": 1,   \"a\": [1, 2.50, null],\"a\": \"dup\"}\n", _site.Psql("SELECT j FROM every_type WHERE id = 1"));
        Assert.Equal("null|null|t|t\n", _site.Psql("SELECT j::text, jb::text, j IS NOT NULL, jb IS NOT NULL FROM every_type WHERE id = 2"));
        Assert.Equal("t|t\n", _site.Psql("SELECT j IS NULL, jb IS NULL FROM every_type WHERE id = 3"));
        Assert.Equal("123456789012345678901234567890.123456789012345678901234567890\n", _site.Psql("SELECT exact FROM every_type WHERE id = 1"));
    }

    [Fact]
    public async Task Tables_with_composite_columns_round_trip_also_from_archives_that_kept_them_as_JSON_objects()
    {
        await _site.ExecuteAsync(
            """
            CREATE TYPE amount AS (value numeric, currency text);
            CREATE TABLE wallets (id integer PRIMARY KEY, balance amount, history amount[], note text);
            INSERT INTO wallets VALUES (1, ROW(12.50, 'EUR'), ARRAY[ROW(1, 'EUR')::amount, ROW(2.25, 'USD')::amount], 'a "quoted" note'),
                                       (2, NULL, '{}', NULL), (3, ROW(NULL, 'GBP'), NULL, E'tab\there');
            """);
        const string query = "SELECT * FROM wallets ORDER BY id";
        string before = _site.Psql(query);
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        await _site.ExecuteAsync("DELETE FROM wallets WHERE id = 1; UPDATE wallets SET note = 'changed';");

        await TestEngine.RestoreAsync(_site, store, backup.Id);
        Assert.Equal(before, _site.Psql(query));

        // Archives before version 3 held composites as JSON objects: they restore too.
        string archive = _folder.Combine("store", "archives", backup.Id + ".zip");
        ArchiveFiles.EditItems(archive, "wallets", lines => lines
            .Select(l => l.Replace("\"(12.50,EUR)\"", "{\"value\": 12.50, \"currency\": \"EUR\"}", StringComparison.Ordinal)
                .Replace("\"{\\\"(1,EUR)\\\",\\\"(2.25,USD)\\\"}\"", "[{\"value\": 1, \"currency\": \"EUR\"}, {\"value\": 2.25, \"currency\": \"USD\"}]", StringComparison.Ordinal))
            .ToArray());
        using (var edited = new MemoryStream(File.ReadAllBytes(archive)))
            File.WriteAllBytes(archive, ArchiveFiles.EditManifest(edited, m => m["formatVersion"] = 2).ToArray());
        Assert.Contains("{\"value\": 12.50", ArchiveText(backup.Id), StringComparison.Ordinal);
        await _site.ExecuteAsync("DELETE FROM wallets;");
        await TestEngine.RestoreAsync(_site, store, backup.Id);
        Assert.Equal(before, _site.Psql(query));
    }

    [Fact]
    public async Task A_json_value_that_reads_as_a_marker_comes_back_as_itself_and_version_2_archives_keep_their_meaning()
    {
        // Rows 3 to 5 spell the marker's name with escapes, which a reader of the item unescapes as it reads.
        await _site.ExecuteAsync("""
            CREATE TABLE docs (id integer PRIMARY KEY, j json, jb jsonb);
            INSERT INTO docs VALUES (1, '{"$json": "[1,2]"}', '{"$json": null}'), (2, '  [1]  ', 'null'),
              (3, '{"$jso\u006e": "[1,2]"}', '{"$jso\u006e": "x"}'), (4, '{"\u0024\u006A\u0073\u006F\u006E": null}', '{}'),
              (5, '{"$js\u006fn":"a","b":1}', '[]');
            """);
        const string query = "SELECT id, j::text, jb::text, j IS NULL, jb IS NULL FROM docs ORDER BY id";
        string before = _site.Psql(query);
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        await _site.ExecuteAsync("DELETE FROM docs;");
        await TestEngine.RestoreAsync(_site, store, backup.Id);
        Assert.Equal(before, _site.Psql(query));

        // In a version 2 archive, {"$json": "[1,2]"} was a stored object like any other, and so it stays.
        string archive = _folder.Combine("store", "archives", backup.Id + ".zip");
        ArchiveFiles.EditItems(archive, "docs", lines => ["""{"id":1,"j":{"$json": "[1,2]"},"jb":{"$json": null}}"""]);
        using (var edited = new MemoryStream(File.ReadAllBytes(archive)))
            File.WriteAllBytes(archive, ArchiveFiles.EditManifest(edited, m => m["formatVersion"] = 2).ToArray());
        await TestEngine.RestoreAsync(_site, store, backup.Id);
        Assert.Equal("1|{\"$json\": \"[1,2]\"}|null|f|f\n", _site.Psql(query));
    }

    private string ArchiveText(string backupId)
    {
        using var archive = new MemoryStream(File.ReadAllBytes(_folder.Combine("store", "archives", backupId + ".zip")));
        return string.Concat(ArchiveFiles.Entries(archive).Select(e => System.Text.Encoding.UTF8.GetString(e.Data)));
    }

    [Fact]
    public async Task Identity_and_serial_columns_keep_their_values_and_sequences_move_past_them()
    {
        await _site.ExecuteAsync(
            """
            CREATE TABLE a (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
            CREATE TABLE s (id serial PRIMARY KEY, name text);
            INSERT INTO a (name) SELECT 'a' || i FROM generate_series(1, 50) i;
            INSERT INTO s (name) SELECT 's' || i FROM generate_series(1, 50) i;
            DELETE FROM a WHERE id < 40; DELETE FROM s WHERE id < 40;
            """);
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        await _site.ExecuteAsync("TRUNCATE a, s RESTART IDENTITY");

        await TestEngine.RestoreAsync(_site, store, backup.Id);

        Assert.Equal("40,50\n", _site.Psql("SELECT min(id) || ',' || max(id) FROM a"));
        Assert.Equal("40,50\n", _site.Psql("SELECT min(id) || ',' || max(id) FROM s"));
        await _site.ExecuteAsync("INSERT INTO a (name) VALUES ('next'); INSERT INTO s (name) VALUES ('next');");
        Assert.Equal("51|51\n", _site.Psql("SELECT (SELECT id FROM a WHERE name = 'next'), (SELECT id FROM s WHERE name = 'next')"));
    }

    [Fact]
    public async Task A_table_outside_the_restore_whose_keys_would_cascade_is_refused_before_anything_changes()
    {
        await _site.CreateSampleAsync();
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        string before = await _site.DumpAsync();

        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(_site, store, backup.Id, ["people"]));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("'orders'", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await _site.DumpAsync());
    }

    private const string Keys =
        """
        SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
        FROM pg_constraint WHERE contype = 'f' ORDER BY conname
        """;

    [Fact]
    public async Task Foreign_keys_between_restored_tables_are_added_back_exactly_as_they_were()
    {
        await _site.ExecuteAsync(
            """
            CREATE TABLE parent (id integer PRIMARY KEY, code text UNIQUE);
            CREATE TABLE child (id integer PRIMARY KEY, parent_id integer, parent_code text, up integer REFERENCES child(id),
                CONSTRAINT child_to_parent FOREIGN KEY (parent_id) REFERENCES parent(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
            ALTER TABLE child ADD CONSTRAINT "Child by code" FOREIGN KEY (parent_code) REFERENCES parent(code) ON UPDATE SET NULL;
            CREATE TABLE kept (id integer PRIMARY KEY, parent_id integer CONSTRAINT kept_commented REFERENCES parent(id));
            COMMENT ON CONSTRAINT kept_commented ON kept IS 'stays';
            INSERT INTO parent SELECT i, 'c' || i FROM generate_series(1, 100) i;
            INSERT INTO child SELECT i, i % 100 + 1, 'c' || (i % 7 + 1), NULLIF(i - 1, 0) FROM generate_series(1, 500) i;
            INSERT INTO kept VALUES (1, 1);
            """);
        string keys = _site.Psql(Keys), data = _site.Psql("SELECT * FROM child ORDER BY id");
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        await _site.ExecuteAsync("DELETE FROM child WHERE id > 250; UPDATE child SET parent_code = NULL");

        await TestEngine.RestoreAsync(_site, store, backup.Id, ["parent", "child", "kept"]);

        Assert.Equal(data, _site.Psql("SELECT * FROM child ORDER BY id"));
        Assert.Equal(keys, _site.Psql(Keys));
        Assert.Equal("stays\n", _site.Psql("SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE conname = 'kept_commented'"));
        // The keys work again: a child of no parent is refused, a deleted parent still cascades.
        await Assert.ThrowsAnyAsync<Exception>(() => _site.ExecuteAsync("INSERT INTO child VALUES (1000, 999, NULL, NULL)"));
        await _site.ExecuteAsync("DELETE FROM kept; UPDATE child SET up = NULL; DELETE FROM parent WHERE id = 50");
        Assert.Equal("0\n", _site.Psql("SELECT count(*) FROM child WHERE parent_id = 50"));
    }

    [Fact]
    public async Task Rows_that_break_a_foreign_key_fail_the_restore_and_leave_tables_and_keys_as_they_were()
    {
        // The backup is taken before the key exists, with a child whose parent is missing.
        await _site.ExecuteAsync(
            """
            CREATE TABLE parent (id integer PRIMARY KEY);
            CREATE TABLE child (id integer PRIMARY KEY, parent_id integer);
            INSERT INTO parent SELECT generate_series(1, 10);
            INSERT INTO child VALUES (1, 1), (2, 42);
            """);
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        await _site.ExecuteAsync("DELETE FROM child WHERE id = 2; ALTER TABLE child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent(id)");
        string before = await _site.DumpAsync(), keys = _site.Psql(Keys);

        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(_site, store, backup.Id));

        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("child_parent", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await _site.DumpAsync());
        Assert.Equal(keys, _site.Psql(Keys));
    }

    [Fact]
    public async Task Wrong_password_unreachable_server_and_missing_database_or_schema_are_told_apart()
    {
        await _site.CreateSampleAsync();
        async Task<BackupError> Fails(string site, NetworkCredential? credential) =>
            (await Assert.ThrowsAsync<BackupException>(() => SiteKinds.Open(site, credential).ListCollectionsAsync(CancellationToken.None))).Error;

        Assert.Equal(BackupError.AuthenticationFailed, await Fails(_site.Site, new NetworkCredential(_site.User, "wrong-password")));
        Assert.Equal(BackupError.SiteUnreachable, await Fails("postgresql://postgres@127.0.0.1:1/db", _site.Credential));
        Assert.Equal(BackupError.SiteNotFound, await Fails($"postgresql://postgres@127.0.0.1:{_site.Port}/no_such_database", _site.Credential));
        Assert.Equal(BackupError.SiteNotFound, await Fails($"{_site.Site}?schema=no_such_schema", _site.Credential));
        Assert.Equal(3, (await SiteKinds.Open(_site.Site, _site.Credential).ListCollectionsAsync(CancellationToken.None)).Count);
    }

    /// <summary>Ends every other connection to the test database, as a server restart or a failover does.</summary>
    private void EndConnections()
    {
        using var admin = new Npgsql.NpgsqlConnection(_site.ConnectionString("postgres"));
        admin.Open();
        using var end = new Npgsql.NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", admin);
        end.Parameters.AddWithValue(_site.Database);
        end.ExecuteNonQuery();
    }

    private const string BigTable =
        "CREATE TABLE big (id integer PRIMARY KEY, t text, j jsonb); INSERT INTO big SELECT i, repeat('x', 200), '{}' FROM generate_series(1, 100000) AS i;";

    [Fact]
    public async Task A_server_that_goes_away_mid_backup_is_SiteUnreachable_with_the_site_and_the_cause()
    {
        await _site.ExecuteAsync(BigTable);
        var store = TestEngine.Store(_folder);
        int ended = 0;
        var progress = new SiteBackup.Engine.Tests.Operations.SynchronousProgress(p =>
        {
            if (p.ItemsDone > 0 && Interlocked.Exchange(ref ended, 1) == 0) EndConnections();
        });

        var e = await Assert.ThrowsAsync<BackupException>(() =>
            SiteBackup.Engine.Operations.BackupOperation.RunAsync(new SiteBackup.Engine.Operations.BackupRequest { Site = SiteKinds.Open(_site.Site, _site.Credential), Store = store }, progress));

        Assert.Equal(1, ended);
        Assert.Equal(BackupError.SiteUnreachable, e.Error);
        Assert.Contains(SiteKinds.GetSiteId(_site.Site), e.Message, StringComparison.Ordinal);
        // The cause as the moment of the end gives it: the server's "terminating connection" or the socket's end.
        Assert.NotNull(e.InnerException);
        Assert.Matches("ended the connection: .+|cannot be reached: .+|was lost: .+", e.Message);
        Assert.Equal(SiteBackup.Engine.Model.BackupStatus.Failed, store.ListBackups().Single().Status);
    }

    [Fact]
    public async Task A_server_that_goes_away_mid_restore_is_SiteUnreachable_and_the_tables_are_as_they_were()
    {
        await _site.ExecuteAsync(BigTable);
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        await _site.ExecuteAsync("DELETE FROM big WHERE id > 10");
        int ended = 0;
        var progress = new SiteBackup.Engine.Tests.Operations.SynchronousProgress(p =>
        {
            if (p.ItemsDone > 0 && Interlocked.Exchange(ref ended, 1) == 0) EndConnections();
        });

        var e = await Assert.ThrowsAsync<BackupException>(() => SiteBackup.Engine.Operations.RestoreOperation.RunAsync(
            new SiteBackup.Engine.Operations.RestoreRequest { BackupId = backup.Id, Store = store, Site = SiteKinds.Open(_site.Site, _site.Credential) }, progress));

        Assert.Equal(1, ended);
        Assert.Equal(BackupError.SiteUnreachable, e.Error);
        Assert.Contains(SiteKinds.GetSiteId(_site.Site), e.Message, StringComparison.Ordinal);
        Assert.Equal(10, await _site.ScalarAsync("SELECT count(*) FROM big"));
        Assert.Equal(SiteBackup.Engine.Model.RestorationStatus.Failed, store.ListRestorations().Single().Status);
    }

    [Fact]
    public void Site_strings_keep_passwords_out_and_normalise_to_host_port_database_schema()
    {
        Assert.Equal("postgresql://db.example:5432/shop/public", SiteKinds.GetSiteId("postgresql://app@db.example/shop"));
        Assert.Equal("postgresql://db.example:6543/shop/sales", SiteKinds.GetSiteId("postgres://db.example:6543/shop?schema=sales"));
        Assert.Equal("postgresql://db.example:5432/shop/sales", SiteKinds.GetSiteId("Host=db.example;Database=shop;Username=app;Schema=sales"));
        Assert.Equal("postgresql://db.example:5432/shop/sales", SiteKinds.GetSiteId("postgresql://db.example:5432/shop/sales"));

        foreach (string site in new[] { "postgresql://app:hunter2@db.example/shop", "postgresql://app@db.example/shop?password=hunter2", "Host=db.example;Database=shop;Password=hunter2" })
        {
            var e = Assert.Throws<BackupException>(() => SiteKinds.Open(site));
            Assert.Equal(BackupError.InvalidArgument, e.Error);
            Assert.DoesNotContain("hunter2", e.Message + e.Target, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", SiteKinds.GetSiteId(site), StringComparison.Ordinal);
        }
    }
}
