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

    It 'falls back to path completion when no site in the store matches' {
        Push-Location $TestDrive
        try {
            $leaf = Split-Path -Leaf $site
            (Complete "New-SiteBackup -Store '$store' -Site ./$($leaf.Substring(0, 8))").CompletionText | Should -Contain "./$leaf"
        }
        finally { Pop-Location }
    }
}
