using System.Collections;
using System.Management.Automation;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Sources;
using SiteBackup.Engine.Stores;
using SiteBackup.PowerShell.Completion;
using SiteBackup.PowerShell.Internal;

namespace SiteBackup.PowerShell.Commands;

/// <summary>Restore-SiteBackup: replaces the content of a site's collections with a backup's.</summary>
[Cmdlet(VerbsData.Restore, "SiteBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = ByInputObject)]
[OutputType(typeof(RestorationRecord))]
public sealed class RestoreSiteBackupCommand : BackupTargetCommand
{
    /// <summary>The site to restore into; by default the site the backup was taken from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SiteCompleter))]
    public string? Site { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CollectionCompleter))]
    public string[]? Collection { get; set; }

    /// <summary>Collection in the backup → collection of the site to restore it into.</summary>
    [Parameter]
    public Hashtable? Destination { get; set; }


    /// <summary>The passphrase or raw key of an encrypted backup; a backup that is not encrypted ignores it.</summary>
    [Parameter]
    [SecureStringOnly]
    public System.Security.SecureString? EncryptionKey { get; set; }

    /// <summary>Restores without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Creates the site when it does not exist (a SQLite file), and the collections it lacks, from the
    /// backup's definitions; without it a restore writes only into collections that exist.</summary>
    [Parameter]
    public SwitchParameter CreateMissing { get; set; }

    protected override void ProcessRecord() => ForEachBackup((store, backup) =>
    {
        var destinations = Destinations();
        if (store is IPlatformStore platform)
        {
            RestoreOnPlatform(platform, store, backup, destinations);
            return;
        }
        // Into its own site, a backup's site connects as the user it was taken as, unless -Credential or the
        // environment names another.
        var site = Site is null ? OpenSite(backup.SiteId, backup.SiteUser, CreateMissing) : OpenSite(Site, mayNotExist: CreateMissing);
        using var key = EncryptionKeys.From(EncryptionKey);
        var request = new RestoreRequest
        {
            EncryptionKey = key,
            BackupId = backup.Id,
            Store = store,
            Site = site,
            Collections = Collection ?? [],
            Destinations = destinations,
            CreateMissing = CreateMissing,
        };
        string replaced = Collection is null ? $"all {backup.Collections.Count} collections" : string.Join(", ", Collection);
        if (WillReportOrAsk(ConfirmImpact.High, Force))
        {
            // Checked as the run will check it, so that -WhatIf and the prompt name what a run would really replace.
            var preview = RunEngine((_, cancel) => RestoreOperation.PreviewAsync(request, cancel));
            replaced = Names(preview.Steps.Select(s => s.ToString()));
        }
        if (!ShouldProcess(site.SiteId, $"Replace the content of {replaced} with backup {backup.Id} of {Times.Show(backup.RequestedDate)}", Force))
            return;

        var restoration = RunEngine((progress, warnings, cancel) =>
            RestoreOperation.RunAsync(request with { Warnings = warnings }, progress, cancel));
        WriteObject(restoration);
    });

    /// <summary>One of Wix's own backups, restored by Wix into its own site; waits until Wix says it is done.</summary>
    private void RestoreOnPlatform(IPlatformStore platform, IBackupStore store, BackupRecord backup, Dictionary<string, string> destinations)
    {
        if (CreateMissing)
            throw new BackupException(BackupError.InvalidArgument, $"Wix restores its own backups itself, and makes a destination collection that is missing: '{store.Location}' takes no -CreateMissing.", store.Location);
        var request = new RestoreRequest
        {
            BackupId = backup.Id,
            Store = store,
            // The site's key is the store's: either credential opens it.
            Site = SiteKinds.Open(ResolveSite(Site ?? backup.SiteId), (Credential ?? StoreCredential)?.GetNetworkCredential(), new SiteOpenOptions()),
            Collections = Collection ?? [],
            Destinations = destinations,
        };
        PlatformOperation.CheckSite(platform, request.Site.SiteId);
        var steps = RestorePlan.For(backup, request.Collections, destinations, StringComparer.Ordinal);
        if (!ShouldProcess(request.Site.SiteId, $"Ask Wix to replace the content of {Names(steps.Select(s => s.ToString()))} with its backup {backup.Id} of {Times.Show(backup.RequestedDate)}", Force))
            return;
        WriteObject(RunEngine((progress, cancel) => PlatformOperation.RestoreAsync(platform, request, wait: true, progress, cancel)));
    }

    private Dictionary<string, string> Destinations()
    {
        // Ordinal: the hashtable's own comparer has already said which keys are one (case-insensitive in
        // PowerShell's @{}); the engine matches each key exactly if it can, else ignoring case.
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Destination ?? [])
        {
            string key = LanguagePrimitives.ConvertTo<string>(entry.Key);
            string? value = entry.Value is null ? null : LanguagePrimitives.ConvertTo<string>(entry.Value);
            if (string.IsNullOrWhiteSpace(value))
                throw new BackupException(BackupError.InvalidArgument, $"-Destination gives no collection for '{key}'.", key);
            map[key] = value;
        }
        return map;
    }
}
