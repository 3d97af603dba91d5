# A store that runs out of space or cannot be written, and secrets that must never leak.

BeforeDiscovery {
    # Mounting a small tmpfs or a read-only bind needs root on Linux (as in CI); elsewhere these tests are skipped.
    # Decided here, before discovery, where -Skip reads it (a BeforeAll runs only after).
    $canMount = $IsLinux -and ((id -u) -eq '0')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
    Add-Type -AssemblyName System.IO.Compression.FileSystem

    function Mount-Folder([string] $target, [string[]] $options) {
        New-Item -ItemType Directory -Force $target | Out-Null
        & mount @options $target 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because "this machine does not allow mount $options" }
        $target
    }
}

Describe 'A full disk' {
    It 'fails the backup cleanly: Failed, no temporary files, earlier backups untouched' -Skip:(-not $canMount) {
        $store = Mount-Folder (Join-Path $TestDrive 'small-store') @('-t', 'tmpfs', '-o', 'size=1m', 'tmpfs')
        try {
            $earlier = New-SiteBackup -Site (New-TestSite) -Store $store
            $big = New-GeneratedSite -Items 40000   # an archive of about 2 MB

            New-SiteBackup -Site $big -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'OperationFailed,*'
            $err[0].Exception.Message | Should -Match 'No space left'
            $failed = Get-SiteBackup -Store $store -Site $big -Status Failed, Pending, Ready
            $failed.Status | Should -Be 'Failed'
            @(Get-ChildItem (Join-Path $store 'archives')).Name | Should -Be "$($earlier.Id).zip"
            $earlier | Test-SiteBackup -Quiet | Should -BeTrue
        }
        finally { & umount $store }
    }
}

Describe 'A read-only store' {
    It 'restores and verifies from it (the disaster-recovery case), says no restoration could be recorded, and refuses a backup into it' -Skip:(-not $canMount) {
        $site = New-TestSite
        $original = Get-SiteContent $site
        $source = Join-Path $TestDrive 'store-source'
        $earlier = New-SiteBackup -Site $site -Store $source
        $store = Mount-Folder (Join-Path $TestDrive 'read-only-store') @('--bind', '-o', 'ro', $source)
        try {
            $before = Get-StoreState $store
            Invoke-Sqlite $site "UPDATE people SET name = 'changed'" | Out-Null

            New-SiteBackup -Site $site -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'OperationFailed,*'
            $err[0].Exception.Message | Should -Match 'Read-only'

            $restoration = Get-SiteBackup -Store $store -Last 1 | Restore-SiteBackup -Force -WarningVariable warned -WarningAction SilentlyContinue
            $restoration.Status | Should -Be 'Completed'
            Get-SiteContent $site | Should -Be $original
            $warned.Count | Should -Be 1
            $warned[0].Message | Should -Match 'No restoration record can be written'
            Get-SiteBackupRestoration -Store $store | Should -BeNullOrEmpty

            (Get-SiteBackup -Store $store).Id | Should -Be $earlier.Id
            Get-SiteBackup -Store $store | Test-SiteBackup -Quiet | Should -BeExactly $true
            Get-StoreState $store | Should -Be $before
        }
        finally { & umount $store }
    }
}

Describe 'Secrets' {
    BeforeAll {
        $secret = 'S3cret-' + [guid]::NewGuid().ToString('N')
        $credential = [pscredential]::new('backup-user', (ConvertTo-SecureString $secret -AsPlainText -Force))
        $site = New-TestSite
        $store = New-TestStore

        # Everything every stream says, for each command given the credential, including failures.
        $said = & {
            $backup = New-SiteBackup -Site $site -Store $store -Credential $credential -Verbose -Debug
            $backup | Format-List * | Out-String
            Get-SiteBackup -Store $store -Credential $credential -Verbose | Format-List * | Out-String
            $backup | Test-SiteBackup -Credential $credential -Verbose | Format-List * | Out-String
            $backup | Restore-SiteBackup -Credential $credential -Force -Verbose -Debug | Format-List * | Out-String
            New-SiteBackup -Site (Join-Path $TestDrive 'missing.db') -Store $store -Credential $credential -ErrorAction Continue
            New-SiteBackup -Site "ftp://backup-user:$secret@example.invalid/db" -Store $store -ErrorAction Continue
            New-SiteBackup -Site "sqlite:$(Join-Path $TestDrive 'nope.db')?password=$secret" -Store $store -ErrorAction Continue
            # An encryption key: a sealed backup, verified and restored with it, and a wrong one refused.
            $sealed = New-SiteBackup -Site $site -Store $store -EncryptionKey (ConvertTo-SecureString $secret -AsPlainText -Force) -Verbose
            $sealed | Format-List * | Out-String
            $sealed | Test-SiteBackup -EncryptionKey (ConvertTo-SecureString $secret -AsPlainText -Force) -Verbose | Format-List * | Out-String
            $sealed | Restore-SiteBackup -EncryptionKey (ConvertTo-SecureString "$secret-not" -AsPlainText -Force) -Force -ErrorAction Continue
            # A SAS in a store URL that is refused before any request (AzureSignIn.Tests.ps1 checks SAS and tokens in use).
            Get-SiteBackup -Store "https://contoso.blob.core.windows.net/Not_A_Container?sv=2024-08-04&sp=rl&sig=$secret" -ErrorAction Continue
            New-SiteBackup -Site $site -Store "https://contoso.blob.core.windows.net/?sv=2024-08-04&sig=$secret" -ErrorAction Continue
        } *>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.Exception.Message; $_.TargetObject; $_.FullyQualifiedErrorId } else { "$_" } }
    }

    It 'appears in no output, verbose, debug or error message' {
        ($said -join "`n") | Should -Not -BeNullOrEmpty
        ($said -join "`n") | Should -Not -Match $secret
    }

    It 'appears in no file of the store, archives unpacked' {
        foreach ($file in Get-ChildItem $store -Recurse -File) {
            # A sealed archive is read as its bytes (it is not a zip until it is opened with its key).
            $sealedArchive = $file.Extension -eq '.zip' -and [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($file.FullName), 0, 8) -eq 'SBACRYPT'
            $text = if ($sealedArchive) { [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($file.FullName)) }
            elseif ($file.Extension -eq '.zip') {
                $zip = [System.IO.Compression.ZipFile]::OpenRead($file.FullName)
                try { ($zip.Entries | ForEach-Object { $r = [IO.StreamReader]::new($_.Open()); $r.ReadToEnd(); $r.Dispose() }) -join "`n" }
                finally { $zip.Dispose() }
            }
            else { Get-Content -Raw $file.FullName }
            $text | Should -Not -Match $secret -Because "$($file.Name) must not hold the secret"
        }
    }
}
