BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-TestModulePath
    Import-Module $modulePath

    function Start-InRunspace([string] $script) {
        # A PowerShell instance of its own, so that its progress stream can be read and it can be stopped as
        # Ctrl+C stops a command at the prompt.
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$modulePath'; $script")
        @{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
    }
}

Describe 'Progress' {
    It 'shows, for <Operation>, a parent bar that advances with the items done of all, a child bar per collection with items and uncompressed bytes, both completed at the end' -ForEach @(
        @{ Operation = 'a backup'; Activity = 'Backing up'; Status = 'Ready' }
        @{ Operation = 'a restore'; Activity = 'Restoring backup'; Status = 'Completed' }
    ) {
        $site = New-TestSite
        $store = New-TestStore
        $command = if ($Operation -eq 'a backup') { "New-SiteBackup -Site '$site' -Store '$store'" }
        else { "Restore-SiteBackup -Id $((New-SiteBackup -Site $site -Store $store).Id) -Store '$store' -Force" }
        $run = Start-InRunspace $command
        $output = $run.PowerShell.EndInvoke($run.Handle)
        $output.Status | Should -Be $Status
        $progress = @($run.PowerShell.Streams.Progress)

        $parents = $progress | Where-Object { $_.ActivityId -eq 1 -and $_.RecordType -eq 'Processing' }
        $children = $progress | Where-Object { $_.ActivityId -eq 2 -and $_.RecordType -eq 'Processing' }
        $parents[0].Activity | Should -Match $Activity
        $parents.StatusDescription | Should -Contain 'Collection 3 of 3: people (8 of 8 items in all)'
        # The parent advances with the items done of all 8 (empty 0, orders 3, people 5), not by thirds.
        $parents.PercentComplete | Select-Object -Unique | Should -Be @(0, 37, 100)
        $children | ForEach-Object { $_.ParentActivityId | Should -Be 1 }
        $children.StatusDescription -match '^5 of 5 items, \d+ B uncompressed$' | Should -Not -BeNullOrEmpty
        $children.StatusDescription -match '^3 of 3 items, \d+ B uncompressed$' | Should -Not -BeNullOrEmpty
        $progress[-2].RecordType | Should -Be 'Completed'
        $progress[-1].RecordType | Should -Be 'Completed'
        $progress[-1].ActivityId | Should -Be 1
    }

    It 'reports items while a large collection is restored, not only when it is done' {
        $site = New-GeneratedSite -Items 20000
        $store = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $store -Collection products
        $run = Start-InRunspace "Restore-SiteBackup -Id $($backup.Id) -Store '$store' -Force"
        $run.PowerShell.EndInvoke($run.Handle).Status | Should -Be 'Completed'
        $during = @($run.PowerShell.Streams.Progress | Where-Object {
                $_.ActivityId -eq 2 -and $_.StatusDescription -match '^([\d,]+) of ([\d,]+) items' -and $Matches[1] -ne '0' -and $Matches[1] -ne $Matches[2] })
        $during.Count | Should -BeGreaterThan 0
    }
}

Describe 'Ctrl+C' {
    It 'stops a running backup, which ends Canceled with no archive, and the store works on' {
        $site = New-GeneratedSite -Items 200000
        $store = New-TestStore
        $earlier = New-SiteBackup -Site $site -Store $store -Collection products

        $run = Start-InRunspace "New-SiteBackup -Site '$site' -Store '$store'"
        Wait-Until { @($run.PowerShell.Streams.Progress | Where-Object { $_.ActivityId -eq 2 -and $_.StatusDescription -notmatch '^0 of' }).Count -gt 0 } |
            Should -BeTrue -Because 'the backup should be under way before it is stopped'
        $run.PowerShell.Stop()

        $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
        $canceled = Get-SiteBackup -Store $store -Status Canceled
        $canceled.Count | Should -Be 1
        $canceled.Error | Should -Match 'canceled'
        (Get-ChildItem (Join-Path $store 'archives')).Name | Should -Be "$($earlier.Id).zip"
        Test-SiteBackup -Id $earlier.Id -Store $store -Quiet | Should -BeTrue
        (New-SiteBackup -Site $site -Store $store -Collection products).Status | Should -Be 'Ready'
    }

    It 'stops a running restore, which ends Canceled and leaves the site as it was' {
        $site = New-GeneratedSite -Items 200000
        $store = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $store
        Invoke-Sqlite $site 'DELETE FROM orders WHERE rowid % 3 = 0' | Out-Null
        $before = (Get-SiteFingerprint $site).GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" }

        $run = Start-InRunspace "Restore-SiteBackup -Id $($backup.Id) -Store '$store' -Force"
        Wait-Until { @($run.PowerShell.Streams.Progress | Where-Object { $_.ActivityId -eq 2 -and $_.StatusDescription -notmatch '^0 of' }).Count -gt 0 } |
            Should -BeTrue -Because 'the restore should be under way before it is stopped'
        $run.PowerShell.Stop()

        $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
        $restoration = Get-SiteBackupRestoration -Store $store
        $restoration.Status | Should -Be 'Canceled'
        $restoration.Error | Should -Match 'canceled; the site was left as it was'
        $restoration.FinishedDate | Should -Not -BeNullOrEmpty
        (Get-SiteFingerprint $site).GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" } | Should -Be $before
        Get-SiteBackupRestoration -Store $store -Status Canceled | Should -Not -BeNullOrEmpty
    }
}
