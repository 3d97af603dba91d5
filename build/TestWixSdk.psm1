# Wix's official JavaScript SDK for the tests (WixSdkConformanceTests drives the Wix stand-in with it): installed from
# npm into out/tools/wix-sdk, pinned, as Azurite is. The versions are the ones the stand-in was last checked against;
# raising them is a deliberate change whose conformance run shows what Wix's client expects now.

$script:SdkVersion = '1.21.16'   # @wix/sdk
$script:DataVersion = '1.0.521'  # @wix/data

function Install-TestWixSdk {
    param([Parameter(Mandatory)] [string] $ToolsPath)
    $folder = Join-Path $ToolsPath 'wix-sdk'
    $sdk = Join-Path $folder 'node_modules/@wix/sdk/package.json'
    $data = Join-Path $folder 'node_modules/@wix/data/package.json'
    if ((Test-Path $sdk) -and (Test-Path $data) -and
        (Get-Content -Raw $sdk | ConvertFrom-Json).version -eq $script:SdkVersion -and
        (Get-Content -Raw $data | ConvertFrom-Json).version -eq $script:DataVersion) { return $folder }
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { throw "The tests need npm (Node.js) to install Wix's SDK." }
    New-Item -ItemType Directory -Force $folder | Out-Null
    & npm install --prefix $folder "@wix/sdk@$script:SdkVersion" "@wix/data@$script:DataVersion" --no-audit --no-fund --silent 2>&1 | Out-Host
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $sdk) -or -not (Test-Path $data)) { throw "npm install @wix/sdk@$script:SdkVersion @wix/data@$script:DataVersion failed" }
    $folder
}

Export-ModuleMember -Function Install-TestWixSdk
