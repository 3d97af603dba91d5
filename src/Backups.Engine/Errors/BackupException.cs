namespace SiteBackup.Engine.Errors;

/// <summary>
/// The one exception type the engine throws on purpose. <see cref="Error"/> says what kind of failure it is;
/// <see cref="Target"/> names the thing at fault (a site, a collection, a backup id, an archive entry).
/// </summary>
public class BackupException : Exception
{
    public BackupException(BackupError error, string message, string? target = null, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
        Target = target;
    }

    public BackupError Error { get; }
    public string? Target { get; }

    /// <summary>The record of the restoration this error ended, when it was one: for a site without transactions
    /// it says what each collection holds now.</summary>
    public Model.RestorationRecord? Restoration { get; set; }
}
