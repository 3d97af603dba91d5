<#
.SYNOPSIS
    Builds, tests and demonstrates SiteBackup.
.DESCRIPTION
    Build  lays the importable module out in out/SiteBackup (the manifest, the cmdlet assembly, the format file,
           and the engine with its dependencies under lib/).
    Package builds and makes the module's package for a PowerShell repository in out/package
           (SiteBackup.<version>.nupkg, as Publish-PSResource makes it and the PowerShell Gallery takes it),
           with the version from -Version and the release notes from CHANGELOG.md.
    Test   builds, runs the xunit suites and the Pester suites, and ends with one line
           "tests: N passed, N failed, N skipped" that adds them all up; exits non-zero on any failure, and
           when the run left files in the working tree that were not there before (a test that writes where it
           should not).
    Demo   builds, makes a sample SQLite site, backs it up into a store under out/demo, lists the backups,
           changes the site, restores it and shows that the content is back.
    Clean  removes out/ and the build folders.
.EXAMPLE
    dotnet tool restore && dotnet pwsh -NoProfile -File build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Package', 'Test', 'Demo', 'Clean')]
    [string] $Task = 'Build',

    # The version to stamp on the module, its assemblies and its package: x.y.z, or x.y.z-<prerelease>. By default
    # the one in Directory.Build.props.
    [ValidatePattern('^\d+\.\d+\.\d+(-[0-9A-Za-z]+)?$')]
    [string] $Version = '',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Runs only the Pester files whose names match (for example 'Restore').
    [string] $PesterFilter = ''
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'SiteBackup'
Import-Module (Join-Path $root 'build/Pwsh.psm1') -Force
$pwsh = Get-PwshCommand
function Invoke-Pwsh { $prefix = $pwsh.Prefix; & $pwsh.Path @prefix -NoProfile -NonInteractive @args }

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([Parameter(Mandatory)] [string] $Command, [string[]] $Arguments = @())
    & $Command @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') exited with $LASTEXITCODE" }
}

function Get-ModuleVersion {
    # -Version, else the repository's default.
    if ($Version) { return $Version }
    $props = [xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))
    $props.SelectSingleNode('//Version').InnerText
}

function Get-ReleaseNotes([string] $number) {
    # The section of CHANGELOG.md for this version, else a pointer to the file.
    $text = Get-Content -Raw (Join-Path $root 'CHANGELOG.md')
    $match = [regex]::Match($text, '(?ms)^## ' + [regex]::Escape($number) + '\s*$(.*?)(?=^## |\z)')
    if ($match.Success) { $match.Groups[1].Value.Trim() } else { 'See CHANGELOG.md.' }
}

