namespace SiteBackup.Engine.Model;

public enum RestorationStatus
{
    Pending,
    Completed,
    Failed,
    /// <summary>Stopped by the user (Ctrl+C); a transactional site was left as it was.</summary>
    Canceled,
}

/// <summary>What a restoration did to one collection.</summary>
public enum RestorationCollectionStatus
{
    /// <summary>Left as it was: not reached, or rolled back with the rest of a failed restore.</summary>
    NotRestored,
    /// <summary>Holds exactly the backup's items.</summary>
    Restored,
    /// <summary>Emptied and partly written (a site without transactions, Wix, that failed part-way or refused some
    /// items): <see cref="RestorationCollection.ItemCount"/> items are in it.</summary>
    Partial,
}
