# Kills: real pwsh processes running New-SiteBackup and Restore-SiteBackup on a site of realistic size, killed
# with SIGKILL at moments spread over the whole run, one trial per moment. After every kill the store must list
# consistently, every Ready backup must verify and hold exactly the site's content, a killed restore must leave each
# collection wholly old or wholly restored, and the next backup must work.
# $env:SITEBACKUP_KILL_TRIALS sets the trials of each kind (16 by default, so 32 kills); raise it for a soak.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-TestModulePath
    Import-Module $modulePath
    Add-Type -AssemblyName System.IO.Compression.FileSystem

    $trials = if ($env:SITEBACKUP_KILL_TRIALS) { [int]$env:SITEBACKUP_KILL_TRIALS } else { 16 }
    $site = New-GeneratedSite -Items 100000
    $store = New-TestStore
    # An automatic backup, so that the on-demand backups of the trials never push it out through retention.
    $baseline = New-SiteBackup -Site $site -Store $store -Type Auto
    $original = Get-SiteFingerprint $site

    function Get-ManifestHashes([string] $archive) {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($archive)
        try {
            $reader = [IO.StreamReader]::new($zip.GetEntry('manifest.json').Open())
            $manifest = $reader.ReadToEnd() | ConvertFrom-Json
            $reader.Dispose()
            $hashes = @{}
            foreach ($c in $manifest.collections) { $hashes[$c.id] = $c.sha256 }
            $hashes
        }
        finally { $zip.Dispose() }
    }

    $expected = Get-ManifestHashes (Join-Path $store "archives/$($baseline.Id).zip")

    function Invoke-Killed([string] $command, [double] $seconds) {
        # Starts $command in a new pwsh and kills the whole process tree with SIGKILL after $seconds.
        $process = Start-ChildPwsh "Import-Module '$modulePath'; $command"
        $null = $process.WaitForExit([int]($seconds * 1000))
        $exited = $process.HasExited
        if (-not $exited) { $process.Kill($true) }
        $process.WaitForExit()
        -not $exited
    }

    function Measure-Run([string] $command) {
        # How long one unkilled run takes from process start to exit, to spread the kill moments over it.
        $start = Get-Date
        $process = Start-ChildPwsh "Import-Module '$modulePath'; $command"
        $process.WaitForExit()
        ((Get-Date) - $start).TotalSeconds
    }

    function Assert-StoreSound {
        # The checks every trial ends with, whatever moment it was killed at.
        $all = Get-SiteBackup -Store $store -Status Pending, Ready, Failed, Deleted, Canceled
        $all.Status | Should -Not -Contain 'Pending' -Because 'a record left by a dead process lists as Failed'
        foreach ($backup in $all | Where-Object Status -EQ 'Ready') {
            Test-SiteBackup -InputObject $backup -Quiet | Should -BeTrue -Because "Ready backup $($backup.Id) must verify"
            $hashes = Get-ManifestHashes (Join-Path $store "archives/$($backup.Id).zip")
            foreach ($collection in $hashes.Keys) {
                $hashes[$collection] | Should -Be $expected[$collection] -Because "a Ready backup holds exactly the site as it was ($collection)"
            }
        }
    }

    function Assert-NoOrphanArchive {
        # A process killed between publishing its archive and recording the backup Ready leaves a record that lists
        # as Failed (abandoned) with its archive still there; the next backup in the store removes it.
        foreach ($gone in Get-SiteBackup -Store $store -Status Failed, Deleted, Canceled) {
            Join-Path $store "archives/$($gone.Id).zip" | Should -Not -Exist
        }
    }
}

Describe 'Killing New-SiteBackup' {
    It 'never leaves a Ready backup with wrong content, a stale lock or a stale Pending record (<trials> kills)' {
        $duration = Measure-Run "New-SiteBackup -Site '$site' -Store '$store'"
        $killed = 0
        for ($i = 0; $i -lt $trials; $i++) {
            # From just after start to just past the typical end.
            $moment = 0.05 + ($duration * 1.1 - 0.05) * $i / [Math]::Max(1, $trials - 1)
            if (Invoke-Killed "New-SiteBackup -Site '$site' -Store '$store'" $moment) { $killed++ }
            Assert-StoreSound
            # The next backup works: no stale lock, abandoned records cleaned up, retention still exact.
            (New-SiteBackup -Site $site -Store $store -Collection products).Status | Should -Be 'Ready'
            @(Get-ChildItem (Join-Path $store 'archives') -Filter '*.partial').Count | Should -Be 0
            Assert-NoOrphanArchive
        }
        Write-Host "kills of New-SiteBackup: $killed of $trials runs were killed before they ended; all $trials trials left the store sound"
        $killed | Should -BeGreaterThan ($trials / 2) -Because 'most kill moments must fall inside the run'
        (Get-SiteBackup -Store $store -Type OnDemand -Status Ready).Count | Should -Be 3
    }
}

