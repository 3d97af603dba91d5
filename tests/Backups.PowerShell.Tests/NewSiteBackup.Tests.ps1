BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'New-SiteBackup' {
    BeforeEach {
        $site = New-TestSite
        $store = New-TestStore
    }

    It 'backs up every table of a SQLite file into a folder store and emits the Ready record' {
        $backup = New-SiteBackup -Site $site -Store $store

        $backup.GetType().FullName | Should -Be 'SiteBackup.Engine.Model.BackupRecord'
        $backup.Status | Should -Be 'Ready'
        $backup.Type | Should -Be 'OnDemand'
        $backup.SiteId | Should -Be $site
        $backup.Store | Should -Be $store
        $backup.Collections.Id | Should -Be @('empty', 'orders', 'people')
        $backup.Collections.ItemCount | Should -Be @(0, 3, 5)
        $backup.SizeInBytes | Should -Be (Get-Item (Join-Path $store "archives/$($backup.Id).zip")).Length
    }

    It 'writes an archive any zip reader opens: a manifest and one JSON line per row' {
        $backup = New-SiteBackup -Site $site -Store $store
        $expanded = Join-Path $TestDrive 'expanded'
        Expand-Archive (Join-Path $store "archives/$($backup.Id).zip") $expanded

        $manifest = Get-Content -Raw (Join-Path $expanded 'manifest.json') | ConvertFrom-Json
        $manifest.formatVersion | Should -Be 1
        $manifest.id | Should -Be $backup.Id
        $people = $manifest.collections | Where-Object id -EQ 'people'
        $lines = Get-Content (Join-Path $expanded $people.entry)
        $lines.Count | Should -Be 5
        ($lines[0] | ConvertFrom-Json).name | Should -Be 'Ada'
        ($lines[0] | ConvertFrom-Json).photo.'$binary' | Should -Be 'AP8='
        (Get-FileHash -Algorithm SHA256 (Join-Path $expanded $people.entry)).Hash | Should -Be $people.sha256.ToUpperInvariant()
    }

    It 'resolves a relative site path against the current location' {
        Push-Location (Split-Path $site)
        try {
            $backup = New-SiteBackup -Site (Split-Path -Leaf $site) -Store $store
        }
        finally { Pop-Location }
        $backup.SiteId | Should -Be $site
    }

    It 'picks collections with -Collection and -ExcludeCollection wildcards' {
        $backup = New-SiteBackup -Site $site -Store $store -Collection '*e*' -ExcludeCollection 'EMPTY'
        $backup.Collections.Id | Should -Be @('orders', 'people')
    }

    It 'says CollectionNotFound for a collection name the site does not have' {
        New-SiteBackup -Site $site -Store $store -Collection 'nope' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CollectionNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'says SiteNotFound for a SQLite file that does not exist, and never creates it' {
        $missing = Join-Path $TestDrive 'missing.db'
        New-SiteBackup -Site $missing -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SiteNotFound,*'
        $err[0].TargetObject | Should -Be $missing
        $missing | Should -Not -Exist
        { New-SiteBackup -Site $missing -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'SiteNotFound,*'
    }

    It 'says InvalidArgument for a site string of a kind it does not know' {
        New-SiteBackup -Site 'ftp://example.invalid/db' -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
    }

    It 'backs up each site piped to it, and a failure on one does not stop the others' {
        $other = New-TestSite
        $backups = @($site, (Join-Path $TestDrive 'missing.db'), $other) | New-SiteBackup -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
        $backups.SiteId | Should -Be @($site, $other)
        $err.Count | Should -Be 1
    }

    It 'keeps three on-demand backups: the fourth removes the oldest, and says so' {
        $first = New-SiteBackup -Site $site -Store $store
        1..2 | ForEach-Object { New-SiteBackup -Site $site -Store $store } | Out-Null
        $verbose = New-SiteBackup -Site $site -Store $store -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }

        $verbose.Message -join "`n" | Should -Match "removed the OnDemand backup $($first.Id)"
        (Get-SiteBackup -Store $store).Count | Should -Be 3
        (Get-SiteBackup -Store $store -Id $first.Id).Status | Should -Be 'Deleted'
    }

    It 'takes an Auto backup only when one is due, unless -Force' {
        (New-SiteBackup -Site $site -Store $store -Type Auto).Type | Should -Be 'Auto'
        $skipped = New-SiteBackup -Site $site -Store $store -Type Auto -Verbose 4>&1
        $skipped | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] } | Should -BeNullOrEmpty
        ($skipped | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'No automatic backup is due'
        (New-SiteBackup -Site $site -Store $store -Type Auto -Force).Status | Should -Be 'Ready'
        (Get-SiteBackup -Store $store -Type Auto).Count | Should -Be 2
    }

    It 'changes nothing with -WhatIf, in a new store or an existing one' {
        $content = Get-SiteContent $site
        New-SiteBackup -Site $site -Store $store -WhatIf | Should -BeNullOrEmpty
        $store | Should -Not -Exist

        New-SiteBackup -Site $site -Store $store | Out-Null
        $before = Get-StoreState $store
        New-SiteBackup -Site $site -Store $store -Type Auto -Force -WhatIf | Should -BeNullOrEmpty
        Get-StoreState $store | Should -Be $before
        Get-SiteContent $site | Should -Be $content
    }

    It 'uses the store named by SITEBACKUP_STORE when -Store is not given' {
        $env:SITEBACKUP_STORE = $store
        try {
            $backup = New-SiteBackup -Site $site
            $backup.Store | Should -Be $store
            (Get-SiteBackup).Id | Should -Be $backup.Id
        }
        finally { Remove-Item Env:SITEBACKUP_STORE }
    }
}
