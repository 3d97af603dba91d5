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

Describe 'Rebuilding a lost SQLite file' {
    It 'makes the file again with -CreateMissing, and sqlite3 dumps it as the original' {
        $site = Join-Path $TestDrive 'app.db'
        Invoke-Sqlite $site @'
PRAGMA user_version = 3;
CREATE TABLE notes (body TEXT);
INSERT INTO notes (rowid, body) VALUES (10, 'ten'), (35, CAST(x'ff' AS TEXT));
CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, note_rowid INTEGER);
INSERT INTO orders (note_rowid) VALUES (10), (35); DELETE FROM orders WHERE id = 2;
CREATE VIRTUAL TABLE search USING fts5(body);
INSERT INTO search (rowid, body) VALUES (10, 'ten'), (35, 'thirty-five');
CREATE TRIGGER keep AFTER INSERT ON notes BEGIN DELETE FROM notes; END;
CREATE VIEW v AS SELECT count(*) FROM notes;
'@ | Out-Null
        $dump = Invoke-Sqlite $site '.dump --preserve-rowids'
        $backup = New-SiteBackup -Site $site -Store (Join-Path $TestDrive 'store')
        $backup.Collections.Id | Should -Be @('notes', 'orders', 'search')
        Remove-Item $site

        $rebuilt = Join-Path $TestDrive 'rebuilt.db'
        { $backup | Restore-SiteBackup -Site $rebuilt -Force -ErrorAction Stop } | Should -Throw -ErrorId 'SiteNotFound,*'
        $rebuilt | Should -Not -Exist
        ($backup | Restore-SiteBackup -Site $rebuilt -CreateMissing -Force).Status | Should -Be 'Completed'
        Invoke-Sqlite $rebuilt '.dump --preserve-rowids' | Should -Be $dump
        Invoke-Sqlite $rebuilt 'PRAGMA user_version' | Should -Be 3
        Invoke-Sqlite $rebuilt "INSERT INTO search (search) VALUES ('integrity-check'); PRAGMA integrity_check" | Should -Be 'ok'
    }

    It 'names, with a warning and in the record, what of the file a backup cannot keep' {
        $site = Join-Path $TestDrive 'odd.db'
        Invoke-Sqlite $site @'
CREATE TABLE kept (x); INSERT INTO kept VALUES (1);
PRAGMA writable_schema = ON;
INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES ('table', 'elsewhere', 'elsewhere', 0, 'CREATE VIRTUAL TABLE elsewhere USING nosuchmodule(a)');
'@ | Out-Null
        $backup = New-SiteBackup -Site $site -Store (Join-Path $TestDrive 'store2') -WarningVariable warned -WarningAction SilentlyContinue
        $warned.Message | Should -Match "cannot keep 'elsewhere'.*nosuchmodule"
        $backup.Omissions.Collection | Should -Be 'elsewhere'
        ($backup | Format-List * | Out-String) | Should -Match 'Omissions\s+: \{elsewhere: it is a virtual table'
    }

    It 'finds a tampered definitions entry with Test-SiteBackup, and the restore refuses it before touching the site' {
        $site = New-TestSite
        $store = Join-Path $TestDrive 'store3'
        $backup = New-SiteBackup -Site $site -Store $store
        Add-Type -AssemblyName System.IO.Compression
        $archive = Join-Path $store "archives/$($backup.Id).zip"
        $zip = [System.IO.Compression.ZipFile]::Open($archive, 'Update')
        try {
            $entry = $zip.GetEntry('definitions.json')
            $reader = [IO.StreamReader]::new($entry.Open()); $text = $reader.ReadToEnd(); $reader.Dispose()
            $entry.Delete()
            $writer = [IO.StreamWriter]::new($zip.CreateEntry('definitions.json').Open())
            $writer.Write($text.Replace('people', 'peoplf')); $writer.Dispose()
        }
        finally { $zip.Dispose() }

        ($backup | Test-SiteBackup).Problems.Message | Should -Match "definitions' SHA-256"
        Invoke-Sqlite $site "UPDATE people SET name = 'changed'" | Out-Null
        $before = Get-SiteContent $site
        { $backup | Restore-SiteBackup -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ArchiveCorrupt,*'
        Get-SiteContent $site | Should -Be $before
    }
}
