# A throwaway PostgreSQL server for the test run: initdb into a temporary folder, listen on 127.0.0.1 only, password
# authentication over TCP (so that a wrong password can be tested), stopped and deleted afterwards.
# initdb and the server refuse to run as root; as root they run as the 'postgres' user that Debian's package makes.

function Find-PostgresBin {
    $candidates = @(Get-ChildItem '/usr/lib/postgresql/*/bin/initdb' -ErrorAction SilentlyContinue | Sort-Object FullName -Descending) +
        @(Get-Command initdb -CommandType Application -ErrorAction SilentlyContinue | ForEach-Object Source)
    $initdb = $candidates | Select-Object -First 1
    if (-not $initdb) { throw 'PostgreSQL is not installed (initdb not found); build/Install-TestPrerequisites.ps1 installs it on Debian.' }
    Split-Path ([string]$initdb)
}

function Invoke-AsPostgresUser([string] $program, [string[]] $arguments) {
    if ($IsLinux -and ((id -u) -eq '0')) { & runuser -u postgres -- $program @arguments }
    else { & $program @arguments }
    if ($LASTEXITCODE -ne 0) { throw "$program failed with exit code $LASTEXITCODE" }
}

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-TestPostgres {
    # A free port each time, so that a server left behind by an interrupted run is never in the way.
    param([int] $Port = (Get-FreePort))
    $bin = Find-PostgresBin
    $folder = Join-Path ([IO.Path]::GetTempPath()) "sitebackup-pg-$Port"
    if (Test-Path $folder) {
        # Left by a run that did not finish: stop its server if it still runs, and start afresh.
        try { Invoke-AsPostgresUser (Join-Path $bin 'pg_ctl') @('-D', (Join-Path $folder 'data'), '-m', 'immediate', '-w', 'stop') 2>&1 | Out-Null }
        catch { Write-Verbose "no server was left running in $folder" }
        Remove-Item -Recurse -Force $folder
    }
    $data = Join-Path $folder 'data'
    New-Item -ItemType Directory -Force $data | Out-Null
    $password = [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(16))
    $pwfile = Join-Path $folder 'pwfile'
    [IO.File]::WriteAllText($pwfile, $password)
    if ($IsLinux -and ((id -u) -eq '0')) { & chown -R postgres:postgres $folder }

    Invoke-AsPostgresUser (Join-Path $bin 'initdb') @('-D', $data, '-U', 'postgres', '--pwfile', $pwfile, '--auth-local=trust',
        '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8') | Out-Null
    Invoke-AsPostgresUser (Join-Path $bin 'pg_ctl') @('-D', $data, '-l', (Join-Path $folder 'server.log'), '-w', '-o',
        "-c listen_addresses=127.0.0.1 -p $Port -k $folder -c fsync=off -c synchronous_commit=off -c full_page_writes=off", 'start') | Out-Null
    [pscustomobject]@{ Host = '127.0.0.1'; Port = $Port; User = 'postgres'; Password = $password; Folder = $folder; Bin = $bin }
}

function Stop-TestPostgres {
    param([Parameter(Mandatory)] $Server)
    Invoke-AsPostgresUser (Join-Path $Server.Bin 'pg_ctl') @('-D', (Join-Path $Server.Folder 'data'), '-m', 'fast', '-w', 'stop') | Out-Null
    Remove-Item -Recurse -Force $Server.Folder -ErrorAction SilentlyContinue
}

Export-ModuleMember -Function Start-TestPostgres, Stop-TestPostgres
