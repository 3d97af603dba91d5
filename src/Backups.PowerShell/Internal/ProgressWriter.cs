using System.Globalization;
using System.Management.Automation;
using SiteBackup.Engine.Model;

namespace SiteBackup.PowerShell.Internal;

/// <summary>
/// Turns engine progress into two Write-Progress bars: a parent for the whole operation, which advances with the
/// items done of all items (a large collection moves it as much as it weighs), and a child for the current
/// collection (items and uncompressed bytes). Called on the pipeline thread only.
/// </summary>
internal sealed class ProgressWriter(Cmdlet cmdlet, int parentId)
{
    private readonly int _childId = parentId + 1;
    private string? _activity;

    public void Write(BackupProgress progress)
    {
        _activity = progress.Activity;
        if (progress.Completed)
        {
            Complete();
            return;
        }
        string overall = progress.OverallItemsTotal >= 0
            ? string.Format(CultureInfo.CurrentCulture, " ({0:N0} of {1:N0} items in all)", progress.OverallItemsDone, progress.OverallItemsTotal)
            : "";
        var parent = new ProgressRecord(parentId, progress.Activity,
            $"Collection {progress.CollectionIndex + 1} of {progress.CollectionCount}: {progress.CollectionId}{overall}")
        {
            PercentComplete = Percent(progress.OverallItemsDone, progress.OverallItemsTotal)
                ?? (progress.CollectionCount == 0 ? 0 : Math.Min(100, 100 * progress.CollectionIndex / progress.CollectionCount)),
        };
        cmdlet.WriteProgress(parent);

        string items = progress.ItemsTotal >= 0
            ? string.Format(CultureInfo.CurrentCulture, "{0:N0} of {1:N0} items", progress.ItemsDone, progress.ItemsTotal)
            : string.Format(CultureInfo.CurrentCulture, "{0:N0} items", progress.ItemsDone);
        var child = new ProgressRecord(_childId, progress.CollectionId ?? progress.Activity, $"{items}, {Sizes.Format(progress.BytesDone)} uncompressed")
        {
            ParentActivityId = parentId,
            PercentComplete = Percent(progress.ItemsDone, progress.ItemsTotal) ?? -1,
        };
        cmdlet.WriteProgress(child);
    }

    /// <summary>Done of total as a percentage, or null when the total is unknown. A site without a snapshot (Wix)
    /// can hold more items than it counted, so the figure stops at 100.</summary>
    private static int? Percent(long done, long total) =>
        total > 0 ? (int)Math.Min(100, 100 * done / total) : total == 0 ? 100 : null;

    /// <summary>Closes both bars; safe to call when nothing was shown.</summary>
    public void Complete()
    {
        if (_activity is null) return;
        cmdlet.WriteProgress(new ProgressRecord(_childId, _activity, "Done") { ParentActivityId = parentId, RecordType = ProgressRecordType.Completed });
        cmdlet.WriteProgress(new ProgressRecord(parentId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        _activity = null;
    }
}
