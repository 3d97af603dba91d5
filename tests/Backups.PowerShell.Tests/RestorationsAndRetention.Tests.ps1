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
        # One that fails once it has started: the archive's people entry no longer matches its checksum.
        $archive = Join-Path $store "archives/$($backup.Id).zip"
        Copy-Item $archive "$archive.good"
        Set-ArchiveManifest $archive { param($m) ($m.collections | Where-Object id -EQ 'people').sha256 = '00' * 32 }
        $backup | Restore-SiteBackup -Force -ErrorAction SilentlyContinue -ErrorVariable restoreError
        Move-Item "$archive.good" $archive -Force
        # Refused before it started (no such destination): no record.
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
        $failed.Error | Should -Match 'SHA-256'
        (Get-SiteBackupRestoration -Store $store -Site $site -Status Completed).Id | Should -Be $completed.Id
    }

    It 'shows a default table with the backup, the collections and the item count' {
        (Get-SiteBackupRestoration -Store $store -Site $other | Format-Table | Out-String -Width 300) | Should -Match "Completed\s+$($backup.Id)\s+.*people\s+5"
    }

    It 'finds restorations by -Id, the newest with -Last, and those of a backup piped to it' {
        (Get-SiteBackupRestoration -Store $store -Id $completed.Id).Status | Should -Be 'Completed'
        (Get-SiteBackupRestoration -Store $store -Last 1).Id | Should -Be $intoOther.Id
        (Get-SiteBackupRestoration -Store $store -Last 2 -Status Completed).Id | Should -Be @($intoOther.Id, $completed.Id)
        (Get-SiteBackupRestoration -Store $store -BackupId $backup.Id).Count | Should -Be 3

        $other2 = New-SiteBackup -Site $other -Store $store
        $fromOther = $other2 | Restore-SiteBackup -Site $site -Collection orders -Force
        # Piped: that backup's restorations, wherever they went (not filtered by the backup's own site).
        ($other2 | Get-SiteBackupRestoration).Id | Should -Be $fromOther.Id
        ($backup | Get-SiteBackupRestoration).Count | Should -Be 3

        Get-SiteBackupRestoration -Store $store -Id 'no-such-restoration' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RestorationNotFound,*'
    }

    It 'makes the failed restoration the error''s target, which reads as one short line' {
        $restoreError[0].FullyQualifiedErrorId | Should -BeLike 'ArchiveCorrupt,*'
        $target = $restoreError[0].TargetObject
        $target.Status | Should -Be 'Failed'
        (Get-SiteBackupRestoration -Store $store -Status Failed).Id | Should -Be $target.Id
        "$target" | Should -Match "^Restoration $($target.Id) of backup $($backup.Id) \(Failed, \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)$"
        ($restoreError[0] | Format-List * -Force | Out-String -Width 200).Split("`n").Count | Should -BeLessThan 60
    }

    It 'shows its backup as the backup''s id, status and date, and its collections as names with counts' {
        $text = Get-SiteBackupRestoration -Store $store -Id $intoOther.Id | Format-List * | Out-String -Width 300
        $text | Should -Match ('Backup\s+: ' + [regex]::Escape("$($backup.Id) (Ready, $($backup.RequestedDate.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss'))Z)"))
        $text | Should -Match 'Collections\s+: \{people \(5, Restored\)\}'
        $text | Should -Not -Match 'BackupRecord \{'
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
        $policy.DeletedRecordRetention | Should -Be ([timespan]::FromDays(90))
        $policy.RequireEncryption | Should -BeFalse
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

    It 'checks the values with -WhatIf as a real run does' {
        { Set-SiteBackupRetention -Store $store -AutoInterval ([timespan]::Zero) -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
        { Set-SiteBackupRetention -Store $store -AutoInterval (New-TimeSpan -Days -1) -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
        { Set-SiteBackupRetention -Store $store -DeletedRecordRetention (New-TimeSpan -Days -1) -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
    }

    It 'keeps automatic backups by calendar, and -WhatIf names what the new rules would remove' {
        $calendar = New-TestStore
        $taken = 1..3 | ForEach-Object { New-SiteBackup -Site $site -Store $calendar -Type Auto -Force }
        $module = Get-TestModulePath
        # Today's three: the daily rule keeps only the newest of the day; the count limit of 1 keeps the same one.
        $said = Invoke-ChildPwsh "Import-Module '$module'; Set-SiteBackupRetention -Store '$calendar' -MaxAutoBackups 1 -KeepDaily 7 -WhatIf"
        $said = $said -join ' '
        $said | Should -Match 'What if: .*keep the newest automatic backup of each of the last 7 days that have one; .*removes 2 backup\(s\)'
        $said | Should -Match $taken[0].Id
        $said | Should -Match $taken[1].Id
        $said | Should -Not -Match $taken[2].Id
        (Get-SiteBackup -Store $calendar).Count | Should -Be 3

        $policy = Set-SiteBackupRetention -Store $calendar -MaxAutoBackups 1 -KeepDaily 7 -KeepWeekly 4 -KeepMonthly 12 -KeepYearly 3 -KeepWithin (New-TimeSpan -Hours 1) -PassThru -Verbose 4>&1 |
            Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        ($policy.KeepDaily, $policy.KeepWeekly, $policy.KeepMonthly, $policy.KeepYearly) | Should -Be (7, 4, 12, 3)
        (Get-SiteBackupRetention -Store $calendar).KeepWithin | Should -Be (New-TimeSpan -Hours 1)
        # KeepWithin keeps all three (taken within the hour): nothing to remove, and nothing removed.
        ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join ' ' | Should -Not -Match 'removes the Auto backup'
        New-SiteBackup -Site $site -Store $calendar -Type Auto -Force | Out-Null
        (Get-SiteBackup -Store $calendar).Count | Should -Be 4

        Set-SiteBackupRetention -Store $calendar -KeepWithin ([timespan]::Zero)
        New-SiteBackup -Site $site -Store $calendar -Type Auto -Force | Out-Null
        (Get-SiteBackup -Store $calendar -Type Auto).Count | Should -Be 1
        { Set-SiteBackupRetention -Store $calendar -KeepDaily -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { Set-SiteBackupRetention -Store $calendar -KeepWithin (New-TimeSpan -Days -1) -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
    }

    It 'prunes the records of removed backups once they are older than it keeps them' {
        $pruned = New-TestStore
        $first = New-SiteBackup -Site $site -Store $pruned
        $first | Remove-SiteBackup -Force
        Set-SiteBackupRetention -Store $pruned -DeletedRecordRetention ([timespan]::Zero)
        (Get-SiteBackupRetention -Store $pruned).DeletedRecordRetention | Should -Be ([timespan]::Zero)
        (Get-SiteBackup -Store $pruned -Id $first.Id).Status | Should -Be 'Deleted'
        New-SiteBackup -Site $site -Store $pruned | Out-Null
        Get-SiteBackup -Store $pruned -Id $first.Id -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
    }
}
