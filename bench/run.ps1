<#
.SYNOPSIS
    Benchmarks SiteBackup against the tools people would otherwise use, on the same data in the same run.
.DESCRIPTION
    For each size, makes a shop site with bench/SiteGenerator (ids, text of mixed length, numbers, dates, JSON,
    blobs, nulls; about half a kilobyte an item), then runs every contender -Rounds times and prints a markdown
    table: median wall time, items/s, MB/s of site data, peak RSS of the process (GNU time's maximum resident set,
    which for a shell pipeline is its largest member), output size, and SiteBackup's time as a ratio of each peer's.
    Every contender is a whole process, as a nightly job runs it: SiteBackup's times include starting pwsh and
    importing the module.

    SQLite contenders:
      backup   New-SiteBackup | sqlite3 .dump | gzip | sqlite3 -json (every table) | gzip
      restore  Restore-SiteBackup | the gzipped .dump loaded into a new file by sqlite3
    PostgreSQL contenders (with -PostgreSql; a throwaway server on 127.0.0.1, the same data restored into it from
    the SQLite site by SiteBackup itself):
      backup   New-SiteBackup | pg_dump -Fc | pg_dump -Fd -j 2
      restore  Restore-SiteBackup | pg_restore --clean --single-transaction | pg_restore --clean -j 2
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/run.ps1 -PostgreSql    # SQLite and PostgreSQL
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/run.ps1 -Items 200000 -Encryption   # what -EncryptionKey costs
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/run.ps1              # 100,000 and 1,000,000 items, 3 rounds
    dotnet pwsh -NoProfile -File bench/run.ps1 -Items 5000000 -Rounds 1
#>
param(
    [int[]] $Items = @(100000, 1000000),
    [int] $Rounds = 3,
    [string] $Configuration = 'Release',
    [switch] $PostgreSql,
    # The SQLite sites: the shop (four tables of mixed columns), and text-heavy notes (one table, a long free-text
    # note and a JSON string a row, about 330 bytes). PostgreSQL takes the shop.
    [ValidateSet('shop', 'notes')] [string[]] $Shape = @('shop', 'notes'),
    # Also the SQLite backup and restore with -EncryptionKey (a raw 256-bit key), beside the same without it.
    [switch] $Encryption
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'

$root = Split-Path $PSScriptRoot
$work = Join-Path $root 'out/bench'
$module = Join-Path $root 'out/SiteBackup/SiteBackup.psd1'
$generator = Join-Path $root "bench/SiteGenerator/bin/$Configuration/net10.0/SiteGenerator.dll"
if (-not (Test-Path $module) -or -not (Test-Path $generator)) {
    & (Join-Path $root 'build.ps1') -Task Build -Configuration $Configuration
}
foreach ($tool in 'sqlite3', 'gzip', '/usr/bin/time') {
    if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "The benchmark needs $tool." }
}
New-Item -ItemType Directory -Force $work | Out-Null
Import-Module (Join-Path $root 'build/Pwsh.psm1') -Force
$pwsh = Get-PwshCommand
$pwshPrefix = (@($pwsh.Path) + $pwsh.Prefix | ForEach-Object { "'$_'" }) -join ' '   # for bash

function Measure-Shell([string] $command) {
    # Runs $command in bash under GNU time; returns seconds and peak RSS in MB.
    $report = Join-Path $work 'time.txt'
    & /usr/bin/time -f '%e %M' -o $report bash -c $command
    if ($LASTEXITCODE -ne 0) { throw "failed: $command" }
    $seconds, $kb = (Get-Content $report | Select-Object -Last 1) -split ' '
    [pscustomobject]@{ Seconds = [double]$seconds; PeakMB = [double]$kb / 1024 }
}

function Invoke-Pwsh([string] $name, [string] $script) {
    # A script file of its own per step, run by a fresh pwsh.
    $file = Join-Path $work "$name.ps1"
    Set-Content $file "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$module'; $script"
    "$pwshPrefix -NoProfile -NonInteractive -File '$file' > /dev/null"
}

function New-BackupContender([string] $name, [string] $site, [string] $store) {
    # New-SiteBackup into a store emptied before each round; its output is the one archive's size.
    @{
        Before = { Remove-Item -Recurse -Force $store -ErrorAction SilentlyContinue }.GetNewClosure()
        Command = Invoke-Pwsh $name "New-SiteBackup -Site '$site' -Store '$store' | Out-Null"
        Output = { (Get-ChildItem (Join-Path $store 'archives') -Filter *.zip | Select-Object -First 1).Length }.GetNewClosure()
    }
}

$rows = [System.Collections.Generic.List[object]]::new()

