BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'Get-SiteBackup' {
    BeforeAll {
        $site = New-TestSite
        $other = New-TestSite
        $store = New-TestStore
        $ondemand = 1..4 | ForEach-Object { New-SiteBackup -Site $site -Store $store }
        $auto = New-SiteBackup -Site $site -Store $store -Type Auto
        $otherBackup = New-SiteBackup -Site $other -Store $store
    }

    It 'lists the backups of a store newest first, without the Deleted ones' {
        $listed = Get-SiteBackup -Store $store
        $listed.Id | Should -Be @($otherBackup.Id, $auto.Id, $ondemand[3].Id, $ondemand[2].Id, $ondemand[1].Id)
        $listed.Status | Select-Object -Unique | Should -Be 'Ready'
    }

    It 'filters by site, type, status and -Last' {
        (Get-SiteBackup -Store $store -Site $other).Id | Should -Be $otherBackup.Id
        (Get-SiteBackup -Store $store -Type Auto).Id | Should -Be $auto.Id
        (Get-SiteBackup -Store $store -Status Deleted).Id | Should -Be $ondemand[0].Id
        (Get-SiteBackup -Store $store -Status Deleted, Ready).Count | Should -Be 6
        (Get-SiteBackup -Store $store -Site $site -Last 2).Id | Should -Be @($auto.Id, $ondemand[3].Id)
    }

    It 'finds one backup by -Id, Deleted ones included, and says BackupNotFound for an unknown id' {
        (Get-SiteBackup -Store $store -Id $ondemand[0].Id).Status | Should -Be 'Deleted'
        Get-SiteBackup -Store $store -Id 'no-such-id' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
    }

    It 'takes -Id from the pipeline by property name' {
        ([pscustomobject]@{ Id = $auto.Id; Store = $store } | Get-SiteBackup).Type | Should -Be 'Auto'
    }

    It 'says StoreNotFound for a store folder that does not exist' {
        Get-SiteBackup -Store (Join-Path $TestDrive 'nowhere') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'StoreNotFound,*'
    }

    It 'shows a readable default table: id, type, status, dates in UTC with seconds, size, collection count, site' {
        $table = Get-SiteBackup -Store $store -Id $auto.Id | Format-Table | Out-String -Width 250
        $table | Should -Match 'Id\s+Type\s+Status\s+Requested\s+Finished\s+Size\s+Collections\s+Site'
        $requested = $auto.RequestedDate.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss')
        $table | Should -Match ([regex]::Escape($auto.Id) + "\s+Auto\s+Ready\s+$requested" + 'Z\s+\S+ \S+Z\s+\d+(\.\d)? (B|KB)\s+3\s+' + [regex]::Escape($site))
    }

    It 'has a Site property (SiteId too), for Group-Object, Where-Object and Sort-Object' {
        $groups = Get-SiteBackup -Store $store | Group-Object Site
        ($groups | Where-Object Name -EQ $site).Count | Should -Be 4
        (Get-SiteBackup -Store $store | Where-Object Site -EQ $other).Id | Should -Be $otherBackup.Id
        (Get-SiteBackup -Store $store | Where-Object SiteId -EQ $other).Id | Should -Be $otherBackup.Id
    }

    It 'shows collections as names with item counts in Format-List and Export-Csv' {
        Get-SiteBackup -Store $store -Id $auto.Id | Format-List * | Out-String -Width 250 |
            Should -Match 'Collections\s+: \{empty \(0\), orders \(3\), people \(5\)\}'
        $csv = Join-Path $TestDrive 'backups.csv'
        Get-SiteBackup -Store $store -Id $auto.Id | Export-Csv $csv
        $row = Import-Csv $csv
        $row.Collections | Should -Be 'empty (0), orders (3), people (5)'
        $row.Site | Should -Be $site
    }

    It 'shows times in UTC with a Z in Format-List too' {
        $text = Get-SiteBackup -Store $store -Id $auto.Id | Format-List | Out-String -Width 250
        $text | Should -Match ('RequestedDate\s+: ' + [regex]::Escape($auto.RequestedDate.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss')) + 'Z')
        $text | Should -Match 'Collections\s+: empty \(0\), orders \(3\), people \(5\)'
        $text | Should -Match "Site\s+: $([regex]::Escape($site))"
    }
}

Describe 'Get-SiteBackup -Last' {
    BeforeAll {
        $site = New-LargeSite
        $store = New-TestStore
        $ready = New-SiteBackup -Site $site -Store $store
        # A newer backup that failed once it had started: pages of the table were damaged by then.
        Copy-Item $site "$site.good"
        Set-SiteDamage $site
        New-SiteBackup -Site $site -Store $store -ErrorAction SilentlyContinue
        Copy-Item "$site.good" $site -Force
    }

    It 'counts Ready backups when -Status is not given, so -Last 1 is the newest one that can be restored' {
        $failed = Get-SiteBackup -Store $store -Status Failed
        $failed.Count | Should -Be 1
        $failed.RequestedDate | Should -BeGreaterThan $ready.RequestedDate
        (Get-SiteBackup -Store $store)[0].Id | Should -Be $failed.Id
        (Get-SiteBackup -Store $store -Last 1).Id | Should -Be $ready.Id
        (Get-SiteBackup -Store $store -Last 1 -Status Failed, Ready).Id | Should -Be $failed.Id
    }

    It 'pipes the newest Ready backup into Restore-SiteBackup, however many newer ones failed' {
        Invoke-Sqlite $site "UPDATE t SET x = 'changed' WHERE rowid % 2 = 0" | Out-Null
        $restoration = Get-SiteBackup -Store $store -Site $site -Last 1 | Restore-SiteBackup -Force
        $restoration.Status | Should -Be 'Completed'
        $restoration.Backup.Id | Should -Be $ready.Id
        Invoke-Sqlite $site "SELECT count(*) FROM t WHERE x = 'changed'" | Should -Be 0
    }
}
