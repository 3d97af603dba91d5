BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'Get-SiteBackupRestoration' {
    BeforeAll {
        $site = New-TestSite
        $other = New-TestSite
        $store = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $store
        $completed = $backup | Restore-SiteBackup -Force
        $backup | Restore-SiteBackup -Destination @{ people = 'ghosts' } -Force -ErrorAction SilentlyContinue
        $intoOther = $backup | Restore-SiteBackup -Site $other -Collection people -Force
    }

    It 'lists restorations newest first, each with the whole backup record' {
        $all = Get-SiteBackupRestoration -Store $store
        $all.Count | Should -Be 3
        $all[0].Id | Should -Be $intoOther.Id
        $all[-1].Id | Should -Be $completed.Id
        $all.Backup.Id | Select-Object -Unique | Should -Be $backup.Id
        $all[0].Backup.Collections.Count | Should -Be 3
    }

    It 'filters by site and status, and keeps the error of a failed one' {
        (Get-SiteBackupRestoration -Store $store -Site $other).Id | Should -Be $intoOther.Id
        $failed = Get-SiteBackupRestoration -Store $store -Status Failed
        $failed.Error | Should -Match 'ghosts'
        (Get-SiteBackupRestoration -Store $store -Site $site -Status Completed).Id | Should -Be $completed.Id
    }

    It 'shows a default table with the backup, the collections and the item count' {
        (Get-SiteBackupRestoration -Store $store -Site $other | Format-Table | Out-String -Width 300) | Should -Match "Completed\s+$($backup.Id)\s+.*people\s+5"
    }
}

Describe 'Get-SiteBackupRetention and Set-SiteBackupRetention' {
    BeforeEach {
        $site = New-TestSite
        $store = New-TestStore
    }

    It 'shows the documented defaults for a new store' {
        New-SiteBackup -Site $site -Store $store | Out-Null
        $policy = Get-SiteBackupRetention -Store $store
        $policy.MaxOnDemandBackups | Should -Be 3
        $policy.MaxAutoBackups | Should -Be 4
        $policy.AutoInterval | Should -Be ([timespan]::FromDays(7))
        $policy.Store | Should -Be $store
    }

    It 'changes only the limits given, and New-SiteBackup keeps to them' {
        $policy = Set-SiteBackupRetention -Store $store -MaxOnDemandBackups 2 -PassThru
        $policy.MaxOnDemandBackups | Should -Be 2
        $policy.MaxAutoBackups | Should -Be 4
        1..3 | ForEach-Object { New-SiteBackup -Site $site -Store $store } | Out-Null
        (Get-SiteBackup -Store $store).Count | Should -Be 2

        Set-SiteBackupRetention -Store $store -AutoInterval ([timespan]::FromDays(1))
        (Get-SiteBackupRetention -Store $store).AutoInterval | Should -Be ([timespan]::FromDays(1))
        (Get-SiteBackupRetention -Store $store).MaxOnDemandBackups | Should -Be 2
    }

    It 'refuses a limit below one and a call that changes nothing' {
        { Set-SiteBackupRetention -Store $store -MaxAutoBackups 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        Set-SiteBackupRetention -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
    }

    It 'changes nothing with -WhatIf' {
        New-SiteBackup -Site $site -Store $store | Out-Null
        $before = Get-StoreState $store
        Set-SiteBackupRetention -Store $store -MaxOnDemandBackups 9 -WhatIf
        Get-StoreState $store | Should -Be $before
    }
}
