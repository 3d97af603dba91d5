BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)

    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
    }

    $site = New-TestSite
    $other = New-TestSite
    $store = New-TestStore
    $first = New-SiteBackup -Site $site -Store $store -Collection people, orders
    $second = New-SiteBackup -Site $site -Store $store
    $third = New-SiteBackup -Site $other -Store $store
}

Describe 'Tab completion' {
    It 'completes -Id with the backups of the store, newest first, with a tooltip saying what each is' {
        $found = Complete "Get-SiteBackup -Store '$store' -Id "
        $found.CompletionText | Should -Be @($third.Id, $second.Id, $first.Id)
        $found[0].ToolTip | Should -Match "OnDemand Ready .* $([regex]::Escape($other))"
    }

    It 'narrows -Id to the -Site filter of Get-SiteBackup and to what is typed' {
        (Complete "Get-SiteBackup -Store '$store' -Site '$site' -Id ").CompletionText | Should -Be @($second.Id, $first.Id)
        (Complete "Restore-SiteBackup -Store '$store' -Site '$site' -Id ").CompletionText | Should -Be @($third.Id, $second.Id, $first.Id)
        (Complete "Restore-SiteBackup -Store '$store' -Id $($first.Id.Substring(0, 30))").CompletionText | Should -Contain $first.Id
    }

    It 'completes -Collection of New-SiteBackup from the site' {
        (Complete "New-SiteBackup -Site '$site' -Store '$store' -Collection ").CompletionText | Should -Be @('empty', 'orders', 'people')
        (Complete "New-SiteBackup -Site '$site' -ExcludeCollection pe").CompletionText | Should -Be 'people'
    }

    It 'completes -Collection of Restore-SiteBackup from the backup named by -Id' {
        (Complete "Restore-SiteBackup -Id $($first.Id) -Store '$store' -Collection ").CompletionText | Should -Be @('orders', 'people')
    }

    It 'completes -Site with the sites that have backups in the store' {
        (Complete "Get-SiteBackup -Store '$store' -Site ").CompletionText | Should -Be (@($site, $other) | Sort-Object -CaseSensitive | ForEach-Object { if ($_ -match '\s') { "'$_'" } else { $_ } })
    }

    It 'offers Ready backups first, newest first, then the others, with tooltips in UTC' {
        $failedStore = New-TestStore
        $ready = New-SiteBackup -Site $site -Store $failedStore
        $damaged = New-LargeSite
        Set-SiteDamage $damaged
        New-SiteBackup -Site $damaged -Store $failedStore -ErrorAction SilentlyContinue
        $failed = Get-SiteBackup -Store $failedStore -Status Failed
        $failed.RequestedDate | Should -BeGreaterThan $ready.RequestedDate

        $found = Complete "Restore-SiteBackup -Store '$failedStore' -Id "
        $found.CompletionText | Should -Be @($ready.Id, $failed.Id)
        $found[0].ToolTip | Should -Match ("OnDemand Ready " + [regex]::Escape($ready.RequestedDate.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss')) + 'Z ')
    }

    It 'never holds the prompt: a site that does not answer gives no completions within the time limit' {
        # A server that accepts the connection and never says a word, as a hung database or a black-holed port does.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $line = "New-SiteBackup -Site 'Host=127.0.0.1;Port=$port;Database=shop;Timeout=60' -Collection "
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)'").Invoke()
            $ps.Commands.Clear()
            $null = $ps.AddScript("(TabExpansion2 -inputScript `$args[0] -cursorColumn `$args[0].Length).CompletionMatches").AddArgument($line)
            $handle = $ps.BeginInvoke()
            # Far under the 60 s the connection would wait: the completer gives up after about two seconds.
            $handle.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(6)) | Should -BeTrue
            $ps.EndInvoke($handle) | Where-Object ResultType -EQ 'ParameterValue' | Should -BeNullOrEmpty
            $ps.Dispose()
        }
        finally { $listener.Stop() }
    }

    It 'opens the site with the -Credential of the command line' {
        $server = [uri]$env:SITEBACKUP_TEST_PG
        $credential = [pscredential]::new($server.UserInfo, (ConvertTo-SecureString $env:SITEBACKUP_TEST_PG_PASSWORD -AsPlainText -Force))
        $pgSite = "postgresql://$($server.Host):$($server.Port)/postgres?schema=pg_catalog"
        $withCredential = Complete "New-SiteBackup -Site '$pgSite' -Credential `$credential -Collection pg_clas"
        $withCredential.CompletionText | Should -Contain 'pg_class'
        Complete "New-SiteBackup -Site '$pgSite' -Collection pg_clas" | Where-Object CompletionText -EQ 'pg_class' | Should -BeNullOrEmpty
    }

    It 'falls back to path completion when no site in the store matches' {
        Push-Location $TestDrive
        try {
            $leaf = Split-Path -Leaf $site
            (Complete "New-SiteBackup -Store '$store' -Site ./$($leaf.Substring(0, 8))").CompletionText | Should -Contain "./$leaf"
        }
        finally { Pop-Location }
    }
}