function Invoke-Build {
    $publish = Join-Path $out 'publish'
    $version = Get-ModuleVersion
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/Backups.PowerShell/Backups.PowerShell.csproj'),
        '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet', "-p:Version=$version")
    foreach ($tool in 'bench/SiteGenerator/SiteGenerator.csproj', 'tests/WixStandIn/WixStandIn.csproj', 'tests/EntraStandIn/EntraStandIn.csproj') {
        Invoke-Native dotnet @('build', (Join-Path $root $tool), '-c', $Configuration, '--nologo', '-v', 'quiet')
    }

    # The cmdlet assembly at the root, everything it loads in the module's own load context under lib/.
    if (Test-Path $moduleOut) { Remove-Item -Recurse -Force $moduleOut }
    $lib = New-Item -ItemType Directory -Force (Join-Path $moduleOut 'lib')
    $rootFiles = 'SiteBackup', 'SiteBackup.Loader'
    Get-ChildItem $publish -File | Where-Object { $_.Extension -in '.dll', '.pdb' -and $_.BaseName -in $rootFiles } |
        Copy-Item -Destination $moduleOut
    Get-ChildItem $publish -File |
        Where-Object { $_.Extension -in '.dll', '.pdb' -and $_.BaseName -notin $rootFiles } |
        Copy-Item -Destination $lib
    Copy-Item -Recurse (Join-Path $publish 'runtimes') $lib
    Copy-Item (Join-Path $root 'module/SiteBackup.Format.ps1xml'), (Join-Path $root 'module/SiteBackup.Types.ps1xml') $moduleOut
    # The manifest's version is x.y.z; a prerelease label goes into PSData.Prerelease, as PowerShellGet expects.
    $number, $prerelease = $version -split '-', 2
    $notes = (Get-ReleaseNotes $number) -replace "'", "''"
    (Get-Content -Raw (Join-Path $root 'module/SiteBackup.psd1')) -replace "ModuleVersion(\s*)= '0.0.0'", "ModuleVersion`$1= '$number'" `
        -replace "Prerelease(\s*)= ''", "Prerelease`$1= '$prerelease'" -replace "ReleaseNotes(\s*)= ''", "ReleaseNotes`$1= '$notes'" |
        Set-Content -NoNewline (Join-Path $moduleOut 'SiteBackup.psd1')
    Copy-Item (Join-Path $root 'LICENSE') $moduleOut

    Invoke-Pwsh -File (Join-Path $root 'build/New-ModuleHelp.ps1') -ModulePath (Join-Path $moduleOut 'SiteBackup.psd1') -DocsPath (Join-Path $root 'docs') |
        Out-Host
    if ($LASTEXITCODE -ne 0) { throw 'The help is incomplete (see above).' }

    $manifest = Test-ModuleManifest (Join-Path $moduleOut 'SiteBackup.psd1')
    Write-Host "Built SiteBackup $($manifest.Version) in $moduleOut"
}

function Get-GeneratorPath { Join-Path $root "bench/SiteGenerator/bin/$Configuration/net10.0/SiteGenerator.dll" }
function Get-WixStandInPath { Join-Path $root "tests/WixStandIn/bin/$Configuration/net10.0/WixStandIn.dll" }

function Get-TestTools {
    Invoke-Native dotnet @('restore', (Join-Path $root 'build/tools.proj'), '--nologo', '-v', 'quiet')
    $pester = Get-ChildItem (Join-Path $out 'tools/pester') -Directory | Sort-Object { [version]$_.Name } | Select-Object -Last 1
    Join-Path $pester.FullName 'tools/Pester.psd1'
}

function Invoke-XunitSuites {
    # Returns @{ Passed; Failed; Skipped } summed over every xunit project, read from their TRX result files.
    $results = Join-Path $out 'test-results'
    Remove-Item -Recurse -Force $results -ErrorAction SilentlyContinue
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($project in Get-ChildItem (Join-Path $root 'tests') -Recurse -Filter '*.Tests.csproj') {
        $trx = "$($project.BaseName).trx"
        & dotnet test $project.FullName -c $Configuration --nologo -v quiet --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' --results-directory $results |
            Out-Host
        $exit = $LASTEXITCODE
        $file = Join-Path $results $trx
        if (-not (Test-Path $file)) {
            # It did not even build or start: count it as one failure so the run cannot pass.
            Write-Host "xunit: $($project.BaseName) produced no results (exit $exit)" -ForegroundColor Red
            $failed++
            continue
        }
        $counters = ([xml](Get-Content -Raw $file)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $skipped += [int]$counters.notExecuted
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        if ($exit -ne 0 -and [int]$counters.failed -eq 0) { $failed++ }
    }
    @{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

function Invoke-PesterSuites {
    param([Parameter(Mandatory)] [string] $PesterPath)
    # A child pwsh: the suites import the built module fresh, as a user would.
    $summary = Join-Path $out 'test-results/pester-summary.json'
    New-Item -ItemType Directory -Force (Split-Path $summary) | Out-Null
    Remove-Item $summary -ErrorAction SilentlyContinue
    Invoke-Pwsh -File (Join-Path $root 'build/Invoke-PesterSuites.ps1') `
        -PesterPath $PesterPath -TestsPath (Join-Path $root 'tests/Backups.PowerShell.Tests') `
        -ModulePath (Join-Path $moduleOut 'SiteBackup.psd1') -SummaryPath $summary -Filter $PesterFilter `
        -ToolsPath (Join-Path $out 'tools') -GeneratorPath (Get-GeneratorPath) -WixStandInPath (Get-WixStandInPath) | Out-Host
    if (-not (Test-Path $summary)) {
        Write-Host "pester: the run ended without a summary (exit $LASTEXITCODE)" -ForegroundColor Red
        return @{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $counts = Get-Content -Raw $summary | ConvertFrom-Json
    @{ Passed = [int]$counts.Passed; Failed = [int]$counts.Failed; Skipped = [int]$counts.Skipped }
}

function Get-WorkingTreeFiles {
    # Files git sees as new or changed (ignored ones, such as out/, are not listed), each with a hash of its content
    # so that a change to a file that was already changed shows too; null outside a git checkout.
    if (-not (Get-Command git -CommandType Application -ErrorAction SilentlyContinue)) { return $null }
    $lines = & git -C $root status --porcelain --untracked-files=all 2>$null
    if ($LASTEXITCODE -ne 0) { return $null }
    @($lines | ForEach-Object {
        $file = Join-Path $root $_.Substring(3).Trim('"')
        $hash = if (Test-Path -LiteralPath $file -PathType Leaf) { (Get-FileHash -LiteralPath $file).Hash } else { 'gone' }
        "$_ $hash"
    })
}

function Invoke-Test {
    $treeBefore = Get-WorkingTreeFiles
    Invoke-Build
    & (Join-Path $root 'build/Install-TestPrerequisites.ps1')
    $pester = Get-TestTools
    Import-Module (Join-Path $root 'build/TestPostgres.psm1') -Force
    Import-Module (Join-Path $root 'build/TestAzurite.psm1') -Force
    Import-Module (Join-Path $root 'build/TestWixSdk.psm1') -Force
    $env:SITEBACKUP_TEST_WIXSDK = Install-TestWixSdk -ToolsPath (Join-Path $out 'tools')
    $postgres = Start-TestPostgres
    $azurite = $null
    try {
        $azurite = Start-TestAzurite -ToolsPath (Join-Path $out 'tools')
        # The suites find the servers here; passwords and keys reach them only through the environment.
        $env:SITEBACKUP_TEST_PG = "postgresql://$($postgres.User)@$($postgres.Host):$($postgres.Port)/postgres"
        $env:SITEBACKUP_TEST_PG_PASSWORD = $postgres.Password
        $env:SITEBACKUP_TEST_AZURE = $azurite.ConnectionString
        $xunit = Invoke-XunitSuites
        $pesterCounts = Invoke-PesterSuites -PesterPath $pester
    }
    finally {
        Stop-TestPostgres $postgres
        if ($azurite) { Stop-TestAzurite $azurite }
    }
    $passed = $xunit.Passed + $pesterCounts.Passed
    $failed = $xunit.Failed + $pesterCounts.Failed
    $skipped = $xunit.Skipped + $pesterCounts.Skipped
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; pester: $($pesterCounts.Passed) passed, $($pesterCounts.Failed) failed, $($pesterCounts.Skipped) skipped"
    if ($null -ne $treeBefore) {
        # Tests write into temporary folders only; anything new here is a test (or the product) writing where
        # it should not, and it fails the run.
        $left = @(Get-WorkingTreeFiles | Where-Object { $_ -notin $treeBefore })
        if ($left.Count) {
            Write-Host "The test run left files in the working tree:`n$($left -join "`n")" -ForegroundColor Red
            $failed++
        }
    }
    Write-Host "tests: $passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Package {
    # Publish-PSResource to a repository that is a folder: the package it writes there is the one a gallery takes.
    # It runs in a pwsh whose home is temporary, so that registering that repository changes nothing of the user's.
    Invoke-Build
    $package = Join-Path $out 'package'
    if (Test-Path $package) { Remove-Item -Recurse -Force $package }
    New-Item -ItemType Directory $package | Out-Null
    $scratch = Join-Path ([IO.Path]::GetTempPath()) "sitebackup-package-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory $scratch | Out-Null
    $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; LOCALAPPDATA = $env:LOCALAPPDATA; APPDATA = $env:APPDATA }
    try {
        $env:HOME = $scratch; $env:XDG_DATA_HOME = Join-Path $scratch 'data'; $env:XDG_CONFIG_HOME = Join-Path $scratch 'config'
        $env:LOCALAPPDATA = Join-Path $scratch 'local'; $env:APPDATA = Join-Path $scratch 'roaming'
        # .NET names a special folder only if it exists (else ""), and PSResourceGet then writes beside the current one.
        foreach ($folder in 'data', 'config', 'local', 'roaming', '.local/share', '.config') { New-Item -ItemType Directory -Force (Join-Path $scratch $folder) | Out-Null }
        Invoke-Pwsh -Command "`$ErrorActionPreference = 'Stop'; Register-PSResourceRepository -Name SiteBackupPackage -Uri '$package' -Trusted; Publish-PSResource -Path '$moduleOut' -Repository SiteBackupPackage" |
            Out-Host
        if ($LASTEXITCODE -ne 0) { throw 'Publish-PSResource failed (see above).' }
    }
    finally {
        foreach ($name in $saved.Keys) { Set-Item "Env:$name" -Value $saved[$name] -ErrorAction SilentlyContinue; if ($null -eq $saved[$name]) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue } }
        Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
    }
    $made = Get-ChildItem $package -Filter '*.nupkg'
    Write-Host "Packaged $($made.Name) ($([math]::Round($made.Length / 1MB, 1)) MB) in $package"
}

function Invoke-Demo {
    Invoke-Build
    $demo = Join-Path $out 'demo'
    if (Test-Path $demo) { Remove-Item -Recurse -Force $demo }
    New-Item -ItemType Directory $demo | Out-Null
    Invoke-Pwsh -File (Join-Path $root 'build/Demo.ps1') -ModulePath (Join-Path $moduleOut 'SiteBackup.psd1') `
        -Generator (Get-GeneratorPath) -Folder $demo
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Package' { Invoke-Package }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Clean' {
        Remove-Item -Recurse -Force $out -ErrorAction SilentlyContinue
        Get-ChildItem $root -Recurse -Directory -Include 'bin', 'obj' | Remove-Item -Recurse -Force
    }
}
