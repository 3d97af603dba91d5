<#
.SYNOPSIS
    Makes sure the programs the tests talk to are on this machine: the sqlite3 shell and psql (the sites' own tools,
    against which type fidelity is judged), a PostgreSQL server, npm (Node.js) to install Azurite, and unzip, bsdtar
    and Python, which read back the zip files SiteBackup writes. On Debian or Ubuntu as root it installs what is
    missing with apt-get; elsewhere it says what to install and stops.
#>
$ErrorActionPreference = 'Stop'
# npm installs Azurite (build/TestAzurite.psm1).
# unzip, bsdtar and python3 are the other zip readers of tests/Backups.Engine.Tests/Archive/ZipInteropTests.cs.
$needed = @{ sqlite3 = 'sqlite3'; psql = 'postgresql-client'; initdb = 'postgresql'; npm = 'npm'; unzip = 'unzip'; bsdtar = 'libarchive-tools'; python3 = 'python3' }   # command → Debian package
$found = @{ initdb = [bool](Get-ChildItem '/usr/lib/postgresql/*/bin/initdb' -ErrorAction SilentlyContinue) }
$missing = @($needed.Keys | Where-Object { -not $found[$_] -and -not (Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue) })
if ($missing.Count -eq 0) { return }

# @(): a single package would otherwise be a string, splatted to apt-get one character at a time.
$packages = @($missing | ForEach-Object { $needed[$_] })
$canApt = $IsLinux -and (Get-Command apt-get -ErrorAction SilentlyContinue) -and ((id -u) -eq '0')
if (-not $canApt) {
    throw "The tests need $($missing -join ', '); install it ($($packages -join ', ')) and run again."
}
Write-Host "Installing $($packages -join ', ') for the tests..."
& apt-get update -qq | Out-Null
& apt-get install -y -qq @packages | Out-Null
if ($LASTEXITCODE -ne 0) { throw "apt-get install $($packages -join ' ') failed" }
