using System.Management.Automation;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Operations;
using SiteBackup.Engine.Stores;
using SiteBackup.PowerShell.Completion;
using SiteBackup.PowerShell.Internal;

namespace SiteBackup.PowerShell.Commands;

/// <summary>New-SiteBackup: backs up a site now.</summary>
[Cmdlet(VerbsCommon.New, "SiteBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BackupRecord))]
public sealed class NewSiteBackupCommand : SiteBackupCommand
{
    /// <summary>Binds by value (a string) and by property name: a record's Site, a file's FullName or PSPath
    /// (Get-Item, Get-ChildItem), a CSV row's Path.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias(SiteAliases.SiteId, SiteAliases.FullName, SiteAliases.Path, SiteAliases.PSPath)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SiteCompleter))]
    public string Site { get; set; } = "";


    [Parameter]
    public BackupType Type { get; set; } = BackupType.OnDemand;

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CollectionCompleter))]
    public string[]? Collection { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CollectionCompleter))]
    public string[]? ExcludeCollection { get; set; }


    /// <summary>Takes an automatic backup even when none is due; into Wix's own backups, lets Wix drop its oldest
    /// on-demand backup without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Encrypts the archive with this passphrase or raw 256-bit key (AES-256-GCM); the record names the key's
    /// id, never the key.</summary>
    [Parameter]
    [SecureStringOnly]
    public System.Security.SecureString? EncryptionKey { get; set; }

    /// <summary>Into Wix's own backups (<c>-Store wix://&lt;site-id&gt;</c>): returns the Pending record at once instead
    /// of waiting until Wix has taken the backup, for runbooks that look again later.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    protected override void ProcessRecord() => ForEachItem(() =>
    {
        using var key = EncryptionKeys.From(EncryptionKey);
        var request = new BackupRequest
        {
            EncryptionKey = key,
            Site = OpenSite(Site),
            Store = OpenStore(Store, mustExist: false, Site),
            Type = Type,
            Collections = Collection ?? [],
            ExcludeCollections = ExcludeCollection ?? [],
            Force = Force,
        };
        if (request.Store is IPlatformStore platform)
        {
            if (key is not null)
                throw new BackupException(BackupError.InvalidArgument, $"Wix keeps its own backups on its platform, where SiteBackup cannot encrypt them: '{platform.Location}' takes no -EncryptionKey.", platform.Location);
            BackUpOnPlatform(platform, request);
            return;
        }
        if (NoWait) WriteWarning($"-NoWait is for Wix's own backups (-Store wix://<site-id>); a backup into '{request.Store.Location}' is taken here, and waited for.");
        string action = $"Back up ({Type}) into the store '{request.Store.Location}'";
        if (WillReportOrAsk(ConfirmImpact.Medium, force: false))
        {
            // Checked as the run will check it, so that -WhatIf and the prompt name what a run would really take.
            var preview = RunEngine((_, cancel) => BackupOperation.PreviewAsync(request, cancel));
            if (preview.SkippedReason is not null)
            {
                WriteVerbose(preview.SkippedReason + " Use -Force to take one anyway.");
                return;
            }
            action = $"Back up ({Type}) {preview.Collections.Count} collection(s) ({Names(preview.Collections.Select(c => c.Id))}) into the store '{request.Store.Location}'"
                + (preview.WouldRemove.Count == 0 ? "" : "; retention would then remove " + Names(preview.WouldRemove.Select(b => $"the {b.Type} backup {b.Id} of {Times.Show(b.RequestedDate)}")));
        }
        if (!ShouldProcess(request.Site.SiteId, action)) return;

        var outcome = RunEngine((progress, warnings, cancel) => BackupOperation.RunAsync(request with { Warnings = warnings }, progress, cancel));
        if (outcome.Backup is null)
        {
            WriteVerbose(outcome.SkippedReason + " Use -Force to take one anyway.");
            return;
        }
        foreach (var removed in outcome.Removed)
            WriteVerbose($"Retention removed the {removed.Type} backup {removed.Id} of {Times.Show(removed.RequestedDate)}.");
        WriteObject(outcome.Backup);
    });

    /// <summary>
    /// Asks Wix for an on-demand backup. Wix keeps three: when it will drop its oldest to make room, the action names
    /// that backup (-WhatIf says so), and the user is asked, once: by ShouldProcess's prompt when it asks (-Confirm, or
    /// $ConfirmPreference at Medium or below), else by a question of its own, which -Force or -Confirm:$false answer yes. A host that cannot ask (a runbook) gets an
    /// InvalidArgument error naming the backup and -Force instead of a prompt it cannot show, and nothing is asked
    /// of Wix.
    /// </summary>
    private void BackUpOnPlatform(IPlatformStore platform, BackupRequest request)
    {
        PlatformOperation.CheckBackup(platform, request);
        var oldest = RunEngine((_, cancel) => PlatformOperation.OldestToGoAsync(platform, cancel));
        string action = "Ask Wix for an on-demand backup" + (oldest is null ? "" : $"; Wix then deletes its oldest on-demand backup, {oldest.Id} of {Times.Show(oldest.RequestedDate)}");
        // When ShouldProcess itself asks (-Confirm, or $ConfirmPreference at Medium or below), its prompt names the
        // backup that goes, and its answer is the answer: the question below is not asked a second time.
        bool askedByShouldProcess = WillReportOrAsk(ConfirmImpact.Medium, Force);
        if (!Asking(() => ShouldProcess(request.Site.SiteId, action, Force))) return;
        bool confirmGiven = MyInvocation.BoundParameters.ContainsKey("Confirm");
        if (oldest is not null && !Force && !confirmGiven && !askedByShouldProcess)
        {
            string question = $"Wix keeps 3 on-demand backups of {request.Site.SiteId}: a new one deletes backup {oldest.Id} of {Times.Show(oldest.RequestedDate)} for good. Go on?";
            if (!Asking(() => ShouldContinue(question, "Wix deletes its oldest on-demand backup"))) return;
        }
        var backup = RunEngine((progress, cancel) => PlatformOperation.BackupAsync(platform, request, wait: !NoWait, progress, cancel));
        WriteObject(backup);

        // A host that cannot show a question (a runbook) gets, when a backup would go, the error that names it and
        // -Force, whichever of the two questions it was.
        bool Asking(Func<bool> ask)
        {
            try
            {
                return ask();
            }
            catch (Exception e) when (oldest is not null && e is PSInvalidOperationException or System.Management.Automation.Host.HostException or NotImplementedException)
            {
                throw new BackupException(BackupError.InvalidArgument,
                    $"A new on-demand backup makes Wix delete backup {oldest.Id} of {Times.Show(oldest.RequestedDate)}, and this host cannot ask whether to go on: give -Force to let it.", oldest.Id, e);
            }
        }
    }
}
