# Several pwsh processes at once on one store and one site: backing up, restoring and removing. Retention must end
# exact, no record or archive may be lost or corrupt, and every operation must succeed or fail with a clear error.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-TestModulePath
    Import-Module $modulePath

    $site = New-GeneratedSite -Items 20000
    $store = New-TestStore
    $first = New-SiteBackup -Site $site -Store $store -Type Auto   # kept apart from on-demand retention, for the restorers
    $log = New-Item -ItemType Directory (Join-Path $TestDrive 'operations')

    function Start-Worker([string] $name, [string] $body, [int] $rounds) {
        # Each operation writes "worker op ok|<error id>" into a file of its own (appends to one shared file from
        # several processes can overwrite each other on Linux, where .NET seeks to the end and then writes);
        # pwsh's own errors end the worker.
        Start-ChildPwsh @"
Import-Module '$modulePath'
`$ErrorActionPreference = 'Stop'
for (`$i = 0; `$i -lt $rounds; `$i++) {
    try { $body; `$result = 'ok' }
    catch { `$result = (`$_.FullyQualifiedErrorId -split ',')[0] }
    `$line = "$name `$i `$result"
    Set-Content -LiteralPath (Join-Path '$log' "$name-`$i.txt") -Value `$line
}
exit 0
"@
    }
}

Describe 'Concurrent operations on one store and one site' {
    It 'keep retention exact and every record and archive sound' {
        $workers = @(
            1..4 | ForEach-Object { Start-Worker "backup$_" "New-SiteBackup -Site '$site' -Store '$store' | Out-Null" 4 }
            Start-Worker 'restore' "Restore-SiteBackup -Id '$($first.Id)' -Store '$store' -Force | Out-Null" 3
            Start-Worker 'remove' "Get-SiteBackup -Store '$store' -Type OnDemand | Select-Object -Last 1 | Remove-SiteBackup -Force" 4
            # A backup that retention removes between listing and verifying is reported as not valid, rightly; only
            # a backup that is still Ready afterwards and does not verify is a fault.
            Start-Worker 'list' "Get-SiteBackup -Store '$store' -Status Ready | Test-SiteBackup | Where-Object { -not `$_.IsValid -and (Get-SiteBackup -Store '$store' -Id `$_.Backup.Id).Status -eq 'Ready' } | ForEach-Object { throw 'invalid' }" 4
        )
        foreach ($worker in $workers) { $worker.WaitForExit(300000) | Should -BeTrue; $worker.ExitCode | Should -Be 0 }

        $lines = Get-ChildItem $log | Get-Content
        $lines.Count | Should -Be (4 * 4 + 3 + 4 + 4) -Because 'every operation ran and said how it ended'
        $failures = $lines | Where-Object { $_ -notmatch ' ok$' }
        # Removing the backup another remover or retention just removed, or one still being written, is a clear
        # error; so is a lock wait run out. Nothing else may fail.
        # (A loop, not a pipeline: when every operation succeeds there is nothing to pipe, and $null is no failure.)
        foreach ($failure in @($failures)) { ($failure -split ' ')[2] | Should -BeIn @('BackupNotReady', 'BackupNotFound', 'StoreLocked') -Because $failure }
        ($lines | Where-Object { $_ -match '^backup\d' -and $_ -match ' ok$' }).Count | Should -BeGreaterOrEqual 14
        ($lines | Where-Object { $_ -match '^restore' -and $_ -match ' ok$' }).Count | Should -Be 3
        ($lines | Where-Object { $_ -match '^list' -and $_ -match ' ok$' }).Count | Should -Be 4

        $all = Get-SiteBackup -Store $store -Status Pending, Ready, Failed, Deleted, Canceled
        $all.Status | Should -Not -Contain 'Pending'
        $all.Status | Should -Not -Contain 'Failed'
        (Get-SiteBackup -Store $store -Type OnDemand -Status Ready).Count | Should -Be 3
        $ready = Get-SiteBackup -Store $store -Status Ready
        $ready | Test-SiteBackup -Quiet | Should -BeExactly $true
        (Get-ChildItem (Join-Path $store 'archives')).Name | Sort-Object | Should -Be ($ready | ForEach-Object { "$($_.Id).zip" } | Sort-Object)
        (Get-SiteBackupRestoration -Store $store).Status | Select-Object -Unique | Should -Be 'Completed'
        Write-Host "concurrency: $($lines.Count) operations in 7 processes, $(@($failures).Count) ended in a clear error ($(($failures | ForEach-Object { ($_ -split ' ')[2] } | Group-Object | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '))"
    }
}
