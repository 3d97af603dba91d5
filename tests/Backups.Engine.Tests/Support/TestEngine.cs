using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>Short forms of the engine calls most tests make.</summary>
public static class TestEngine
{
    public static IBackupStore Store(TempFolder folder) => StoreKinds.Open(folder.Combine("store"), mustExist: false);

    public static async Task<BackupRecord> BackupAsync(SqliteSite site, IBackupStore store, BackupType type = BackupType.OnDemand,
        TimeProvider? clock = null, string[]? collections = null)
    {
        var outcome = await BackupOperation.RunAsync(new BackupRequest
        {
            Site = SiteKinds.Open(site.Path), Store = store, Type = type, Clock = clock ?? TimeProvider.System,
            Collections = collections ?? [],
        });
        return outcome.Backup ?? throw new InvalidOperationException(outcome.SkippedReason);
    }

    public static async Task<BackupRecord> BackupAsync(ISiteFixture site, IBackupStore store, string[]? collections = null)
    {
        var outcome = await BackupOperation.RunAsync(new BackupRequest
        {
            Site = site.Open(), Store = store, Collections = collections ?? [],
        });
        return outcome.Backup ?? throw new InvalidOperationException(outcome.SkippedReason);
    }

    public static Task<RestorationRecord> RestoreAsync(ISiteFixture site, IBackupStore store, string backupId,
        string[]? collections = null, Dictionary<string, string>? destinations = null) =>
        RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backupId, Store = store, Site = site.Open(),
            Collections = collections ?? [], Destinations = destinations ?? [],
        });

    public static Task<RestorationRecord> RestoreAsync(SqliteSite site, IBackupStore store, string backupId,
        string[]? collections = null, Dictionary<string, string>? destinations = null) =>
        RestoreOperation.RunAsync(new RestoreRequest
        {
            BackupId = backupId, Store = store, Site = SiteKinds.Open(site.Path),
            Collections = collections ?? [], Destinations = destinations ?? [],
        });
}
