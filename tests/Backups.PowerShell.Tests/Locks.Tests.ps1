BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'Locks held by other processes' {
    BeforeEach {
        $site = New-TestSite
        $store = New-TestStore
        New-SiteBackup -Site $site -Store $store | Out-Null
        $ready = Join-Path $TestDrive "ready-$([guid]::NewGuid().ToString('N'))"
        $env:SITEBACKUP_LOCK_TIMEOUT = '1'
    }

    AfterEach {
        Remove-Item Env:SITEBACKUP_LOCK_TIMEOUT
        if ($holder -and -not $holder.HasExited) { $holder.Kill() }
    }

    It 'says StoreLocked when another process holds the store lock past the wait, and works once it is gone' {
        $holder = Start-ChildPwsh "`$f = [IO.File]::Open('$store/store.lock', 'OpenOrCreate', 'ReadWrite', 'None'); New-Item '$ready' | Out-Null; Start-Sleep 60"
        Wait-Until { Test-Path $ready } | Should -BeTrue

        New-SiteBackup -Site $site -Store $store -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'StoreLocked,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        (Get-SiteBackup -Store $store).Count | Should -Be 1 -Because 'listing needs no lock'

        $holder.Kill(); $holder.WaitForExit()
        (New-SiteBackup -Site $site -Store $store).Status | Should -Be 'Ready'
    }

    It 'says SiteUnreachable when another process keeps the SQLite file locked past the wait' -Skip:($IsWindows) {
        # The sqlite3 shell takes an exclusive lock and keeps its transaction open while it waits for more input.
        $script = Join-Path $TestDrive 'hold-lock.sh'
        Set-Content $script "(echo 'BEGIN EXCLUSIVE; DELETE FROM orders;'; touch '$ready'; sleep 60) | sqlite3 '$site'"
        $holder = Start-Process bash -ArgumentList $script -PassThru
        Wait-Until { Test-Path $ready } | Should -BeTrue
        Start-Sleep -Milliseconds 300  # let sqlite3 take the lock after the marker appears

        Get-SiteBackup -Store $store | Restore-SiteBackup -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SiteUnreachable,*'
        $err[0].Exception.Message | Should -Match 'locked'
        # Refused before it touched the site (the checks before the question found it locked): nothing to record.
        Get-SiteBackupRestoration -Store $store | Should -BeNullOrEmpty
    }
}