function Measure-Contenders($contenders, [int] $n, [double] $siteMB, [string] $shape) {
    # Runs each contender -Rounds times (its Before step first each time) and keeps the median run.
    foreach ($name in $contenders.Keys) {
        $c = $contenders[$name]
        $runs = for ($round = 0; $round -lt $Rounds; $round++) {
            if ($c.Contains('Before')) { & $c.Before }
            Measure-Shell $c.Command
        }
        $median = ($runs | Sort-Object Seconds)[[int][Math]::Floor($Rounds / 2)]
        $rows.Add([pscustomobject]@{
            Items = $n; Shape = $shape; Contender = $name; Seconds = $median.Seconds
            ItemsPerSecond = [Math]::Round($n / [Math]::Max($median.Seconds, 0.001))
            SiteMBPerSecond = [Math]::Round($siteMB / [Math]::Max($median.Seconds, 0.001), 1)
            PeakMB = [Math]::Round(($runs | Measure-Object PeakMB -Maximum).Maximum, 1)
            OutputMB = [Math]::Round((& $c.Output) / 1MB, 1)
        })
    }
}
foreach ($kind in $Shape) { foreach ($n in $Items) {
    $site = Join-Path $work "$kind-$n.db"
    if (-not (Test-Path $site)) { & dotnet $generator generate $site --items $n --shape $kind | Out-Null }
    $siteMB = (Get-Item $site).Length / 1MB
    $tables = (& sqlite3 $site "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") -join ' '
    $store = Join-Path $work "store-$kind-$n"
    $restored = Join-Path $work "restored-$kind-$n.db"
    $json = ($tables -split ' ' | ForEach-Object { "SELECT * FROM $_;" }) -join ' '

    $contenders = [ordered]@{
        'backup: New-SiteBackup' = New-BackupContender "backup-$kind-$n" $site $store
        'backup: sqlite3 .dump | gzip' = @{
            Command = "sqlite3 '$site' .dump | gzip > '$work/dump-$kind-$n.sql.gz'"
            Output = { (Get-Item "$work/dump-$kind-$n.sql.gz").Length }
        }
        'backup: sqlite3 -json | gzip' = @{
            Command = "sqlite3 -json '$site' '$json' | gzip > '$work/json-$kind-$n.json.gz'"
            Output = { (Get-Item "$work/json-$kind-$n.json.gz").Length }
        }
        'restore: Restore-SiteBackup' = @{
            Command = Invoke-Pwsh "restore-$kind-$n" "Get-SiteBackup -Store '$store' -Last 1 | Restore-SiteBackup -Force | Out-Null"
            Output = { 0 }
        }
        'restore: gunzip | sqlite3 (new file)' = @{
            Before = { Remove-Item "$restored*" -ErrorAction SilentlyContinue }
            Command = "gunzip -c '$work/dump-$kind-$n.sql.gz' | sqlite3 '$restored'"
            Output = { 0 }
        }
    }

    if ($Encryption) {
        # The key reaches the benchmark's pwsh through the environment, as a runbook's secret would.
        $env:SITEBACKUP_BENCH_KEY = -join ((1..64) | ForEach-Object { '{0:x}' -f (Get-Random -Maximum 16) })
        $sealed = Join-Path $work "store-sealed-$kind-$n"
        $key = '(ConvertTo-SecureString $env:SITEBACKUP_BENCH_KEY -AsPlainText -Force)'
        $contenders['backup: New-SiteBackup -EncryptionKey'] = @{
            Before = { Remove-Item -Recurse -Force $sealed -ErrorAction SilentlyContinue }.GetNewClosure()
            Command = Invoke-Pwsh "backup-sealed-$kind-$n" "New-SiteBackup -Site '$site' -Store '$sealed' -EncryptionKey $key | Out-Null"
            Output = { (Get-ChildItem (Join-Path $sealed 'archives') -Filter *.zip | Select-Object -First 1).Length }.GetNewClosure()
        }
        $contenders['restore: Restore-SiteBackup -EncryptionKey'] = @{
            Command = Invoke-Pwsh "restore-sealed-$kind-$n" "Get-SiteBackup -Store '$sealed' -Last 1 | Restore-SiteBackup -EncryptionKey $key -Force | Out-Null"
            Output = { 0 }
        }
    }

    Measure-Contenders $contenders $n $siteMB $kind
} }

