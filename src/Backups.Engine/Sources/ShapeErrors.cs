using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources;

/// <summary>The one error every source raises when a backup's item does not fit the collection it is restored into.</summary>
internal static class ShapeErrors
{
    public static BackupException ColumnMissing(string collectionId, string column) => new(
        BackupError.InvalidArgument,
        $"Collection '{collectionId}' has no column '{column}' that the backup holds; the table's shape has changed since the backup.",
        collectionId);
}
