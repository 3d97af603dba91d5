BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'Restore-SiteBackup' {
    BeforeEach {
        $site = New-TestSite
        $store = New-TestStore
        $original = Get-SiteContent $site
        $backup = New-SiteBackup -Site $site -Store $store
        Invoke-Sqlite $site "DELETE FROM orders; UPDATE people SET name = 'changed'; INSERT INTO empty VALUES ('new');" | Out-Null
        $changed = Get-SiteContent $site
    }

    It 'restores a backup piped from Get-SiteBackup and emits the Completed restoration' {
        $restoration = Get-SiteBackup -Store $store | Restore-SiteBackup -Force

        Get-SiteContent $site | Should -Be $original
        $restoration.GetType().FullName | Should -Be 'SiteBackup.Engine.Model.RestorationRecord'
        $restoration.Status | Should -Be 'Completed'
        $restoration.Backup.Id | Should -Be $backup.Id
        $restoration.SiteId | Should -Be $site
        $restoration.Collections.ItemCount | Should -Be @(0, 3, 5)
    }

    It 'restores by -Id and -Store with -Confirm:$false' {
        Restore-SiteBackup -Id $backup.Id -Store $store -Confirm:$false | Out-Null
        Get-SiteContent $site | Should -Be $original
    }

    It 'restores only the -Collection asked for' {
        $restoration = $backup | Restore-SiteBackup -Collection people -Force
        $restoration.Collections.Id | Should -Be 'people'
        Invoke-Sqlite $site 'SELECT count(*) FROM orders' | Should -Be 0
        Invoke-Sqlite $site "SELECT name FROM people WHERE id = 1" | Should -Be 'Ada'
    }

    It 'restores a collection into another one with -Destination' {
        Invoke-Sqlite $site 'CREATE TABLE people_copy (id INTEGER PRIMARY KEY, name TEXT, score REAL, photo BLOB)' | Out-Null
        $restoration = $backup | Restore-SiteBackup -Collection people -Destination @{ people = 'people_copy' } -Force

        $restoration.Collections[0].Destination | Should -Be 'people_copy'
        Invoke-Sqlite $site 'SELECT count(*) FROM people_copy' | Should -Be 5
        Invoke-Sqlite $site "SELECT count(*) FROM people WHERE name = 'changed'" | Should -Be 5
    }

    It 'says CollectionNotFound for a -Collection pattern the backup has nothing for, wildcards too, and restores nothing' {
        $before = Get-StoreState $store
        { $backup | Restore-SiteBackup -Collection 'zz*' -Force -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*' -ExpectedMessage "*'zz*'*"
        { $backup | Restore-SiteBackup -Collection people, 'ordrs' -Force -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*' -ExpectedMessage "*'ordrs'*"
        Get-SiteContent $site | Should -Be $changed
        Get-StoreState $store | Should -Be $before -Because 'a restore refused before it started records nothing'
    }

    It 'checks with -WhatIf what a real run checks, and names what would really be replaced' {
        Invoke-Sqlite $site 'CREATE TABLE kv (id INTEGER PRIMARY KEY, name TEXT, score REAL, photo BLOB)' | Out-Null
        $module = Get-TestModulePath
        $said = Invoke-ChildPwsh "Import-Module '$module'; Get-SiteBackup -Store '$store' -Id $($backup.Id) | Restore-SiteBackup -Collection people -Destination @{ people = 'kv' } -WhatIf"
        ($said -join ' ') | Should -Match "What if: .*Replace the content of people → kv with backup $($backup.Id)"
        ($said -join ' ') | Should -Not -Match 'content of people with'

        { $backup | Restore-SiteBackup -Destination @{ people = 'ghosts' } -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*'
        { $backup | Restore-SiteBackup -Collection people -Destination @{ orders = 'kv' } -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
        { $backup | Restore-SiteBackup -Collection 'zz*' -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*'
        # The archive is opened too: a missing or damaged one is found before -WhatIf says anything.
        $archive = Join-Path $store "archives/$($backup.Id).zip"
        Move-Item $archive "$archive.away"
        { $backup | Restore-SiteBackup -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'BackupNotFound,*'
        Set-Content "$archive" 'not a zip'
        { $backup | Restore-SiteBackup -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'ArchiveCorrupt,*'
        Move-Item "$archive.away" $archive -Force
        $backup | Remove-SiteBackup -Force
        { $backup | Restore-SiteBackup -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'BackupNotReady,*'
        Get-SiteContent $site | Should -Be $changed
        Invoke-Sqlite $site 'SELECT count(*) FROM kv' | Should -Be 0
    }

    It 'refuses a -Destination key that names no collection being restored, before writing anything' {
        $backup | Restore-SiteBackup -Collection people -Destination @{ orders = 'x' } -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
        Get-SiteContent $site | Should -Be $changed
    }

    It 'says CollectionNotFound when the destination collection does not exist, and leaves the site as it was' {
        $backup | Restore-SiteBackup -Destination @{ people = 'ghosts' } -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CollectionNotFound,*'
        Get-SiteContent $site | Should -Be $changed
    }

    It 'changes nothing with -WhatIf, even with -Force' {
        $before = Get-StoreState $store
        $backup | Restore-SiteBackup -WhatIf | Should -BeNullOrEmpty
        $backup | Restore-SiteBackup -WhatIf -Force | Should -BeNullOrEmpty
        Get-SiteContent $site | Should -Be $changed
        Get-StoreState $store | Should -Be $before
    }

    It 'asks for confirmation by default (and so fails in a non-interactive session) unless -Force or -Confirm:$false' {
        { $backup | Restore-SiteBackup -ErrorAction Stop } | Should -Throw
        Get-SiteContent $site | Should -Be $changed
    }

    It 'refuses a corrupt archive with ArchiveCorrupt and leaves the site as it was' {
        $archive = Join-Path $store "archives/$($backup.Id).zip"
        $bytes = [System.IO.File]::ReadAllBytes($archive)
        [System.IO.File]::WriteAllBytes($archive, $bytes[0..($bytes.Length / 2)])

        $backup | Restore-SiteBackup -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ArchiveCorrupt,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        Get-SiteContent $site | Should -Be $changed
    }

    It 'says BackupNotReady for a removed backup and BackupNotFound for an unknown id' {
        $backup | Remove-SiteBackup -Force
        $backup | Restore-SiteBackup -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotReady,*'

        Restore-SiteBackup -Id 'nope' -Store $store -Force -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
    }

    It 'restores into another site with -Site' {
        $copy = Join-Path $TestDrive 'copy.db'
        Invoke-Sqlite $copy 'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, photo BLOB); CREATE TABLE orders (id INTEGER PRIMARY KEY, person INTEGER, total REAL); CREATE TABLE empty (x TEXT);' | Out-Null
        $restoration = $backup | Restore-SiteBackup -Site $copy -Force
        $restoration.SiteId | Should -Be $copy
        Get-SiteContent $copy | Should -Be $original
    }
}
