# Shared set-up for the Pester suites: the module under test, and real SQLite sites made and inspected with the
# sqlite3 shell (the site's own tool, not SiteBackup).

Import-Module (Join-Path $PSScriptRoot '../../build/Pwsh.psm1') -Force
$script:Pwsh = Get-PwshCommand

$script:ModulePath = $env:SITEBACKUP_TEST_MODULE
if (-not $script:ModulePath) {
    $script:ModulePath = Join-Path $PSScriptRoot '../../out/SiteBackup/SiteBackup.psd1'
}

function Get-TestModulePath { (Resolve-Path $script:ModulePath).Path }

function Invoke-ChildPwsh {
    # Runs a command in a new pwsh process (the same pwsh as this one; as a dotnet tool it needs pwsh.dll). With
    # -Answer, the process is interactive and reads its answers to prompts, one a line, from its standard input.
    param([Parameter(Mandatory)] [string] $Command, [string[]] $Answer)
    $prefix = $script:Pwsh.Prefix
    # Progress off there: an interactive pwsh whose output is read here would draw its bars into that output.
    if ($PSBoundParameters.ContainsKey('Answer')) { $Answer | & $script:Pwsh.Path @prefix -NoProfile -Command "`$ProgressPreference = 'SilentlyContinue'; $Command" }
    else { & $script:Pwsh.Path @prefix -NoProfile -NonInteractive -Command $Command }
}

function Invoke-Sqlite {
    # Runs SQL (or a dot-command) with the sqlite3 shell and returns its output lines.
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Sql)
    $output = & sqlite3 $Path $Sql 2>&1
    if ($LASTEXITCODE -ne 0) { throw "sqlite3 failed: $output" }
    $output
}

function New-TestSite {
    # The sample site the xunit suites use too (tests/data/sample-site.sql): people (5 rows), orders (3, referencing
    # people), empty (0).
    param([string] $Path = (Join-Path $TestDrive "site-$([guid]::NewGuid().ToString('N').Substring(0, 8)).db"))
    Invoke-Sqlite $Path ".read '$((Resolve-Path (Join-Path $PSScriptRoot '../data/sample-site.sql')).Path)'" | Out-Null
    $Path
}

function New-LargeSite {
    # The site of one table of 20,000 rows the xunit suites use too (tests/data/large-site.sql), for Set-SiteDamage.
    param([string] $Path = (Join-Path $TestDrive "large-$([guid]::NewGuid().ToString('N').Substring(0, 8)).db"))
    Invoke-Sqlite $Path ".read '$((Resolve-Path (Join-Path $PSScriptRoot '../data/large-site.sql')).Path)'" | Out-Null
    $Path
}

function Set-SiteDamage {
    # Overwrites pages 31 to 33 of a site made by New-LargeSite (see tests/data/large-site.sql), as a failing disk or a
    # copy cut short leaves them: the file opens, and reading the table fails. A backup of it fails once it has started.
    param([Parameter(Mandatory)] [string] $Path)
    $stream = [IO.File]::OpenWrite($Path)
    try { $stream.Position = 4096 * 30; $stream.Write([byte[]](, 255 * 12288), 0, 12288) }
    finally { $stream.Dispose() }
}

function Get-SiteContent {
    # Every row of every table as the sqlite3 shell dumps it: equal text means equal content and types.
    param([Parameter(Mandatory)] [string] $Path)
    (Invoke-Sqlite $Path '.dump --data-only') -join "`n"
}

function New-TestStore {
    Join-Path $TestDrive "store-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
}

function New-GeneratedSite {
    # A shop of about $Items rows over four tables, made by bench/SiteGenerator (the demo's and benchmarks' data).
    param([Parameter(Mandatory)] [int] $Items, [string] $Path = (Join-Path $TestDrive "shop-$([guid]::NewGuid().ToString('N').Substring(0, 8)).db"))
    $generator = $env:SITEBACKUP_TEST_GENERATOR
    if (-not $generator) { $generator = Join-Path $PSScriptRoot '../../bench/SiteGenerator/bin/Release/net10.0/SiteGenerator.dll' }
    & dotnet $generator generate $Path --items $Items | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "SiteGenerator failed for $Path" }
    $Path
}

function Get-SiteFingerprint {
    # Table name → "rows|SHA-256 of every value with its storage class", from bench/SiteGenerator.
    param([Parameter(Mandatory)] [string] $Path)
    $generator = $env:SITEBACKUP_TEST_GENERATOR
    if (-not $generator) { $generator = Join-Path $PSScriptRoot '../../bench/SiteGenerator/bin/Release/net10.0/SiteGenerator.dll' }
    $tables = @{}
    & dotnet $generator fingerprint $Path | ForEach-Object { $name, $rows, $hash = $_ -split '\|'; $tables[$name] = "$rows|$hash" }
    if ($LASTEXITCODE -ne 0) { throw "SiteGenerator fingerprint failed for $Path" }
    $tables
}

function Get-StoreState {
    # Every file of a store with its SHA-256, or '(none)': equal text means the store was not touched.
    param([Parameter(Mandatory)] [string] $Path)
    if (-not (Test-Path $Path)) { return '(none)' }
    (Get-ChildItem $Path -Recurse -File | Sort-Object FullName | ForEach-Object {
        "$([IO.Path]::GetRelativePath($Path, $_.FullName)) $((Get-FileHash $_.FullName).Hash)"
    }) -join "`n"
}

