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

    It 'shows a readable default table: id, type, status, dates, size, collection count' {
        $table = Get-SiteBackup -Store $store -Id $auto.Id | Format-Table | Out-String -Width 250
        $table | Should -Match 'Id\s+Type\s+Status\s+Requested\s+Finished\s+Size\s+Collections'
        $table | Should -Match ([regex]::Escape($auto.Id) + '\s+Auto\s+Ready\s+.*\d+(\.\d)? (B|KB)\s+3')
    }
}
