<#
.SYNOPSIS
    Runs the Pester suites against the built module and writes {Passed, Failed, Skipped} to a JSON file for build.ps1.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $TestsPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [Parameter(Mandatory)] [string] $ToolsPath,
    [Parameter(Mandatory)] [string] $GeneratorPath,
    [Parameter(Mandatory)] [string] $WixStandInPath,
    [string] $Filter = ''
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
# The suites find the module under test here (tests/Backups.PowerShell.Tests/TestHelpers.psm1).
$env:SITEBACKUP_TEST_MODULE = $ModulePath
$env:SITEBACKUP_TEST_TOOLS = $ToolsPath
$env:SITEBACKUP_TEST_GENERATOR = $GeneratorPath
$env:SITEBACKUP_TEST_WIXSTANDIN = $WixStandInPath

$configuration = New-PesterConfiguration
$configuration.Run.Path = @(Get-ChildItem $TestsPath -Filter "*$Filter*.Tests.ps1" | ForEach-Object FullName)
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
$configuration.Output.RenderMode = 'Plaintext'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'JUnitXml'
$configuration.TestResult.OutputPath = Join-Path (Split-Path $SummaryPath) 'pester.xml'

$result = Invoke-Pester -Configuration $configuration
# Containers that failed to run (a syntax error, a failing BeforeAll) count as failures too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount } | ConvertTo-Json | Set-Content $SummaryPath
