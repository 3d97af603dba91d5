namespace SiteBackup.Engine.Model;

/// <summary>Something of the site a backup could not keep, and why: named in the record, never skipped in silence
/// (a virtual table whose module is not here, the rowids of a table whose columns take every name for them).</summary>
public sealed record Omission(string Collection, string Reason)
{
    public override string ToString() => $"{Collection}: {Reason}";
}
