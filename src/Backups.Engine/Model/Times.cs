using System.Globalization;

namespace SiteBackup.Engine.Model;

/// <summary>
/// The one way SiteBackup writes a time for a person to read (messages, prompts, tables, tooltips): UTC with
/// seconds, marked with a Z, as <c>2026-11-25 13:19:05Z</c>. Records are shared between machines in different time
/// zones (an Azure store used by several runbooks), so every reader sees the same text for the same moment.
/// </summary>
public static class Times
{
    public static string Show(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy'-'MM'-'dd HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    public static string Show(DateTimeOffset? time) => time is { } t ? Show(t) : "";
}