function Set-ArchiveManifest {
    # Rewrites the manifest.json inside an archive through a script block that edits it as an object.
    param([Parameter(Mandatory)] [string] $Archive, [Parameter(Mandatory)] [scriptblock] $Edit)
    Add-Type -AssemblyName System.IO.Compression
    $zip = [System.IO.Compression.ZipFile]::Open($Archive, 'Update')
    try {
        $entry = $zip.GetEntry('manifest.json')
        $reader = [IO.StreamReader]::new($entry.Open())
        $manifest = $reader.ReadToEnd() | ConvertFrom-Json
        $reader.Dispose()
        & $Edit $manifest
        $entry.Delete()
        $writer = [IO.StreamWriter]::new($zip.CreateEntry('manifest.json').Open())
        $writer.Write(($manifest | ConvertTo-Json -Depth 10))
        $writer.Dispose()
    }
    finally { $zip.Dispose() }
}

function Start-ChildPwsh {
    # Starts a pwsh in the background running $Command; returns the process (the caller kills it).
    param([Parameter(Mandatory)] [string] $Command)
    # -EncodedCommand: Start-Process joins its arguments into one command line, which would mangle quotes and lines.
    # Progress off: with no console, pwsh would write progress records to stdout as CLIXML.
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$ProgressPreference = 'SilentlyContinue'`n$Command"))
    $arguments = @($script:Pwsh.Prefix) + @('-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', $encoded)
    Start-Process -FilePath $script:Pwsh.Path -ArgumentList $arguments -PassThru
}

function Wait-Until {
    # Polls $Condition every 50 ms until it is true or $Seconds pass; returns whether it became true.
    param([Parameter(Mandatory)] [scriptblock] $Condition, [double] $Seconds = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Condition) { return $true }
        Start-Sleep -Milliseconds 50
    }
    [bool](& $Condition)
}

function Start-WixStandIn {
    # Starts the stand-in of the Wix Data API (tests/WixStandIn) on 127.0.0.1 for one site with the given
    # collections ("name" or "name:WIX_APP"); returns its process, API base, site id and key. Stop-WixStandIn ends it.
    param([string[]] $Collection = @(), [int] $RatePerMinute = 0)
    $dll = $env:SITEBACKUP_TEST_WIXSTANDIN
    if (-not $dll) { $dll = Join-Path $PSScriptRoot '../WixStandIn/bin/Release/net10.0/WixStandIn.dll' }
    $site = [guid]::NewGuid().ToString()
    $key = 'key-' + [guid]::NewGuid().ToString('N')
    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @($dll, '--key', $key, '--site', $site, '--rate', $RatePerMinute) + ($Collection | ForEach-Object { '--collection', $_ })) {
        $start.ArgumentList.Add([string]$argument)
    }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    $line = $process.StandardOutput.ReadLine()
    if ($line -notlike 'WIXSTANDIN_API=*') { $process.Kill(); throw "the Wix stand-in did not start: $line" }
    [pscustomobject]@{ Process = $process; Api = $line.Substring('WIXSTANDIN_API='.Length); SiteId = $site; Key = $key }
}

function Stop-WixStandIn {
    param([Parameter(Mandatory)] $StandIn)
    $StandIn.Process.StandardInput.Close() # the stand-in stops when its input closes
    if (-not $StandIn.Process.WaitForExit(10000)) { $StandIn.Process.Kill() }
}

function Set-WixStandIn {
    # Changes how a running stand-in behaves: how long its Wix backups and restorations stay PENDING, and whether the
    # next one it is asked for ends FAILED. Returns once the stand-in says the change holds.
    param([Parameter(Mandatory)] $StandIn, [double] $BackupSeconds = -1, [double] $RestoreSeconds = -1, [switch] $FailNextBackup, [switch] $FailNextRestore)
    $line = @(
        if ($BackupSeconds -ge 0) { '--backup-seconds', $BackupSeconds.ToString([cultureinfo]::InvariantCulture) }
        if ($RestoreSeconds -ge 0) { '--restore-seconds', $RestoreSeconds.ToString([cultureinfo]::InvariantCulture) }
        if ($FailNextBackup) { '--fail-next-backup', 'true' }
        if ($FailNextRestore) { '--fail-next-restore', 'true' }
    ) -join ' '
    $StandIn.Process.StandardInput.WriteLine($line)
    $StandIn.Process.StandardInput.Flush()
    $answer = $StandIn.Process.StandardOutput.ReadLine()
    if ($answer -ne 'OK') { throw "the Wix stand-in refused '$line': $answer" }
}

function Invoke-WixApi {
    # Calls the stand-in as any Wix client would: POST path with a JSON body, the key and the site header.
    param([Parameter(Mandatory)] $StandIn, [Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [hashtable] $Body)
    Invoke-RestMethod -Method Post -Uri ($StandIn.Api + $Path) -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Depth 20 -Compress) `
        -Headers @{ Authorization = $StandIn.Key; 'wix-site-id' = $StandIn.SiteId }
}

Export-ModuleMember -Function New-LargeSite, Set-SiteDamage, Start-WixStandIn, Stop-WixStandIn, Set-WixStandIn, Invoke-WixApi, Get-TestModulePath, Invoke-ChildPwsh, Start-ChildPwsh, Wait-Until, Invoke-Sqlite, New-TestSite, New-GeneratedSite, Get-SiteFingerprint, Get-SiteContent, New-TestStore, Get-StoreState, Set-ArchiveManifest
