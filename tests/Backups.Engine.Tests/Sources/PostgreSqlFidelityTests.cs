using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Sources;

/// <summary>
/// A Ready backup of a PostgreSQL schema gives back exactly what it held, judged by pg_dump
/// (<see cref="PostgresJudge"/>), over a corpus of the schemas real applications have (tests/data/pg-corpus): each
/// made in a fresh database, backed up with hostile database settings in place (floats rounded, another DateStyle,
/// IntervalStyle, TimeZone, search_path and bytea_output), changed, restored, and dumped again.
/// </summary>
public sealed class PostgreSqlFidelityTests : IAsyncLifetime, IDisposable
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

    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(CorpusFolder, "*.sql").Order(StringComparer.Ordinal)) data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    private static string CorpusFolder => Path.Combine(AppContext.BaseDirectory, "data", "pg-corpus");

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_restore_gives_back_what_the_schema_held_as_pg_dump_sees_it(string name)
    {
        string script = File.ReadAllText(Path.Combine(CorpusFolder, name + ".sql"));
        int marker = script.IndexOf("\n-- change", StringComparison.Ordinal);
        await _site.ExecuteAsync(marker < 0 ? script : script[..marker]);
        await PostgresRoundTrip.RunAsync(_site, _folder, marker < 0 ? null : script[(marker + 1)..]);
    }
}
