using System.Globalization;

namespace SiteBackup.PowerShell.Internal;

internal static class Sizes
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB", "PB"];

    /// <summary>1536 → "1.5 KB" (binary multiples, as Windows and PowerShell show sizes).</summary>
    public static string Format(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Format(CultureInfo.CurrentCulture, "{0} B", bytes)
            : string.Format(CultureInfo.CurrentCulture, "{0:0.#} {1}", value, Units[unit]);
    }
}