Describe 'Killing Restore-SiteBackup' {
    BeforeAll {
        # The site as it is before each restore: changed in three of its four tables. One copy in WAL mode and
        # one with a rollback journal, since SQLite recovers a killed writer differently in each.
        Invoke-Sqlite $site "UPDATE customers SET name = 'changed'; DELETE FROM orders WHERE id % 3 = 0; INSERT INTO products (sku, title, price) VALUES ('NEW', 'new', 1.0);" | Out-Null
        $changed = Get-SiteFingerprint $site
        $walCopy = Join-Path $TestDrive 'changed-wal.db'
        $journalCopy = Join-Path $TestDrive 'changed-journal.db'
        Invoke-Sqlite $site "VACUUM INTO '$walCopy'" | Out-Null
        Invoke-Sqlite $site "VACUUM INTO '$journalCopy'" | Out-Null
        Invoke-Sqlite $walCopy 'PRAGMA journal_mode = WAL' | Out-Null
        Invoke-Sqlite $journalCopy 'PRAGMA journal_mode = DELETE' | Out-Null

        function Reset-Site([string] $copy) {
            Remove-Item "$site-wal", "$site-shm", "$site-journal" -ErrorAction SilentlyContinue
            Copy-Item $copy $site -Force
        }
    }

    It 'leaves every collection wholly old or wholly restored (<trials> kills)' {
        Reset-Site $walCopy
        $duration = Measure-Run "Restore-SiteBackup -Id '$($baseline.Id)' -Store '$store' -Force"
        $killed = 0; $restored = 0
        for ($i = 0; $i -lt $trials; $i++) {
            Reset-Site $(if ($i % 2) { $journalCopy } else { $walCopy })
            $moment = 0.05 + ($duration * 1.1 - 0.05) * $i / [Math]::Max(1, $trials - 1)
            $restorationsBefore = @(Get-SiteBackupRestoration -Store $store).Count
            if (Invoke-Killed "Restore-SiteBackup -Id '$($baseline.Id)' -Store '$store' -Force" $moment) { $killed++ }

            $now = Get-SiteFingerprint $site   # opening the file rolls a killed transaction back
            foreach ($table in $original.Keys) {
                $now[$table] | Should -BeIn @($original[$table], $changed[$table]) -Because "table $table must be wholly old or wholly restored"
            }
            $state = if (($original.Keys | Where-Object { $now[$_] -ne $original[$_] }).Count -eq 0) { 'restored' } else { 'old' }
            if ($state -eq 'restored') { $restored++ }
            ($original.Keys | Where-Object { $now[$_] -ne $changed[$_] -and $now[$_] -ne $original[$_] }) | Should -BeNullOrEmpty
            if ($state -eq 'old') {
                ($original.Keys | Where-Object { $now[$_] -ne $changed[$_] }) | Should -BeNullOrEmpty -Because 'one transaction: all tables or none'
            }
            $restorations = @(Get-SiteBackupRestoration -Store $store)
            if ($restorations.Count -gt $restorationsBefore) {
                # The run got as far as recording its restoration: the record tells the truth or says it cannot know.
                $restorations[0].Status | Should -Not -Be 'Pending'
                if ($restorations[0].Status -eq 'Completed') { $state | Should -Be 'restored' }
            }
            else { $state | Should -Be 'old' -Because 'a restore that recorded nothing wrote nothing' }
            Assert-StoreSound
        }
        Write-Host "kills of Restore-SiteBackup: $killed of $trials runs were killed before they ended ($restored trials found the site restored, $($trials - $restored) found it as it was)"
        $killed | Should -BeGreaterThan ($trials / 2)
        (New-SiteBackup -Site $site -Store $store).Status | Should -Be 'Ready'
    }
}
