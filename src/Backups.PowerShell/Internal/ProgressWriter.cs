using System.Globalization;
using System.Management.Automation;
using SiteBackup.Engine.Model;

namespace SiteBackup.PowerShell.Internal;

/// <summary>
/// Turns engine progress into two Write-Progress bars: a parent for the whole operation (collections done of
/// all) and a child for the current collection (items and bytes). Called on the pipeline thread only.
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
        var parent = new ProgressRecord(parentId, progress.Activity,
            $"Collection {progress.CollectionIndex + 1} of {progress.CollectionCount}: {progress.CollectionId}")
        {
            PercentComplete = progress.CollectionCount == 0 ? 0 : Math.Min(100, 100 * progress.CollectionIndex / progress.CollectionCount),
        };
        cmdlet.WriteProgress(parent);

        string items = progress.ItemsTotal >= 0
            ? string.Format(CultureInfo.CurrentCulture, "{0:N0} of {1:N0} items", progress.ItemsDone, progress.ItemsTotal)
            : string.Format(CultureInfo.CurrentCulture, "{0:N0} items", progress.ItemsDone);
        var child = new ProgressRecord(_childId, progress.CollectionId ?? progress.Activity, $"{items}, {Sizes.Format(progress.BytesDone)}")
        {
            ParentActivityId = parentId,
            PercentComplete = progress.ItemsTotal > 0 ? (int)Math.Min(100, 100 * progress.ItemsDone / progress.ItemsTotal) : -1,
        };
        cmdlet.WriteProgress(child);
    }

    /// <summary>Closes both bars; safe to call when nothing was shown.</summary>
    public void Complete()
    {
        if (_activity is null) return;
        cmdlet.WriteProgress(new ProgressRecord(_childId, _activity, "Done") { ParentActivityId = parentId, RecordType = ProgressRecordType.Completed });
        cmdlet.WriteProgress(new ProgressRecord(parentId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        _activity = null;
    }
}
