using System.Text.Json.Serialization;

namespace SiteBackup.Engine.Retention;

/// <summary>
/// How many backups a store keeps per site (by count, and for automatic backups also by calendar), when an automatic
/// backup is due, whether every backup must be encrypted and how long the records of removed ones stay: the store's
/// policy. Kept per store.
/// </summary>
public sealed record RetentionPolicy
{
    /// <summary>As in Wix: the 4th on-demand backup removes the oldest.</summary>
    public const int DefaultMaxOnDemand = 3;

    /// <summary>Wix does not say how many automatic backups it keeps. Four weekly backups give about a month of
    /// history at the cost of four archives; raise it for longer history.</summary>
    public const int DefaultMaxAuto = 4;

    public static readonly TimeSpan DefaultAutoInterval = TimeSpan.FromDays(7);

    public int MaxOnDemandBackups { get; init; } = DefaultMaxOnDemand;
    public int MaxAutoBackups { get; init; } = DefaultMaxAuto;
    public TimeSpan AutoInterval { get; init; } = DefaultAutoInterval;

    /// <summary>Calendar rules for automatic backups, beside <see cref="MaxAutoBackups"/> (see
    /// <see cref="CalendarRules"/>): the newest backup of each of the last KeepDaily days (KeepWeekly ISO weeks,
    /// KeepMonthly months, KeepYearly years) that have one stays, and so does every one within KeepWithin of the
    /// newest. 0 (and a zero KeepWithin) turns a rule off; all are off by default, so the count limits alone apply,
    /// as in Wix.</summary>
    public int KeepDaily { get; init; }
    public int KeepWeekly { get; init; }
    public int KeepMonthly { get; init; }
    public int KeepYearly { get; init; }
    public TimeSpan KeepWithin { get; init; }

    /// <summary>Every backup into the store must be encrypted (New-SiteBackup -EncryptionKey); one without a key is
    /// refused with EncryptionKeyRequired. Part of the store's one policy with its limits, so that what a store
    /// keeps and what it accepts are read and set in one place.</summary>
    public bool RequireEncryption { get; init; }

    /// <summary>How long the record of a backup that has no archive (Deleted, Failed, Canceled) is kept before it is
    /// pruned, so that a store used daily for years does not grow without end. 90 days by default: long enough for
    /// Get-SiteBackup -Status Deleted to show what retention removed this quarter.</summary>
    public TimeSpan DeletedRecordRetention { get; init; } = DefaultDeletedRecordRetention;

    public static readonly TimeSpan DefaultDeletedRecordRetention = TimeSpan.FromDays(90);

    /// <summary>The store the policy belongs to; set when read, never written into the store.</summary>
    [JsonIgnore]
    public string Store { get; init; } = "";

    public static RetentionPolicy Default { get; } = new();
}
