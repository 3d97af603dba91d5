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
    It 'shows a parent bar for the backup and a child bar per collection with items and bytes, both completed at the end' {
        $site = New-TestSite
        $run = Start-InRunspace "New-SiteBackup -Site '$site' -Store '$(New-TestStore)'"
        $output = $run.PowerShell.EndInvoke($run.Handle)
        $output.Status | Should -Be 'Ready'
        $progress = @($run.PowerShell.Streams.Progress)

        $parents = $progress | Where-Object { $_.ActivityId -eq 1 -and $_.RecordType -eq 'Processing' }
        $children = $progress | Where-Object { $_.ActivityId -eq 2 -and $_.RecordType -eq 'Processing' }
        $parents[0].Activity | Should -Match 'Backing up'
        $parents.StatusDescription | Should -Contain 'Collection 3 of 3: people'
        $children | ForEach-Object { $_.ParentActivityId | Should -Be 1 }
        $children.StatusDescription -match '^5 of 5 items, \d+ B$' | Should -Not -BeNullOrEmpty
        $progress[-2].RecordType | Should -Be 'Completed'
        $progress[-1].RecordType | Should -Be 'Completed'
        $progress[-1].ActivityId | Should -Be 1
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
}
