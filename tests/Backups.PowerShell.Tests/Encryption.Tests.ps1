# Encrypted backups through the cmdlets, as a user runs them: -EncryptionKey as a SecureString (what Get-Secret
# gives), the round trip judged by sqlite3's own dump, a wrong or missing key refused with a stable id before the
# site is touched, tampering refused, and the key in no output, record or file. (The engine's xunit suite checks
# every kind of tampering and fuzzes sealed archives.)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
    $passphrase = 'pass-' + [guid]::NewGuid().ToString('N')
    $key = ConvertTo-SecureString $passphrase -AsPlainText -Force
    $wrong = ConvertTo-SecureString 'not the passphrase at all' -AsPlainText -Force
    function Get-Archive($backup) { Join-Path $backup.Store "archives/$($backup.Id).zip" }
}

Describe 'An encrypted backup' {
    It 'restores exactly with its key, verifies with it, and its archive holds nothing readable' {
        $site = New-GeneratedSite -Items 3000
        $expected = Get-SiteContent $site
        $store = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $store -EncryptionKey $key
        $backup.Encryption.KeyKind | Should -Be 'passphrase'
        $backup.Encryption.Algorithm | Should -Be 'AES-256-GCM'
        $backup.Encryption.KeyId | Should -Match '^[0-9a-f]{16}$'
        (Get-SiteBackup -Store $store -Id $backup.Id).Encryption.KeyId | Should -Be $backup.Encryption.KeyId
        $bytes = [IO.File]::ReadAllBytes((Get-Archive $backup))
        [Text.Encoding]::ASCII.GetString($bytes, 0, 8) | Should -Be 'SBACRYPT'
        [Text.Encoding]::Latin1.GetString($bytes) | Should -Not -Match 'manifest\.json|CREATE TABLE|customers'

        ($backup | Test-SiteBackup -EncryptionKey $key).IsValid | Should -BeTrue
        $unkeyed = $backup | Test-SiteBackup
        $unkeyed.Verified | Should -BeFalse
        $unkeyed.IsValid | Should -BeNullOrEmpty
        $unkeyed.Problems.Message | Should -Match 'no -EncryptionKey was given'
        $backup | Test-SiteBackup -Quiet | Should -BeFalse -Because 'nothing could be verified without the key'

        Invoke-Sqlite $site 'DELETE FROM events; UPDATE customers SET name = upper(name)' | Out-Null
        Get-SiteContent $site | Should -Not -Be $expected
        ($backup | Restore-SiteBackup -EncryptionKey $key -Force).Status | Should -Be 'Completed'
        Get-SiteContent $site | Should -Be $expected
        Invoke-Sqlite $site 'PRAGMA integrity_check' | Should -Be 'ok'
    }

    It 'is refused without its key or with another, with a stable id, before the site is touched' {
        $site = New-TestSite
        $store = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $store -EncryptionKey $key
        Invoke-Sqlite $site "UPDATE people SET name = 'changed'" | Out-Null
        $changed = Get-SiteContent $site

        { $backup | Restore-SiteBackup -Force -ErrorAction Stop } | Should -Throw -ErrorId 'EncryptionKeyRequired*'
        { $backup | Restore-SiteBackup -EncryptionKey $wrong -Force -ErrorAction Stop } | Should -Throw -ErrorId 'EncryptionKeyMismatch*'
        { $backup | Restore-SiteBackup -EncryptionKey $wrong -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'EncryptionKeyMismatch*'
        { $backup | Test-SiteBackup -EncryptionKey $wrong -ErrorAction Stop } | Should -Throw -ErrorId 'EncryptionKeyMismatch*'
        $short = ConvertTo-SecureString 'short' -AsPlainText -Force
        { New-SiteBackup -Site $site -Store $store -EncryptionKey $short -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
        Get-SiteContent $site | Should -Be $changed
        @(Get-SiteBackupRestoration -Store $store).Count | Should -Be 0
    }

    It 'with a raw key, given as hex or base64, has the same key id every time' {
        $raw = [byte[]]::new(32); [Security.Cryptography.RandomNumberGenerator]::Fill($raw)
        $hex = ConvertTo-SecureString ([Convert]::ToHexString($raw)) -AsPlainText -Force
        $base64 = ConvertTo-SecureString ([Convert]::ToBase64String($raw)) -AsPlainText -Force
        $site = New-TestSite
        $store = New-TestStore
        $first = New-SiteBackup -Site $site -Store $store -EncryptionKey $hex
        $second = New-SiteBackup -Site $site -Store $store -EncryptionKey $base64
        $first.Encryption.KeyKind | Should -Be 'raw key'
        $second.Encryption.KeyId | Should -Be $first.Encryption.KeyId
        ($first | Test-SiteBackup -EncryptionKey $base64).IsValid | Should -BeTrue
    }

    It 'whose archive was changed is refused as ArchiveCorrupt, the site untouched' {
        $site = New-GeneratedSite -Items 2000
        $store = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $store -EncryptionKey $key
        $path = Get-Archive $backup
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 1
        [IO.File]::WriteAllBytes($path, $bytes)
        Invoke-Sqlite $site 'DELETE FROM events' | Out-Null
        $before = Get-SiteContent $site

        { $backup | Restore-SiteBackup -EncryptionKey $key -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ArchiveCorrupt*'
        Get-SiteContent $site | Should -Be $before
        $verdict = $backup | Test-SiteBackup -EncryptionKey $key
        $verdict.IsValid | Should -BeFalse
        $verdict.Problems.Message | Should -Match 'does not authenticate'
    }

    It 'is required by a store whose policy says so: a backup without a key is refused and leaves nothing' {
        $site = New-TestSite
        $store = New-TestStore
        Set-SiteBackupRetention -Store $store -RequireEncryption $true
        (Get-SiteBackupRetention -Store $store).RequireEncryption | Should -BeTrue
        { New-SiteBackup -Site $site -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'EncryptionKeyRequired*'
        { New-SiteBackup -Site $site -Store $store -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'EncryptionKeyRequired*'
        @(Get-SiteBackup -Store $store -Status Pending, Ready, Failed, Deleted, Canceled).Count | Should -Be 0
        (New-SiteBackup -Site $site -Store $store -EncryptionKey $key).Status | Should -Be 'Ready'
        Set-SiteBackupRetention -Store $store -RequireEncryption $false
        (New-SiteBackup -Site $site -Store $store).Encryption | Should -BeNullOrEmpty
    }

    It 'keeps its key out of every stream, record, error and file of the store' {
        $site = New-TestSite
        $store = New-TestStore
        $said = & {
            $backup = New-SiteBackup -Site $site -Store $store -EncryptionKey $key -Verbose -Debug
            $backup | Format-List * | Out-String
            $backup.Encryption | Format-List * | Out-String
            $backup | Test-SiteBackup -EncryptionKey $key -Verbose | Format-List * | Out-String
            $backup | Restore-SiteBackup -EncryptionKey $key -Force -Verbose -Debug | Format-List * | Out-String
            $backup | Restore-SiteBackup -EncryptionKey $wrong -Force -ErrorAction Continue
            $backup | Restore-SiteBackup -Force -ErrorAction Continue
            # A passphrase given as plain text is refused without being repeated.
            try { New-SiteBackup -Site $site -Store $store -EncryptionKey $passphrase } catch { $_ }
        } *>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.Exception.Message; "$($_.TargetObject)"; $_.FullyQualifiedErrorId } else { "$_" } }
        ($said -join "`n") | Should -Match 'EncryptionKeyMismatch'
        ($said -join "`n") | Should -Match 'The key must be a SecureString'
        ($said -join "`n") | Should -Not -Match $passphrase
        foreach ($file in Get-ChildItem $store -Recurse -File) {
            [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($file.FullName)) | Should -Not -Match $passphrase -Because $file.Name
        }
    }
}
