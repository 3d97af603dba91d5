namespace SiteBackup.Engine.Stores;

/// <summary>One kind of store: recognises its store strings and opens them. Registered in <see cref="StoreKinds"/>.</summary>
public interface IStoreKind
{
    /// <summary>Short name shown to users ("folder").</summary>
    string Name { get; }

    /// <summary>True when <paramref name="store"/> is of this kind (no I/O).</summary>
    bool Recognises(string store);

    /// <summary>True when the kind's store strings are local paths, to be resolved against the caller's current
    /// folder before <see cref="Open"/>.</summary>
    bool IsLocal { get; }

    /// <summary>True when the store is the site's own platform and takes the site's credential (-Credential) when no
    /// store credential is given (Wix's own backups, reached with the site's API key).</summary>
    bool TakesSiteCredential => false;

    /// <summary>Opens the store without creating it; throws InvalidArgument for a store string it cannot use.</summary>
    /// <param name="store">A store string of this kind.</param>
    /// <param name="access">The credential and session sign-in, for a kind that needs them; the others ignore it.</param>
    IBackupStore Open(string store, StoreAccess access);
}
