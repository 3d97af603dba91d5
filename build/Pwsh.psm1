# How to start another pwsh like the one running: as a dotnet tool, pwsh runs inside the dotnet host, which then
# needs pwsh.dll as its first argument. Used by build.ps1, the Pester helpers and the benchmarks.

function Get-PwshCommand {
    # The program and the arguments that come before pwsh's own.
    $hostPath = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    [pscustomobject]@{ Path = $hostPath; Prefix = $prefix }
}

Export-ModuleMember -Function Get-PwshCommand
