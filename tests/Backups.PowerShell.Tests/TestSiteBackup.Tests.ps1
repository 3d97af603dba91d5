BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'Test-SiteBackup' {
    BeforeEach {
        $site = New-TestSite
        $store = New-TestStore
        $backup = New-SiteBackup -Site $site -Store $store
        $archive = Join-Path $store "archives/$($backup.Id).zip"
    }

    It 'says a sound backup is valid, from the pipeline' {
        $result = Get-SiteBackup -Store $store | Test-SiteBackup
        $result.GetType().FullName | Should -Be 'SiteBackup.Engine.Operations.VerificationResult'
        $result.IsValid | Should -BeTrue
        $result.Problems | Should -BeNullOrEmpty
        $result.Backup.Id | Should -Be $backup.Id
    }

    It 'emits only a boolean with -Quiet' {
        Test-SiteBackup -Id $backup.Id -Store $store -Quiet | Should -BeExactly $true
    }

    It 'names the collection and the problem when an entry was tampered with' {
        Add-Type -AssemblyName System.IO.Compression
        $zip = [System.IO.Compression.ZipFile]::Open($archive, 'Update')
        $people = $zip.GetEntry('collections/2.jsonl')
        $reader = [IO.StreamReader]::new($people.Open())
        $text = $reader.ReadToEnd()
        $reader.Dispose()
        $people.Delete()
        $writer = [IO.StreamWriter]::new($zip.CreateEntry('collections/2.jsonl').Open())
        $writer.Write($text.Replace('Ada', 'Eve'))
        $writer.Dispose(); $zip.Dispose()

        $result = $backup | Test-SiteBackup
        $result.IsValid | Should -BeFalse
        $result.Problems[0].Collection | Should -Be 'people'
        $result.Problems[0].Message | Should -Match 'SHA-256'
        $backup | Test-SiteBackup -Quiet | Should -BeExactly $false
        ($result | Format-Table | Out-String -Width 300) | Should -Match 'False\s+people: .*SHA-256'
    }

    It 'reports an archive of an unknown format version, which Restore-SiteBackup refuses with ArchiveVersionUnsupported' {
        Set-ArchiveManifest $archive { param($m) $m.formatVersion = 99 }
        Invoke-Sqlite $site "UPDATE people SET name = 'changed'" | Out-Null
        $changed = Get-SiteContent $site

        ($backup | Test-SiteBackup).Problems.Message | Should -Match 'format version 99'
        $backup | Restore-SiteBackup -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ArchiveVersionUnsupported,*'
        Get-SiteContent $site | Should -Be $changed
    }

    It 'reports a missing archive as not valid, and a removed backup as not verified (neither valid nor invalid)' {
        Remove-Item $archive
        $missing = $backup | Test-SiteBackup
        $missing.Problems.Message | Should -Match 'missing'
        $missing.IsValid | Should -BeExactly $false
        $backup | Remove-SiteBackup -Force

        $removed = Get-SiteBackup -Store $store -Id $backup.Id | Test-SiteBackup
        $removed.Verified | Should -BeExactly $false
        $removed.IsValid | Should -BeNullOrEmpty
        $removed.Problems.Message | Should -Match 'Not verified: the backup is Deleted'
        ($removed | Format-Table | Out-String -Width 300) | Should -Match "$($backup.Id)\s+Not verified"
    }

    It 'takes several records through -InputObject, and its results pipe on by Id and Store' {
        $second = New-SiteBackup -Site $site -Store $store
        (Test-SiteBackup -InputObject (Get-SiteBackup -Store $store)).Id | Should -Be @($second.Id, $backup.Id)
        Test-SiteBackup -InputObject $second, $backup -Quiet | Should -BeExactly $true
        Set-ArchiveManifest $archive { param($m) $m.collections[0].itemCount = 99 }
        Get-SiteBackup -Store $store | Test-SiteBackup | Where-Object IsValid -EQ $false | Remove-SiteBackup -Force
        (Get-SiteBackup -Store $store -Id $backup.Id).Status | Should -Be 'Deleted'
        (Get-SiteBackup -Store $store -Id $second.Id).Status | Should -Be 'Ready'
    }

    It 'carries the site of each backup' {
        $other = New-TestSite
        New-SiteBackup -Site $other -Store $store | Out-Null
        $results = Get-SiteBackup -Store $store | Test-SiteBackup
        ($results | Group-Object Site).Name | Sort-Object | Should -Be (@($site, $other) | Sort-Object)
        ($results | Where-Object SiteId -EQ $other).IsValid | Should -BeTrue
    }

    It 'answers -Quiet once for a whole pipeline: true only when every Ready backup verifies' {
        $second = New-SiteBackup -Site $site -Store $store
        $backup, $second | Test-SiteBackup -Quiet | Should -BeExactly $true

        # Backups that are not Ready are not counted against it...
        $removed = New-SiteBackup -Site $site -Store $store | Remove-SiteBackup -Force -PassThru
        $backup, $removed, $second | Test-SiteBackup -Quiet | Should -BeExactly $true
        # ...but nothing verified is not a yes,
        $removed | Test-SiteBackup -Quiet | Should -BeExactly $false
        # and one damaged backup among good ones is a no.
        Set-ArchiveManifest $archive { param($m) $m.collections[0].itemCount = 99 }
        $second, $backup | Test-SiteBackup -Quiet | Should -BeExactly $false
    }
}
