namespace SiteBackup.PowerShell.Commands;

/// <summary>
/// The property names a -Site parameter also binds from the pipeline: a record's <c>SiteId</c> (its <c>Site</c> is
/// the parameter's own name), a file's <c>FullName</c> and <c>PSPath</c> (Get-Item, Get-ChildItem), a CSV row's
/// <c>Path</c>. A provider-qualified PSPath resolves as any path does.
/// </summary>
internal static class SiteAliases
{
    public const string SiteId = "SiteId";
    public const string FullName = "FullName";
    public const string Path = "Path";
    public const string PSPath = "PSPath";
}