if ($PostgreSql) {
    Import-Module (Join-Path $root 'build/TestPostgres.psm1') -Force
    $server = Start-TestPostgres
    try {
        # A record's site id holds no user name, so restores from it take the user from PGUSER, as psql does.
        $env:PGPASSWORD = $server.Password
        $env:PGUSER = $server.User
        $pgArgs = "-h $($server.Host) -p $($server.Port) -U $($server.User)"
        foreach ($n in $Items) {
            $database = "shop$n"
            $site = "postgresql://$($server.User)@$($server.Host):$($server.Port)/$database"
            & psql -X -q -h $server.Host -p $server.Port -U $server.User -d postgres -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database" | Out-Null
            & psql -X -q -h $server.Host -p $server.Port -U $server.User -d $database -f (Join-Path $PSScriptRoot 'pg-shop.sql') | Out-Null
            # The same data as the SQLite shop, moved across by SiteBackup: a SQLite backup restored into PostgreSQL.
            $shop = Join-Path $work "shop-$n.db"
            if (-not (Test-Path $shop)) { & dotnet $generator generate $shop --items $n --shape shop | Out-Null }
            $seed = Join-Path $work "seed-$n"
            Remove-Item -Recurse -Force $seed -ErrorAction SilentlyContinue
            & bash -c (Invoke-Pwsh "seed-$n" "New-SiteBackup -Site '$shop' -Store '$seed' | Restore-SiteBackup -Site '$site' -Force | Out-Null")
            if ($LASTEXITCODE -ne 0) { throw "could not load $n items into PostgreSQL" }
            $store = Join-Path $work "pgstore-$n"
            $contenders = [ordered]@{
                'pg backup: New-SiteBackup' = New-BackupContender "pgbackup-$n" $site $store
                'pg backup: pg_dump -Fc' = @{
                    Command = "pg_dump $pgArgs -Fc -f '$work/pg-$n.dump' $database"
                    Output = { (Get-Item "$work/pg-$n.dump").Length }
                }
                'pg backup: pg_dump -Fd -j 2' = @{
                    Before = { Remove-Item -Recurse -Force "$work/pg-$n.dir" -ErrorAction SilentlyContinue }
                    Command = "pg_dump $pgArgs -Fd -j 2 -f '$work/pg-$n.dir' $database"
                    Output = { (Get-ChildItem "$work/pg-$n.dir" -File | Measure-Object Length -Sum).Sum }
                }
                'pg restore: Restore-SiteBackup' = @{
                    Command = Invoke-Pwsh "pgrestore-$n" "Get-SiteBackup -Store '$store' -Last 1 | Restore-SiteBackup -Force | Out-Null"
                    Output = { 0 }
                }
                'pg restore: pg_restore --single-transaction' = @{
                    Command = "pg_restore $pgArgs --clean --single-transaction -d $database '$work/pg-$n.dump'"
                    Output = { 0 }
                }
                'pg restore: pg_restore -j 2' = @{
                    Command = "pg_restore $pgArgs --clean -j 2 -d $database '$work/pg-$n.dir'"
                    Output = { 0 }
                }
            }
            Measure-Contenders $contenders $n -shape shop -siteMB ((& psql -X -At -h $server.Host -p $server.Port -U $server.User -d $database -c "SELECT pg_database_size('$database')") / 1MB)
        }
    }
    finally {
        Remove-Item Env:PGPASSWORD, Env:PGUSER -ErrorAction SilentlyContinue
        Stop-TestPostgres $server
    }
}

# Ratios: SiteBackup's time over each peer's of the same operation and size (below 1 means SiteBackup is faster).
foreach ($row in $rows) {
    $operation = ($row.Contender -split ':')[0]
    $ours = $rows | Where-Object { $_.Items -eq $row.Items -and $_.Shape -eq $row.Shape -and $_.Contender -like "${operation}: *-SiteBackup" } | Select-Object -First 1
    $row | Add-Member Ratio ([Math]::Round($ours.Seconds / [Math]::Max($row.Seconds, 0.001), 2))
}

"| items | shape | contender | wall s (median of $Rounds) | items/s | site MB/s | peak RSS MB | output MB | SiteBackup time ÷ this |"
'|---:|---|---|---:|---:|---:|---:|---:|---:|'
foreach ($row in $rows) {
    "| $($row.Items) | $($row.Shape) | $($row.Contender -replace '\|', '\|') | $($row.Seconds) | $($row.ItemsPerSecond) | $($row.SiteMBPerSecond) | $($row.PeakMB) | $($row.OutputMB) | $($row.Ratio) |"
}
$ours = @($rows | Where-Object { $_.Contender -eq 'backup: New-SiteBackup' -and $_.Shape -eq $Shape[0] })
if ($ours.Count -ge 2) {
    "`nPeak RSS of New-SiteBackup at $($ours[-1].Items) items ÷ at $($ours[0].Items) items: $([Math]::Round($ours[-1].PeakMB / $ours[0].PeakMB, 2))"
}
