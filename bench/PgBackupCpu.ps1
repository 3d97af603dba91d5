<#
.SYNOPSIS
    Where a PostgreSQL backup's CPU goes: New-SiteBackup of the shop in a throwaway server, each run a whole process,
    with its wall time, the CPU time of SiteBackup's process (GNU time) and of the whole machine (/proc/stat), so
    that what is left is the server's. Given several builds of the module, their runs alternate.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/PgBackupCpu.ps1 -Items 1000000 -Rounds 6        # after build.ps1 -Task Build
.EXAMPLE
    dotnet pwsh -NoProfile -Command "& ./bench/PgBackupCpu.ps1 -Module /tmp/before/SiteBackup.psd1,./out/SiteBackup/SiteBackup.psd1"
#>
param(
    [int] $Items = 1000000,
    [int] $Rounds = 6,
    [string[]] $Module = @((Join-Path $PSScriptRoot '../out/SiteBackup/SiteBackup.psd1'))
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
if (-not $IsLinux) { throw 'The machine CPU comes from /proc/stat: Linux only.' }
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'
$root = Split-Path $PSScriptRoot
$Module = @($Module | ForEach-Object { (Resolve-Path $_).Path })
$work = Join-Path $root 'out/bench'
New-Item -ItemType Directory -Force $work | Out-Null
Import-Module (Join-Path $root 'build/Pwsh.psm1') -Force
Import-Module (Join-Path $root 'build/TestPostgres.psm1') -Force
$pwsh = Get-PwshCommand
$prefix = $pwsh.Prefix

# user + nice + system + irq + softirq of every core, in seconds.
function Get-MachineCpu {
    $fields = (Get-Content /proc/stat -TotalCount 1) -split '\s+'
    ([long]$fields[1] + [long]$fields[2] + [long]$fields[3] + [long]$fields[6] + [long]$fields[7]) / 100.0
}

$server = Start-TestPostgres
try {
    $env:PGPASSWORD = $server.Password
    $database = "shop$Items"
    $site = "postgresql://$($server.User)@$($server.Host):$($server.Port)/$database"
    & psql -X -q -h $server.Host -p $server.Port -U $server.User -d postgres -c "CREATE DATABASE $database" | Out-Null
    & psql -X -q -h $server.Host -p $server.Port -U $server.User -d $database -f (Join-Path $PSScriptRoot 'pg-shop.sql') | Out-Null
    $shop = Join-Path $work "shop-$Items.db"
    if (-not (Test-Path $shop)) {
        & dotnet (Join-Path $root 'bench/SiteGenerator/bin/Release/net10.0/SiteGenerator.dll') generate $shop --items $Items --shape shop | Out-Null
    }
    $seed = Join-Path $work "cpu-seed-$Items"
    Remove-Item -Recurse -Force $seed -ErrorAction SilentlyContinue
    & $pwsh.Path @prefix -NoProfile -NonInteractive -Command "Import-Module '$($Module[-1])'; New-SiteBackup -Site '$shop' -Store '$seed' | Restore-SiteBackup -Site '$site' -Force | Out-Null"
    if ($LASTEXITCODE -ne 0) { throw "could not load $Items items into PostgreSQL" }

    $store = Join-Path $work "cpu-store-$Items"
    $timeFile = Join-Path $work 'cpu-time.txt'
    $runs = foreach ($round in 1..$Rounds) {
        foreach ($build in $Module) {
            Remove-Item -Recurse -Force $store -ErrorAction SilentlyContinue
            $machine = Get-MachineCpu
            $clock = [Diagnostics.Stopwatch]::StartNew()
            & /usr/bin/time -f '%U %S' -o $timeFile $pwsh.Path @prefix -NoProfile -NonInteractive -Command "Import-Module '$build'; New-SiteBackup -Site '$site' -Store '$store' | Out-Null"
            if ($LASTEXITCODE -ne 0) { throw "the backup failed with $build" }
            $wall = $clock.Elapsed.TotalSeconds
            $machine = (Get-MachineCpu) - $machine
            $client = ((Get-Content $timeFile) -split ' ' | ForEach-Object { [double]$_ } | Measure-Object -Sum).Sum
            [pscustomobject]@{ Build = $build; WallS = [math]::Round($wall, 2); ClientCpuS = $client; MachineCpuS = [math]::Round($machine, 2); ServerAndRestS = [math]::Round($machine - $client, 2) }
        }
    }
    $runs | Format-Table -AutoSize | Out-String | Write-Host
    foreach ($group in $runs | Group-Object Build) {
        $median = { param($values) ($values | Sort-Object)[[int][math]::Floor(@($values).Count / 2)] }
        Write-Host ("{0}: median wall {1} s, client CPU {2} s, machine CPU {3} s" -f $group.Name,
            (& $median $group.Group.WallS), (& $median $group.Group.ClientCpuS), (& $median $group.Group.MachineCpuS))
    }
}
finally {
    Stop-TestPostgres $server
}
