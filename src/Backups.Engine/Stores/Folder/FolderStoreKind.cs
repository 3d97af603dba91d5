
namespace SiteBackup.Engine.Stores.Folder;

/// <summary>Folder stores: any path that no other kind claims. A folder needs no credential and ignores one.</summary>
internal sealed class FolderStoreKind : IStoreKind
{
    public string Name => "folder";

    public bool Recognises(string store) => true;

    public bool IsLocal => true;

    public IBackupStore Open(string store, StoreAccess access) => new FolderStore(store);
}
