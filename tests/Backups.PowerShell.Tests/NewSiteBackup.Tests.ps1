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
        $manifest.formatVersion | Should -Be 3
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

    It 'refuses a selection of no collection before writing any record, so that retention never makes room for it' {
        $full = New-SiteBackup -Site $site -Store $store
        $noTables = Join-Path $TestDrive 'no-tables.db'
        Invoke-Sqlite $noTables 'PRAGMA user_version = 7' | Out-Null
        $zeroBytes = Join-Path $TestDrive 'zero-bytes.db'
        New-Item -ItemType File $zeroBytes | Out-Null
        $before = Get-StoreState $store

        foreach ($attempt in 1..3) {
            { New-SiteBackup -Site $site -Store $store -Collection 'nope*' -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*' -ExpectedMessage "*'nope*'*"
        }
        { New-SiteBackup -Site $site -Store $store -ExcludeCollection '*' -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*'
        { New-SiteBackup -Site $noTables -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*' -ExpectedMessage '*has no collections*'
        { New-SiteBackup -Site $zeroBytes -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*'

        Get-StoreState $store | Should -Be $before
        (Get-SiteBackup -Store $store -Status Pending, Ready, Failed, Canceled, Deleted).Id | Should -Be $full.Id
        $full | Test-SiteBackup -Quiet | Should -BeTrue
    }

    It 'names the one pattern of several that matches nothing, and backs up none of them' {
        { New-SiteBackup -Site $site -Store $store -Collection people, 'ordrs', 'emp*' -ErrorAction Stop } |
            Should -Throw -ErrorId 'CollectionNotFound,*' -ExpectedMessage "*'ordrs'*"
        { New-SiteBackup -Site $site -Store $store -Collection people, 'x?z' -ErrorAction Stop } |
            Should -Throw -ErrorId 'CollectionNotFound,*' -ExpectedMessage "*'x?z'*"
        $store | Should -Not -Exist
    }

    It 'writes no record for a backup refused before it read anything: a bad argument, a missing site, a site that cannot be opened' {
        $notADatabase = Join-Path $TestDrive 'notes.db'
        Set-Content $notADatabase ('These are words, not the pages of a database, and there are enough of them to be read. ' * 3)
        New-SiteBackup -Site (Join-Path $TestDrive 'missing.db') -Store $store -ErrorAction SilentlyContinue -ErrorVariable +err
        New-SiteBackup -Site $notADatabase -Store $store -ErrorAction SilentlyContinue -ErrorVariable +err
        New-SiteBackup -Site 'ftp://example.invalid/db' -Store $store -ErrorAction SilentlyContinue -ErrorVariable +err
        New-SiteBackup -Site $site -Store $store -Collection nope -ErrorAction SilentlyContinue -ErrorVariable +err
        ($err.FullyQualifiedErrorId -replace ',.*') | Should -Be @('SiteNotFound', 'InvalidArgument', 'InvalidArgument', 'CollectionNotFound')
        $store | Should -Not -Exist
    }

    It 'takes -Site from a file (FullName, PSPath) and from a CSV row''s Path, from the pipeline' {
        (Get-Item $site | New-SiteBackup -Store $store).SiteId | Should -Be $site
        $csv = Join-Path $TestDrive 'sites.csv'
        [pscustomobject]@{ Path = $site } | Export-Csv $csv
        (Import-Csv $csv | New-SiteBackup -Store $store).SiteId | Should -Be $site
        ([pscustomobject]@{ PSPath = (Get-Item $site).PSPath } | New-SiteBackup -Store $store).SiteId | Should -Be $site

        (Get-Item $site | Get-SiteBackup -Store $store).Count | Should -Be 3
        (Import-Csv $csv | Get-SiteBackup -Store $store -Last 1).SiteId | Should -Be $site
    }

    It 'checks with -WhatIf what a real run checks, and names the collections it would take' {
        $module = Get-TestModulePath
        $said = Invoke-ChildPwsh "Import-Module '$module'; New-SiteBackup -Site '$site' -Store '$store' -Collection 'pe*', orders -WhatIf"
        ($said -join ' ') | Should -Match 'What if: .*2 collection\(s\) \(orders, people\)'
        { New-SiteBackup -Site $site -Store $store -Collection 'nope*' -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'CollectionNotFound,*'
        { New-SiteBackup -Site (Join-Path $TestDrive 'missing.db') -Store $store -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'SiteNotFound,*'
        $store | Should -Not -Exist
    }

    It 'says SiteCorrupt, with the file, for a SQLite file whose pages do not read back' {
        $damaged = New-LargeSite
        Set-SiteDamage $damaged

        New-SiteBackup -Site $damaged -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SiteCorrupt,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].Exception.Message | Should -BeLike "*$damaged*"
        $err[0].TargetObject | Should -Be $damaged
        # It had started (the file opened), so it is recorded Failed, with the cause.
        (Get-SiteBackup -Store $store -Status Failed).Error | Should -BeLike '*damaged*'
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

Describe 'Collection names and patterns' {
    BeforeEach {
        $site = Join-Path $TestDrive "names-$([guid]::NewGuid().ToString('N').Substring(0, 8)).db"
        Invoke-Sqlite $site 'CREATE TABLE "ä" (x); CREATE TABLE "Ä" (x); CREATE TABLE "back\slash" (x); CREATE TABLE "*" (x); CREATE TABLE kv (x);
            INSERT INTO "ä" VALUES (1); INSERT INTO "Ä" VALUES (2); INSERT INTO "back\slash" VALUES (3); INSERT INTO "*" VALUES (4); INSERT INTO kv VALUES (5);' | Out-Null
        $store = New-TestStore
    }

    It 'backs up and restores two tables whose names differ only in non-ASCII case, one or both' {
        $backup = New-SiteBackup -Site $site -Store $store
        Invoke-Sqlite $site 'DELETE FROM "ä"; DELETE FROM "Ä"' | Out-Null
        ($backup | Restore-SiteBackup -Force).Status | Should -Be 'Completed'
        Invoke-Sqlite $site 'SELECT x FROM "ä" UNION ALL SELECT x FROM "Ä"' | Should -Be @(1, 2)

        (New-SiteBackup -Site $site -Store $store -Collection 'ä').Collections.Id | Should -Be 'ä'
        ($backup | Restore-SiteBackup -Collection 'Ä' -Force).Collections.Destination | Should -Be 'Ä'
    }

    It 'takes a backslash as itself and a backtick as the escape of * and ?, and completes names escaped' {
        (New-SiteBackup -Site $site -Store $store -Collection 'back\slash').Collections.Id | Should -Be 'back\slash'
        (New-SiteBackup -Site $site -Store $store -Collection '`*').Collections.Id | Should -Be '*'
        (New-SiteBackup -Site $site -Store $store -ExcludeCollection 'back\slash', '`*', '?', 'Ä').Collections.Id | Should -Be 'kv'
        $found = (TabExpansion2 -inputScript "New-SiteBackup -Site '$site' -Collection " -cursorColumn ("New-SiteBackup -Site '$site' -Collection ".Length)).CompletionMatches
        $found.CompletionText | Should -Contain "'``*'"
        $found.CompletionText | Should -Not -Contain '*'
    }

    It 'finds a -Destination as the site names it (SQLite ignores ASCII case) and says so when three would go into one' {
        $backup = New-SiteBackup -Site $site -Store $store
        ($backup | Restore-SiteBackup -Collection 'ä' -Destination @{ 'ä' = 'KV' } -Force).Collections.Destination | Should -Be 'kv'
        { $backup | Restore-SiteBackup -Collection 'ä', 'back\slash', '`*' -Destination @{ 'ä' = 'kv'; 'back\slash' = 'KV'; '*' = 'Kv' } -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,*' -ExpectedMessage "*would all be restored into*"
    }
}

Describe 'Site and store paths' {
    It 'follows a file that is a symbolic link: a backup through it is a backup of the file it points to' -Skip:$IsWindows {
        $real = New-TestSite
        $link = Join-Path $TestDrive 'current.db'
        New-Item -ItemType SymbolicLink -Path $link -Target $real | Out-Null
        $store = New-TestStore
        $throughLink = New-SiteBackup -Site $link -Store $store
        $throughLink.SiteId | Should -Be $real
        (Get-SiteBackup -Store $store -Site $link).Id | Should -Be $throughLink.Id
        (Get-SiteBackup -Store $store -Site $real).Id | Should -Be $throughLink.Id
    }

    It 'resolves a site on a PowerShell drive with a long name' {
        $site = New-TestSite
        New-PSDrive -Name SiteData -PSProvider FileSystem -Root (Split-Path $site) | Out-Null
        try { (New-SiteBackup -Site "SiteData:/$(Split-Path -Leaf $site)" -Store (New-TestStore)).SiteId | Should -Be $site }
        finally { Remove-PSDrive SiteData }
        { New-SiteBackup -Site 'sqlite:nodrive:/x.db' -Store (New-TestStore) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
    }

    It 'refuses an empty or blank -Store rather than quietly using the default store' {
        $site = New-TestSite
        foreach ($blank in '', ' ') {
            { New-SiteBackup -Site $site -Store $blank -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
            { Get-SiteBackup -Store $blank -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    It 'says InvalidArgument for a store path below a file' {
        $file = Join-Path $TestDrive 'a-file'
        Set-Content $file 'x'
        { New-SiteBackup -Site (New-TestSite) -Store (Join-Path $file 'store') -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*' -ExpectedMessage '*is a file*'
        { Get-SiteBackup -Store (Join-Path $file 'store') -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
    }

    It 'names with -WhatIf the backups retention would then remove' {
        $site = New-TestSite
        $store = New-TestStore
        Set-SiteBackupRetention -Store $store -MaxOnDemandBackups 1
        $old = New-SiteBackup -Site $site -Store $store
        $said = Invoke-ChildPwsh "Import-Module '$(Get-TestModulePath)'; New-SiteBackup -Site '$site' -Store '$store' -WhatIf"
        ($said -join ' ') | Should -Match "retention would then remove the OnDemand backup $($old.Id)"
        (Get-SiteBackup -Store $store).Id | Should -Be $old.Id
    }
}
