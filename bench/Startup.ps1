<#
.SYNOPSIS
    Measures what SiteBackup adds to a process's start: pwsh alone, pwsh importing the module and listing an empty store,
    and the first backup of a small SQLite site in a new process; and lists the assemblies a SQLite backup loads.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Startup.ps1             # from the repository root, after build.ps1 -Task Build
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/SiteBackup/SiteBackup.psd1'),
    [int] $Runs = 7
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../build/Pwsh.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'PwshRuns.psm1') -Force
$pwsh = Get-PwshCommand
$ModulePath = (Resolve-Path $ModulePath).Path
$folder = Join-Path ([IO.Path]::GetTempPath()) "sitebackup-startup-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory $folder | Out-Null
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'

function Measure-Start([string] $command, [scriptblock] $before = {}) { Measure-PwshRun -Command $command -Runs $Runs -Before $before }

try {
    $store = Join-Path $folder 'store'
    $site = Join-Path $folder 'site.db'
    $exit = Measure-Start 'exit'
    # The default store (an empty folder here) lists nothing, as a runbook's first call does.
    $env:SITEBACKUP_STORE = Join-Path $folder 'default'
    $list = Measure-Start "Import-Module '$ModulePath'; Get-SiteBackup"
    $backup = Measure-Start "Import-Module '$ModulePath'; New-SiteBackup -Site '$site' -Store '$store' | Out-Null" {
        Remove-Item -Recurse -Force $store, $site -ErrorAction SilentlyContinue
        & sqlite3 $site "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people (name) VALUES ('Ada'), ('Brian'), ('Chloé');"
    }
    $prefix = $pwsh.Prefix
    $loaded = & $pwsh.Path @prefix -NoProfile -NonInteractive -Command @"
Import-Module '$ModulePath'
New-SiteBackup -Site '$site' -Store '$store' -Type OnDemand | Out-Null
[System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { `$_.Assemblies | Where-Object Location -like '*SiteBackup*lib*' } |
    ForEach-Object { `$_.Assemblies } | Where-Object Location -like '*lib*' | ForEach-Object { `$_.GetName().Name } | Sort-Object
"@
    [pscustomobject]@{ Measure = 'pwsh -c exit'; Seconds = [math]::Round($exit, 3); OverExit = 0 }
    [pscustomobject]@{ Measure = 'Import-Module SiteBackup; Get-SiteBackup'; Seconds = [math]::Round($list, 3); OverExit = [math]::Round($list - $exit, 3) }
    [pscustomobject]@{ Measure = 'first New-SiteBackup of a 3-row SQLite site'; Seconds = [math]::Round($backup, 3); OverExit = [math]::Round($backup - $exit, 3) }
    Write-Host "Assemblies of the module's lib/ a SQLite backup loads: $($loaded -join ', ')"
}
finally {
    Remove-Item -Recurse -Force $folder -ErrorAction SilentlyContinue
}
