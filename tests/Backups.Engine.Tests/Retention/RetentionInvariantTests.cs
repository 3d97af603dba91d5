using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Retention;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Tests.Operations;
using SiteBackup.Engine.Tests.Support;

namespace SiteBackup.Engine.Tests.Retention;

/// <summary>
/// Retention never removes a Ready backup holding a collection that no newer Ready backup of that site in that store
/// holds, and past that it keeps to its limits. Checked on sequences generated from a seed (printed on failure),
/// of full and partial, on-demand and automatic, Ready, failed and canceled backups.
/// </summary>
public class RetentionInvariantTests
{
    private static readonly string[] Names = ["a", "b", "c", "d"];
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_few_partial_backups_never_push_out_the_only_full_one()
    {
        var policy = new RetentionPolicy { MaxOnDemandBackups = 3 };
        var backups = new List<BackupRecord> { Backup(0, BackupType.OnDemand, "a", "b", "c") };
        for (int i = 1; i <= 5; i++)
        {
            backups.Add(Backup(i, BackupType.OnDemand, "a"));
            Apply(backups, RetentionRules.Expired(backups, "site", policy));
        }
        var ready = backups.Where(b => b.Status == BackupStatus.Ready).Select(b => b.Id).ToList();
        Assert.Equal(["b0", "b3", "b4", "b5"], ready.Order());

        // A newer full backup holds everything the old one held: now it may go, and the limit holds again.
        backups.Add(Backup(6, BackupType.OnDemand, "a", "b", "c"));
        Apply(backups, RetentionRules.Expired(backups, "site", policy));
        Assert.Equal(["b4", "b5", "b6"], backups.Where(b => b.Status == BackupStatus.Ready).Select(b => b.Id).Order());
    }

    [Fact]
    public void An_automatic_backup_that_holds_everything_lets_older_on_demand_ones_go_and_not_the_other_way_round()
    {
        var policy = new RetentionPolicy { MaxOnDemandBackups = 1, MaxAutoBackups = 1 };
        var backups = new List<BackupRecord>
        {
            Backup(0, BackupType.OnDemand, "a", "b"),
            Backup(1, BackupType.Auto, "a"),
            Backup(2, BackupType.OnDemand, "b"),
            Backup(3, BackupType.Auto, "a", "b"),
        };
        var expired = RetentionRules.Expired(backups, "site", policy);
        // b0 (over the on-demand limit) is covered by b2 and b3; b1 (over the auto limit) by b3.
        Assert.Equal(["b0", "b1"], expired.Select(b => b.Id));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Generated_sequences_keep_the_last_copy_of_every_collection_and_otherwise_the_limits(int seed)
    {
        var random = new Random(seed);
        for (int run = 0; run < 200; run++)
        {
            var policy = new RetentionPolicy { MaxOnDemandBackups = random.Next(1, 4), MaxAutoBackups = random.Next(1, 3) };
            var backups = new List<BackupRecord>();
            for (int step = 0; step < 40; step++)
            {
                var type = random.Next(3) == 0 ? BackupType.Auto : BackupType.OnDemand;
                var status = random.Next(5) switch { 0 => BackupStatus.Failed, 1 => BackupStatus.Canceled, _ => BackupStatus.Ready };
                string[] collections = random.Next(3) == 0 ? Names : Names.Where(_ => random.Next(2) == 0).DefaultIfEmpty("a").ToArray();
                // Another site's backups in the same store: they never count for this one.
                string site = random.Next(6) == 0 ? "other" : "site";
                backups.Add(Backup(backups.Count, type, collections) with { Status = status, SiteId = site });
                if (status != BackupStatus.Ready) continue;

                var before = backups.ToList();
                var expired = RetentionRules.Expired(backups, site, policy);
                Apply(backups, expired);
                string context = $"seed {seed}, run {run}, step {step}, policy {policy.MaxOnDemandBackups}/{policy.MaxAutoBackups}";
                CheckInvariant(before, backups, expired, context);
                CheckLimits(backups, site, policy, context);
            }
        }
    }

    [Fact]
    public async Task Real_backups_of_a_site_in_a_folder_store_keep_the_last_copy_of_every_collection()
    {
        using var folder = new TempFolder();
        var site = SqliteSite.Create(folder, string.Join(' ', Names.Select((n, i) => $"CREATE TABLE {n} (x); INSERT INTO {n} VALUES ({i});")));
        var store = TestEngine.Store(folder);
        store.WriteRetention(new RetentionPolicy { MaxOnDemandBackups = 2, MaxAutoBackups = 1 });
        var clock = new ManualClock(Start);
        var random = new Random(7);
        var everBackedUp = new HashSet<string>(StringComparer.Ordinal);

        for (int step = 0; step < 30; step++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            string[] collections = random.Next(3) == 0 ? [] : Names.Where(_ => random.Next(2) == 0).DefaultIfEmpty("a").ToArray();
            var request = new BackupRequest
            {
                Site = SiteKinds.Open(site.Path), Store = store, Clock = clock, Collections = collections, Force = true,
                Type = random.Next(3) == 0 ? BackupType.Auto : BackupType.OnDemand,
            };
            var before = store.ListBackups();
            switch (random.Next(5))
            {
                case 0:
                    // Fails once it has started: the site goes away in the middle of reading.
                    await Assert.ThrowsAsync<BackupException>(() => BackupOperation.RunAsync(request with { Site = new FailingSite(request.Site) }));
                    break;
                case 1:
                    using (var cancel = new CancellationTokenSource())
                    {
                        var progress = new SynchronousProgress(p => { if (p.CollectionId is not null) cancel.Cancel(); });
                        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BackupOperation.RunAsync(request, progress, cancel.Token));
                    }
                    break;
                default:
                    var taken = (await BackupOperation.RunAsync(request)).Backup!;
                    foreach (var collection in taken.Collections) everBackedUp.Add(collection.Id);
                    break;
            }

            var after = store.ListBackups();
            var removed = after.Where(b => b.Status == BackupStatus.Deleted && before.Any(o => o.Id == b.Id && o.Status == BackupStatus.Ready)).ToList();
            CheckInvariant(before, after, removed, $"step {step}");
            var ready = after.Where(b => b.Status == BackupStatus.Ready).ToList();
            Assert.All(everBackedUp, c => Assert.Contains(ready, b => b.Collections.Any(x => x.Id == c)));
            Assert.All(ready, b => store.OpenArchive(b.Id).Dispose());
            Assert.DoesNotContain(after, b => b.Status == BackupStatus.Pending);
        }
        Assert.Contains(store.ListBackups(), b => b.Status == BackupStatus.Failed);
        Assert.Contains(store.ListBackups(), b => b.Status == BackupStatus.Canceled);
        Assert.Contains(store.ListBackups(), b => b.Status == BackupStatus.Deleted);
    }

