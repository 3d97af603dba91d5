# What a runbook pays on every start: a SQLite backup loads only what it uses (not Npgsql, not the Azure SDK).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Get-TestModulePath
}

Describe 'Starting SiteBackup' {
    It 'backs up and lists a SQLite site in a new process without loading PostgreSQL''s or Azure''s assemblies' {
        $site = New-TestSite
        $store = Join-Path $TestDrive 'store'
        $loaded = Invoke-ChildPwsh @"
Import-Module '$module'
New-SiteBackup -Site '$site' -Store '$store' | Out-Null
Get-SiteBackup -Store '$store' | Out-Null
[System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object { `$_.Assemblies } | ForEach-Object { `$_.GetName().Name } | Sort-Object -Unique
"@
        $loaded | Should -Contain 'Backups.Engine'
        $loaded | Should -Contain 'Microsoft.Data.Sqlite'
        $loaded | Should -Not -Contain 'Npgsql'
        @($loaded | Where-Object { $_ -like 'Azure.*' }) | Should -BeNullOrEmpty
    }
}
