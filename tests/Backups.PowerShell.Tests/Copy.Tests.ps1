# Copy-SiteBackup as a user runs it: a second copy in another store (folder to folder, folder to Azure and back),
# checked there before it lists, keeping id and dates; restoring from the copy gives the site back (judged by
# sqlite3's dump); copying again does nothing; the destination's retention and encryption rule apply.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
    function Get-Archive([string] $store, [string] $id) { Join-Path $store "archives/$id.zip" }
}

Describe 'Copy-SiteBackup' {
    It 'copies a backup into another folder store, keeping its id, dates and collections, and the copy restores' {
        $site = New-GeneratedSite -Items 2000
        $expected = Get-SiteContent $site
        $source = New-TestStore
        $target = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $source

        $copy = $backup | Copy-SiteBackup -Destination $target
        $copy.Id | Should -Be $backup.Id
        $copy.Status | Should -Be 'Ready'
        $copy.Store | Should -Be $target
        $copy.RequestedDate | Should -Be $backup.RequestedDate
        $copy.FinishedDate | Should -Be $backup.FinishedDate
        ($copy.Collections | ForEach-Object { "$($_.Id)=$($_.ItemCount)" }) | Should -Be ($backup.Collections | ForEach-Object { "$($_.Id)=$($_.ItemCount)" })
        $copy.CopiedFrom.Store | Should -Be $source
        $copy.CopiedFrom.ArchiveSha256 | Should -Be (Get-FileHash (Get-Archive $source $backup.Id) -Algorithm SHA256).Hash.ToLowerInvariant()
        (Get-FileHash (Get-Archive $target $backup.Id)).Hash | Should -Be (Get-FileHash (Get-Archive $source $backup.Id)).Hash
        (Get-SiteBackup -Store $target -Id $backup.Id).CopiedFrom.Store | Should -Be $source
        $copy | Test-SiteBackup -Quiet | Should -BeTrue

        Invoke-Sqlite $site 'DELETE FROM events; UPDATE customers SET name = lower(name)' | Out-Null
        ($copy | Restore-SiteBackup -Force).Status | Should -Be 'Completed'
        Get-SiteContent $site | Should -Be $expected
        Get-SiteBackup -Store $source -Id $backup.Id | ForEach-Object { $_.CopiedFrom | Should -BeNullOrEmpty }
    }

    It 'does nothing when run again, or with -WhatIf' {
        $site = New-TestSite
        $source = New-TestStore
        $target = New-TestStore
        $first, $second = 1..2 | ForEach-Object { New-SiteBackup -Site $site -Store $source }
        $first | Copy-SiteBackup -Destination $target -WhatIf
        Test-Path (Join-Path $target 'backups') | Should -BeFalse -Because '-WhatIf copies nothing'

        Get-SiteBackup -Store $source | Copy-SiteBackup -Destination $target | Should -HaveCount 2
        $records = Get-ChildItem (Join-Path $target 'backups'), (Join-Path $target 'archives') | ForEach-Object { "$($_.Name) $($_.LastWriteTimeUtc.Ticks) $($_.Length)" }
        $again = Get-SiteBackup -Store $source | Copy-SiteBackup -Destination $target -Verbose 4>&1
        @($again | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
        ($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Match 'already in'
        Get-ChildItem (Join-Path $target 'backups'), (Join-Path $target 'archives') | ForEach-Object { "$($_.Name) $($_.LastWriteTimeUtc.Ticks) $($_.Length)" } |
            Should -Be $records
    }

    It "applies the destination's retention, and leaves the source as it was" {
        $site = New-TestSite
        $source = New-TestStore
        $target = New-TestStore
        $older, $newer = 1..2 | ForEach-Object { New-SiteBackup -Site $site -Store $source }
        Set-SiteBackupRetention -Store $target -MaxOnDemandBackups 1
        $older, $newer | Copy-SiteBackup -Destination $target | Out-Null
        (Get-SiteBackup -Store $target -Id $older.Id).Status | Should -Be 'Deleted'
        (Get-SiteBackup -Store $target -Id $newer.Id).Status | Should -Be 'Ready'
        (Get-SiteBackup -Store $source).Status | Should -Be @('Ready', 'Ready')
        $older | Copy-SiteBackup -Destination $target | Should -BeNullOrEmpty -Because 'a copy the destination removed is not made again'
    }

    It 'copies an encrypted backup as it is, and a destination that requires encryption takes no plaintext' {
        $key = ConvertTo-SecureString ('k-' + [guid]::NewGuid()) -AsPlainText -Force
        $site = New-TestSite
        $expected = Get-SiteContent $site
        $source = New-TestStore
        $target = New-TestStore
        Set-SiteBackupRetention -Store $target -RequireEncryption $true
        $plain = New-SiteBackup -Site $site -Store $source
        $sealed = New-SiteBackup -Site $site -Store $source -EncryptionKey $key

        { $plain | Copy-SiteBackup -Destination $target -ErrorAction Stop } | Should -Throw -ErrorId 'EncryptionKeyRequired*'
        $copy = $sealed | Copy-SiteBackup -Destination $target
        $copy.Encryption.KeyId | Should -Be $sealed.Encryption.KeyId
        Invoke-Sqlite $site "UPDATE people SET name = 'changed'" | Out-Null
        ($copy | Restore-SiteBackup -EncryptionKey $key -Force).Status | Should -Be 'Completed'
        Get-SiteContent $site | Should -Be $expected
    }

    It 'copies from a folder into Azure Blob Storage and back, and the copy of the copy restores' {
        if (-not $env:SITEBACKUP_TEST_AZURE) { throw 'SITEBACKUP_TEST_AZURE is not set: run the tests through build.ps1 -Task Test, which starts Azurite.' }
        $env:AZURE_STORAGE_CONNECTION_STRING = $env:SITEBACKUP_TEST_AZURE
        try {
            $site = New-GeneratedSite -Items 1500
            $expected = Get-SiteContent $site
            $source = New-TestStore
            $azure = "azblob://c$([guid]::NewGuid().ToString('N').Substring(0, 20))/offsite"
            $back = New-TestStore
            $backup = New-SiteBackup -Site $site -Store $source

            $inAzure = $backup | Copy-SiteBackup -Destination $azure
            $inAzure.Store | Should -Be $azure
            $inAzure | Test-SiteBackup -Quiet | Should -BeTrue
            $returned = $inAzure | Copy-SiteBackup -Destination $back
            $returned.CopiedFrom.Store | Should -Be $azure
            $returned.CopiedFrom.ArchiveSha256 | Should -Be $inAzure.CopiedFrom.ArchiveSha256

            Invoke-Sqlite $site 'DELETE FROM orders' | Out-Null
            ($returned | Restore-SiteBackup -Force).Status | Should -Be 'Completed'
            Get-SiteContent $site | Should -Be $expected
        }
        finally { Remove-Item Env:AZURE_STORAGE_CONNECTION_STRING }
    }
}
