BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-TestModulePath
    $tools = $env:SITEBACKUP_TEST_TOOLS
    if (-not $tools) { $tools = Join-Path $PSScriptRoot '../../out/tools' }
}

Describe 'Dependency isolation' {
    It 'works in a pwsh where another module already loaded older Microsoft.Data.Sqlite and SQLitePCLRaw assemblies' {
        $oldSqlite = Get-ChildItem (Join-Path $tools 'microsoft.data.sqlite.core') -Recurse -Filter Microsoft.Data.Sqlite.dll | Where-Object FullName -Match 'net6\.0' | Select-Object -First 1
        $oldPcl = Get-ChildItem (Join-Path $tools 'sqlitepclraw.core') -Recurse -Filter SQLitePCLRaw.core.dll | Select-Object -First 1
        $oldSqlite | Should -Not -BeNullOrEmpty
        $oldPcl | Should -Not -BeNullOrEmpty
        $site = New-TestSite
        $store = New-TestStore

        $output = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$($oldPcl.FullName)'
Add-Type -Path '$($oldSqlite.FullName)'
'loaded first: ' + [Microsoft.Data.Sqlite.SqliteConnection].Assembly.GetName().Version
Import-Module '$modulePath'
`$backup = New-SiteBackup -Site '$site' -Store '$store'
'backup: ' + `$backup.Status
'restore: ' + (`$backup | Restore-SiteBackup -Force).Status
'still loaded: ' + [Microsoft.Data.Sqlite.SqliteConnection].Assembly.GetName().Version
"@
        $LASTEXITCODE | Should -Be 0
        $output | Should -Contain 'loaded first: 6.0.0.0'
        $output | Should -Contain 'backup: Ready'
        $output | Should -Contain 'restore: Completed'
        $output | Should -Contain 'still loaded: 6.0.0.0'
    }
}
