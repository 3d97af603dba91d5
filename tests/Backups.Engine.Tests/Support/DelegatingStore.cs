using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;
using SiteBackup.Engine.Stores;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>A real store with one call or another changed by a test (a probe at the worst moment, a read that
/// does not give back what was written): every call goes to <paramref name="inner"/> unless overridden.</summary>
public class DelegatingStore(IBackupStore inner) : IBackupStore
{
    public IBackupStore Inner => inner;
    public virtual string Location => inner.Location;
    public virtual bool Exists => inner.Exists;
    public virtual IDisposable Lock(TimeSpan timeout, CancellationToken cancellationToken) => inner.Lock(timeout, cancellationToken);
    public virtual IDisposable HoldOperation(string id) => inner.HoldOperation(id);
    public virtual bool IsOperationRunning(string id) => inner.IsOperationRunning(id);
    public virtual RetentionPolicy ReadRetention() => inner.ReadRetention();
    public virtual void WriteRetention(RetentionPolicy policy) => inner.WriteRetention(policy);
    public virtual IReadOnlyList<BackupRecord> ListBackups() => inner.ListBackups();
    public virtual BackupRecord? FindBackup(string id) => inner.FindBackup(id);
    public virtual void SaveBackup(BackupRecord backup) => inner.SaveBackup(backup);
    public virtual void DeleteBackupRecord(string id) => inner.DeleteBackupRecord(id);
    public virtual IReadOnlyList<RestorationRecord> ListRestorations() => inner.ListRestorations();
    public virtual RestorationRecord? FindRestoration(string id) => inner.FindRestoration(id);
    public virtual void SaveRestoration(RestorationRecord restoration) => inner.SaveRestoration(restoration);
    public virtual IArchiveUpload BeginArchive(string id) => inner.BeginArchive(id);
    public virtual Stream OpenArchive(string id) => inner.OpenArchive(id);
    public virtual void DeleteArchive(string id) => inner.DeleteArchive(id);
    public virtual IReadOnlyList<string> ListArchiveIds() => inner.ListArchiveIds();
}
