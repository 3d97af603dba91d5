BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'Remove-SiteBackup' {
    BeforeEach {
        $site = New-TestSite
        $store = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $store
        $archive = Join-Path $store "archives/$($backup.Id).zip"
    }

    It 'removes the archive of a piped backup and keeps its record as Deleted' {
        $backup | Remove-SiteBackup -Force | Should -BeNullOrEmpty

        $archive | Should -Not -Exist
        Get-SiteBackup -Store $store | Should -BeNullOrEmpty
        $record = Get-SiteBackup -Store $store -Status Deleted
        $record.Id | Should -Be $backup.Id
        $record.DeletedDate | Should -Not -BeNullOrEmpty
    }

    It 'emits the Deleted record with -PassThru, by -Id and -Store' {
        $removed = Remove-SiteBackup -Id $backup.Id -Store $store -Confirm:$false -PassThru
        $removed.Status | Should -Be 'Deleted'
    }

    It 'removes every failed backup with Get-SiteBackup -Status Failed | Remove-SiteBackup' {
        $damaged = New-LargeSite
        Set-SiteDamage $damaged
        New-SiteBackup -Site $damaged -Store $store -ErrorAction SilentlyContinue
        $failed = Get-SiteBackup -Store $store -Status Failed
        $failed.Count | Should -Be 1

        Get-SiteBackup -Store $store -Status Failed | Remove-SiteBackup -Force
        Get-SiteBackup -Store $store -Status Failed | Should -BeNullOrEmpty
        (Get-SiteBackup -Store $store).Id | Should -Be $backup.Id
    }

    It 'changes nothing with -WhatIf, even with -Force' {
        $before = Get-StoreState $store
        $backup | Remove-SiteBackup -WhatIf
        $backup | Remove-SiteBackup -WhatIf -Force
        Get-StoreState $store | Should -Be $before
        (Get-SiteBackup -Store $store).Status | Should -Be 'Ready'
    }

    It 'says BackupNotFound for an unknown id and goes on with the rest of the pipeline' {
        $removed = @('nope', $backup.Id) | ForEach-Object { [pscustomobject]@{ Id = $_; Store = $store } } |
            Remove-SiteBackup -Force -PassThru -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
        $removed.Id | Should -Be $backup.Id
    }
}
