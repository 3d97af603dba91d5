# Azurite, Microsoft's Azure Storage emulator, for the tests: installed from npm into out/tools/azurite (pinned), started
# on a free port on 127.0.0.1 with its data in a temporary folder, and stopped afterwards.

$script:AzuriteVersion = '3.37.0'
# Azurite's one development account. Its key is public, documented with Azurite, and opens nothing but the emulator.
$script:DevAccount = 'devstoreaccount1'
$script:DevKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

function Install-Azurite {
    param([Parameter(Mandatory)] [string] $ToolsPath)
    $folder = Join-Path $ToolsPath 'azurite'
    $blob = Join-Path $folder 'node_modules/.bin/azurite-blob'
    $installed = Join-Path $folder 'node_modules/azurite/package.json'
    if ((Test-Path $blob) -and (Get-Content -Raw $installed | ConvertFrom-Json).version -eq $script:AzuriteVersion) { return $blob }
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { throw 'The tests need npm (Node.js) to install Azurite.' }
    New-Item -ItemType Directory -Force $folder | Out-Null
    & npm install --prefix $folder "azurite@$script:AzuriteVersion" --no-audit --no-fund --silent 2>&1 | Out-Host
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $blob)) { throw "npm install azurite@$script:AzuriteVersion failed" }
    $blob
}

function Start-TestAzurite {
    # With -CertificatePath and -KeyPath (PEM files), it serves HTTPS and accepts Entra ID bearer tokens besides the
    # account key (Azurite's basic OAuth mode: it reads a token's audience, issuer and lifetime, not its signature).
    param([Parameter(Mandatory)] [string] $ToolsPath, [string] $CertificatePath, [string] $KeyPath)
    $blob = Install-Azurite $ToolsPath
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $data = Join-Path ([IO.Path]::GetTempPath()) "sitebackup-azurite-$port"
    New-Item -ItemType Directory -Force $data | Out-Null
    $arguments = @('--blobHost', '127.0.0.1', '--blobPort', $port, '--location', $data, '--silent', '--disableTelemetry', '--skipApiVersionCheck')
    $scheme = 'http'
    if ($CertificatePath) { $arguments += @('--cert', $CertificatePath, '--key', $KeyPath, '--oauth', 'basic'); $scheme = 'https' }
    $process = Start-Process -FilePath $blob -PassThru -RedirectStandardOutput (Join-Path $data 'out.log') -RedirectStandardError (Join-Path $data 'err.log') -ArgumentList $arguments
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ($true) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $port); break }
        catch { if ([DateTime]::UtcNow -gt $deadline -or $process.HasExited) { throw "Azurite did not start: $(Get-Content -Raw (Join-Path $data 'err.log'))" } ; Start-Sleep -Milliseconds 100 }
        finally { $client.Dispose() }
    }
    [pscustomobject]@{
        Process = $process; Folder = $data; Port = $port
        # The account's endpoint, IP style (the account is the first segment of the path).
        Endpoint = "${scheme}://127.0.0.1:$port/$script:DevAccount"
        ConnectionString = "DefaultEndpointsProtocol=$scheme;AccountName=$script:DevAccount;AccountKey=$script:DevKey;BlobEndpoint=${scheme}://127.0.0.1:$port/$script:DevAccount;"
    }
}

function Stop-TestAzurite {
    param([Parameter(Mandatory)] $Azurite)
    if (-not $Azurite.Process.HasExited) { $Azurite.Process.Kill($true); $Azurite.Process.WaitForExit(5000) | Out-Null }
    Remove-Item -Recurse -Force $Azurite.Folder -ErrorAction SilentlyContinue
}

Export-ModuleMember -Function Install-Azurite, Start-TestAzurite, Stop-TestAzurite
