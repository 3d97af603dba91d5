using System.Net;
using Npgsql;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// A role that may read and write the tables but is not their owner: row-level security that would hide rows from
/// it, triggers it may not switch off, keys it may not set aside, and a value the table no longer takes. Each is
/// refused with a clear error and leaves the tables as they were; none is a silently partial backup or restore.
/// </summary>
public sealed class PostgreSqlRoleTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _role = "r" + Guid.NewGuid().ToString("N")[..12];
    private const string RolePassword = "role-password-1";
    private PostgresFixture _site = null!;

    public async Task InitializeAsync()
    {
        _site = new PostgresFixture();
        await _site.ExecuteAsync($"CREATE ROLE {_role} LOGIN PASSWORD '{RolePassword}'; GRANT USAGE ON SCHEMA public TO {_role};");
    }

    public async Task DisposeAsync()
    {
        string admin = _site.ConnectionString("postgres");
        await _site.DisposeAsync();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {_role}", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public void Dispose() => _folder.Dispose();

    private ISiteSource AsRole() => SiteKinds.Open(_site.Site, new NetworkCredential(_role, RolePassword));

    private string Grant(string tables) => $"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {tables} TO {_role};";

    [Fact]
    public async Task Row_level_security_that_would_hide_rows_fails_the_backup_and_the_restore_naming_it()
    {
        await _site.ExecuteAsync(
            """
            CREATE TABLE notes (id integer PRIMARY KEY, author text);
            INSERT INTO notes VALUES (1, 'someone else'), (2, current_user);
            ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
            CREATE POLICY own_notes ON notes USING (author = current_user);
            """ + Grant("notes"));
        var store = TestEngine.Store(_folder);

        var e = await Assert.ThrowsAsync<BackupException>(() => BackupOperation.RunAsync(new BackupRequest { Site = AsRole(), Store = store }));
        Assert.Equal(BackupError.OperationFailed, e.Error);
        Assert.Contains("row-level security", e.Message, StringComparison.Ordinal);
        Assert.Empty(BackupCatalog.List(store, new BackupQuery { Statuses = [BackupStatus.Ready] }));

        // A backup the owner took, restored by the role: refused too, and the table keeps every row.
        var backup = await TestEngine.BackupAsync(_site, store);
        string before = PostgresJudge.Fingerprint(_site);
        var restore = await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = AsRole() }));
        Assert.Contains("row-level security", restore.Message, StringComparison.Ordinal);
        PostgresJudge.AssertSame(before, PostgresJudge.Fingerprint(_site));
    }

    [Fact]
    public async Task Triggers_the_role_may_not_switch_off_stop_the_restore_before_anything_changes()
    {
        await _site.ExecuteAsync(
            """
            CREATE TABLE items (id integer PRIMARY KEY, v text);
            CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := upper(NEW.v); RETURN NEW; END $$;
            CREATE TRIGGER shout BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION shout();
            INSERT INTO items VALUES (1, 'ONE');
            """ + Grant("items"));
        var store = TestEngine.Store(_folder);
        var backup = (await BackupOperation.RunAsync(new BackupRequest { Site = AsRole(), Store = store })).Backup!;
        await _site.ExecuteAsync("UPDATE items SET v = 'changed';");
        string before = PostgresJudge.Fingerprint(_site);

        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = AsRole() }));
        Assert.Equal(BackupError.OperationFailed, e.Error);
        Assert.Contains("triggers and rules of public.items", e.Message, StringComparison.Ordinal);
        Assert.Contains("owner", e.Message, StringComparison.Ordinal);
        PostgresJudge.AssertSame(before, PostgresJudge.Fingerprint(_site));
        Assert.Equal("O\n", _site.Psql("SELECT tgenabled FROM pg_trigger WHERE tgname = 'shout'"));
    }

    [Fact]
    public async Task A_key_cycle_the_role_may_not_set_aside_is_refused_with_what_to_do_and_nothing_changes()
    {
        await _site.ExecuteAsync(
            """
            CREATE TABLE a (id integer PRIMARY KEY, b_id integer);
            CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a(id));
            INSERT INTO a VALUES (1, 10); INSERT INTO b VALUES (10, 1);
            ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b(id);
            """ + Grant("a, b"));
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        string before = PostgresJudge.Fingerprint(_site);

        var e = await Assert.ThrowsAsync<BackupException>(() => RestoreOperation.RunAsync(new RestoreRequest { BackupId = backup.Id, Store = store, Site = AsRole() }));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("DEFERRABLE", e.Message, StringComparison.Ordinal);
        PostgresJudge.AssertSame(before, PostgresJudge.Fingerprint(_site));

        // As the owner, the same restore goes through: the keys are set aside and checked once the rows are in.
        Assert.Equal(RestorationStatus.Completed, (await TestEngine.RestoreAsync(_site, store, backup.Id)).Status);
        PostgresJudge.AssertSame(before, PostgresJudge.Fingerprint(_site));
    }

    [Fact]
    public async Task A_value_the_table_no_longer_takes_names_the_table_the_column_and_the_value()
    {
        await _site.ExecuteAsync("CREATE TABLE codes (id integer PRIMARY KEY, code text); INSERT INTO codes VALUES (1, '42'), (2, 'x7');");
        var store = TestEngine.Store(_folder);
        var backup = await TestEngine.BackupAsync(_site, store);
        await _site.ExecuteAsync("DELETE FROM codes; ALTER TABLE codes ALTER COLUMN code TYPE integer USING code::integer;");

        var e = await Assert.ThrowsAsync<BackupException>(() => TestEngine.RestoreAsync(_site, store, backup.Id));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.Contains("codes", e.Message, StringComparison.Ordinal);
        Assert.Contains("column code", e.Message, StringComparison.Ordinal);
        Assert.Contains("x7", e.Message, StringComparison.Ordinal);
    }
}
