# Timing whole pwsh processes for the benchmarks that measure what a runbook pays per run (Startup.ps1, Listing.ps1).

Import-Module (Join-Path $PSScriptRoot '../build/Pwsh.psm1')

function Measure-PwshRun {
    # The median wall time, in seconds, of $Runs new pwsh processes each running $Command ($Before first, untimed).
    # $Check gets each run's output and throws when the run did not do what it should.
    param(
        [Parameter(Mandatory)] [string] $Command,
        [Parameter(Mandatory)] [int] $Runs,
        [scriptblock] $Before = {},
        [scriptblock] $Check = {}
    )
    $pwsh = Get-PwshCommand
    $prefix = $pwsh.Prefix
    $times = foreach ($run in 1..$Runs) {
        & $Before
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $output = & $pwsh.Path @prefix -NoProfile -NonInteractive -Command $Command
        $seconds = $clock.Elapsed.TotalSeconds
        if ($LASTEXITCODE -ne 0) { throw "failed: $Command" }
        & $Check $output
        $seconds
    }
    ($times | Sort-Object)[[int][math]::Floor($times.Count / 2)]
}

Export-ModuleMember -Function Measure-PwshRun
