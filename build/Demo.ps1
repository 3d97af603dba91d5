<#
.SYNOPSIS
    The demo: back up a sample shop site, list the backups, damage the site, restore it, prove it is back.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Generator,
    [Parameter(Mandatory)] [string] $Folder
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

$site = Join-Path $Folder 'shop.db'
$store = Join-Path $Folder 'store'
function Site { param([string[]] $Arguments) & dotnet $Generator @Arguments; if ($LASTEXITCODE) { throw "SiteGenerator $Arguments failed" } }
function Fingerprint { Site 'fingerprint', $site | ForEach-Object { $t, $rows, $hash = $_ -split '\|'; [pscustomobject]@{ Table = $t; Rows = [int]$rows; Content = $hash.Substring(0, 16) } } }
function Step([string] $text) { Write-Host "`n== $text" -ForegroundColor Cyan }
function Show { $input | Out-String -Width 200 | Write-Host }

Step "A sample SQLite site: $site"
Site 'generate', $site, '--items', '4000' | Out-Null
$before = Fingerprint
$before | Format-Table | Show

Step "New-SiteBackup -Site $site -Store $store"
$backup = New-SiteBackup -Site $site -Store $store
$backup | Format-List Id, SiteId, Type, Status, RequestedDate, FinishedDate, SizeInBytes | Show
$backup.Collections | Format-Table | Show

Step 'Two more backups, then a fourth: retention keeps three on-demand backups'
1..3 | ForEach-Object {
    New-SiteBackup -Site $site -Store $store -Verbose 4>&1 |
        Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Retention*' } |
        ForEach-Object { Write-Host "VERBOSE: $($_.Message)" }
}
Step "Get-SiteBackup -Store $store"
Get-SiteBackup -Store $store | Format-Table | Show
Step "Get-SiteBackup -Store $store -Status Deleted"
Get-SiteBackup -Store $store -Status Deleted | Format-Table | Show

Step 'The site changes: orders deleted, every customer renamed, a product added'
Site 'sql', $site, "DELETE FROM orders; UPDATE customers SET name = 'oops'; INSERT INTO products (sku, title, price) VALUES ('SKU-NEW', 'new', 1.0);" | Out-Null
$changed = Fingerprint
$changed | Format-Table | Show

Step 'Get-SiteBackup -Store ... -Last 1 | Restore-SiteBackup -Force'
$restoration = Get-SiteBackup -Store $store -Last 1 | Restore-SiteBackup -Force
$restoration | Format-Table | Show

Step 'The content is back'
$after = Fingerprint
$after | Format-Table | Show
$same = ($before | ConvertTo-Json) -eq ($after | ConvertTo-Json)
$differed = ($before | ConvertTo-Json) -ne ($changed | ConvertTo-Json)
Write-Host "site changed before the restore: $differed; content after the restore identical to the backup: $same" -ForegroundColor $(if ($same -and $differed) { 'Green' } else { 'Red' })
if (-not ($same -and $differed)) { exit 1 }
