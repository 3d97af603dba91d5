namespace SiteBackup.Engine.Tests.Support;

/// <summary>Reports warnings on the caller's thread at once (Progress&lt;T&gt; would post to the thread pool).</summary>
public sealed class SynchronousWarnings(Action<string> report) : IProgress<string>
{
    public void Report(string value) => report(value);
}