    /// <summary>Every backup retention removed holds only collections that a newer Ready backup of its site still holds.</summary>
    private static void CheckInvariant(IReadOnlyList<BackupRecord> before, IReadOnlyList<BackupRecord> after, IEnumerable<BackupRecord> removed, string context)
    {
        var ready = after.Where(b => b.Status == BackupStatus.Ready).ToList();
        foreach (var gone in removed)
        {
            Assert.True(before.Single(b => b.Id == gone.Id).Status == BackupStatus.Ready, $"{context}: {gone.Id} was not Ready");
            foreach (var collection in gone.Collections)
            {
                Assert.True(
                    ready.Any(b => b.SiteId == gone.SiteId && IsNewer(b, gone) && b.Collections.Any(c => c.Id == collection.Id)),
                    $"{context}: removing {gone.Id} lost the last copy of '{collection.Id}'");
            }
        }
    }

    /// <summary>A Ready backup past its type's limit stays only while it holds a collection no newer Ready backup holds.</summary>
    private static void CheckLimits(IReadOnlyList<BackupRecord> backups, string site, RetentionPolicy policy, string context)
    {
        var ready = backups.Where(b => b.Status == BackupStatus.Ready && b.SiteId == site).ToList();
        foreach (var type in new[] { BackupType.OnDemand, BackupType.Auto })
        {
            int max = type == BackupType.OnDemand ? policy.MaxOnDemandBackups : policy.MaxAutoBackups;
            foreach (var extra in ready.Where(b => b.Type == type).OrderByDescending(b => b.RequestedDate).Skip(max))
            {
                bool holdsLastCopy = extra.Collections.Any(c => !ready.Any(b => IsNewer(b, extra) && b.Collections.Any(x => x.Id == c.Id)));
                Assert.True(holdsLastCopy, $"{context}: {extra.Id} is past the {type} limit of {max} and holds nothing newer backups lack");
            }
        }
    }

    private static bool IsNewer(BackupRecord a, BackupRecord b) =>
        a.RequestedDate > b.RequestedDate || (a.RequestedDate == b.RequestedDate && string.CompareOrdinal(a.Id, b.Id) > 0);

    private static BackupRecord Backup(int n, BackupType type, params string[] collections) => new()
    {
        Id = $"b{n}", SiteId = "site", Type = type, Status = BackupStatus.Ready, RequestedDate = Start.AddHours(n),
        Collections = collections.Select(c => new BackupCollection { Id = c, DisplayName = c, ItemCount = 1 }).ToList(),
    };

    private static void Apply(List<BackupRecord> backups, IEnumerable<BackupRecord> expired)
    {
        foreach (var gone in expired)
        {
            int at = backups.FindIndex(b => b.Id == gone.Id);
            backups[at] = backups[at] with { Status = BackupStatus.Deleted };
        }
    }

    /// <summary>A real site whose reads fail part-way, as a site that goes away in the middle of a backup does.</summary>
    private sealed class FailingSite(ISiteSource inner) : ISiteSource
    {
        public string SiteId => inner.SiteId;
        public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken) => inner.ListCollectionsAsync(cancellationToken);
        public async Task<ISiteSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken) => new Failing(await inner.OpenSnapshotAsync(cancellationToken));
        public Task<ISiteRestore> BeginRestoreAsync(RestoreStart start, CancellationToken cancellationToken) => inner.BeginRestoreAsync(start, cancellationToken);

        private sealed class Failing(ISiteSnapshot snapshot) : ISiteSnapshot
        {
            public IReadOnlyList<CollectionInfo> Collections => snapshot.Collections;
            public Task<long> CountAsync(CollectionInfo collection, CancellationToken cancellationToken) => snapshot.CountAsync(collection, cancellationToken);
            public Task ExportAsync(CollectionInfo collection, ItemWriter items, CancellationToken cancellationToken) =>
                throw new BackupException(BackupError.SiteUnreachable, "The site went away.");
            public ValueTask DisposeAsync() => snapshot.DisposeAsync();
        }
    }
}
