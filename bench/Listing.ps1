<#
.SYNOPSIS
    Measures Get-SiteBackup on a store of many records (10,000 by default), in a folder and in Azure Blob Storage
    (Azurite), each in a new process as a runbook runs it; beside it, what a script without SiteBackup does to read the
    same folder (Get-ChildItem | ConvertFrom-Json), and pwsh importing the module and listing an empty store.
.DESCRIPTION
    The records are copies of one real backup's record under new ids. The Azure store is listed cold (no listing cache:
    every record downloaded, as every listing did before the cache; the listing then writes the cache) and warm (the
    cache current: one listing of the folder and one download of the cache).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Listing.ps1             # from the repository root, after build.ps1 -Task Build
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/SiteBackup/SiteBackup.psd1'),
    [string] $ToolsPath = (Join-Path $PSScriptRoot '../out/tools'),
    [int] $Records = 10000,
    [int] $Runs = 3
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../build/Pwsh.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'PwshRuns.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../build/TestAzurite.psm1') -Force
$pwsh = Get-PwshCommand
$ModulePath = (Resolve-Path $ModulePath).Path
$lib = Join-Path (Split-Path $ModulePath) 'lib'
$folder = Join-Path ([IO.Path]::GetTempPath()) "sitebackup-listing-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory $folder | Out-Null
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'

function Measure-Run([string] $command, [scriptblock] $before = {}) {
    # The median of $Runs whole processes running $command, which must print the number of records.
    Measure-PwshRun -Command $command -Runs $Runs -Before $before -Check {
        param($output)
        if ([int]($output | Select-Object -Last 1) -ne $Records) { throw "listed $output records, not $Records`: $command" }
    }
}

$azurite = $null
try {
    $site = Join-Path $folder 'site.db'
    $store = Join-Path $folder 'store'
    & sqlite3 $site "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people (name) VALUES ('Ada'), ('Brian');"
    $prefix = $pwsh.Prefix
    & $pwsh.Path @prefix -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; New-SiteBackup -Site '$site' -Store '$store' | Out-Null"
    $record = Get-ChildItem (Join-Path $store 'backups') -Filter *.json | Select-Object -First 1
    $template = Get-Content -Raw $record.FullName
    $original = $record.BaseName
    Remove-Item $record.FullName
    Remove-Item -Recurse (Join-Path $store 'archives')
    $ids = 1..$Records | ForEach-Object { [guid]::NewGuid().ToString() }
    foreach ($id in $ids) {
        [IO.File]::WriteAllText((Join-Path $store "backups/$id.json"), $template.Replace($original, $id))
    }

    $azurite = Start-TestAzurite -ToolsPath $ToolsPath
    $env:AZURE_STORAGE_CONNECTION_STRING = $azurite.ConnectionString
    Add-Type -Path (Join-Path $lib 'Azure.Core.dll'), (Join-Path $lib 'Azure.Storage.Common.dll'), (Join-Path $lib 'Azure.Storage.Blobs.dll')
    $container = [Azure.Storage.Blobs.BlobContainerClient]::new($azurite.ConnectionString, 'listing')
    $container.CreateIfNotExists() | Out-Null
    $connection = $azurite.ConnectionString
    Get-ChildItem (Join-Path $store 'backups') -Filter *.json | ForEach-Object -ThrottleLimit 16 -Parallel {
        $blobs = [Azure.Storage.Blobs.BlobContainerClient]::new($using:connection, 'listing')
        $blobs.GetBlobClient("shop/backups/$($_.Name)").Upload($_.FullName, $true) | Out-Null
    }
    $cache = $container.GetBlobClient('shop/cache/backups.json')

    $empty = Join-Path $folder 'empty'
    New-Item -ItemType Directory $empty | Out-Null
    $results = [ordered]@{
        'pwsh: Import-Module; Get-SiteBackup of an empty store' = Measure-Run "Import-Module '$ModulePath'; Get-SiteBackup -Store '$empty' | Out-Null; $Records"
        'script: Get-ChildItem | ConvertFrom-Json (folder)' = Measure-Run "(Get-ChildItem '$store/backups' -Filter *.json | ForEach-Object { Get-Content -Raw `$_.FullName | ConvertFrom-Json }).Count"
        'Get-SiteBackup, folder store' = Measure-Run "Import-Module '$ModulePath'; (Get-SiteBackup -Store '$store').Count"
        'Get-SiteBackup, Azure (Azurite), cold: no cache' = Measure-Run "Import-Module '$ModulePath'; (Get-SiteBackup -Store azblob://listing/shop).Count" { $cache.DeleteIfExists() | Out-Null }
        'Get-SiteBackup, Azure (Azurite), warm: cache current' = Measure-Run "Import-Module '$ModulePath'; (Get-SiteBackup -Store azblob://listing/shop).Count"
    }
    $folderSeconds = $results['Get-SiteBackup, folder store']
    foreach ($measure in $results.Keys) {
        [pscustomobject]@{ Measure = $measure; Records = $Records; Seconds = [math]::Round($results[$measure], 2); VsFolderStore = [math]::Round($results[$measure] / $folderSeconds, 2) }
    }
}
finally {
    if ($azurite) { Stop-TestAzurite $azurite }
    Remove-Item -Recurse -Force $folder -ErrorAction SilentlyContinue
}
