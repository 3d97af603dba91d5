# Signing in to Azure Blob stores as runbooks do: a SAS (in the container URL, or the token alone), and Microsoft
# Entra ID tokens from a managed identity (Automation's IDENTITY_ENDPOINT, a virtual machine's metadata endpoint),
# a service principal in AZURE_* variables, or the session's Az sign-in. Each runs in a new pwsh with only that
# sign-in in its environment. Azure Storage is Azurite (for tokens: HTTPS and its basic OAuth mode, which checks a
# token's audience, issuer and lifetime); the token endpoints, which cannot run here, are tests/EntraStandIn.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/TestAzurite.psm1') -Force
    $modulePath = Get-TestModulePath
    $tools = $env:SITEBACKUP_TEST_TOOLS
    if (-not $tools) { $tools = Join-Path $PSScriptRoot '../../out/tools' }
    $plainAzure = $env:SITEBACKUP_TEST_AZURE
    if (-not $plainAzure) { throw 'SITEBACKUP_TEST_AZURE is not set: run the tests through build.ps1 -Task Test, which starts Azurite.' }

    # A self-signed certificate for 127.0.0.1, which the child processes trust through SSL_CERT_FILE.
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=127.0.0.1', $rsa,
        [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $names = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
    $names.AddIpAddress([System.Net.IPAddress]::Loopback); $names.AddDnsName('localhost')
    $request.CertificateExtensions.Add($names.Build())
    $request.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
    $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(2))
    $certPath = Join-Path $TestDrive 'cert.pem'; $keyPath = Join-Path $TestDrive 'key.pem'
    Set-Content -LiteralPath $certPath -Value $certificate.ExportCertificatePem()
    Set-Content -LiteralPath $keyPath -Value $rsa.ExportPkcs8PrivateKeyPem()

    $oauthAzure = Start-TestAzurite -ToolsPath $tools -CertificatePath $certPath -KeyPath $keyPath

    $identityHeader = 'ih-' + [guid]::NewGuid().ToString('N')
    $clientId = [guid]::NewGuid().ToString()
    $clientSecret = 'cs-' + [guid]::NewGuid().ToString('N')
    $entraLog = Join-Path $TestDrive 'entra.log'
    $dll = Join-Path $PSScriptRoot '../EntraStandIn/bin/Release/net10.0/EntraStandIn.dll'
    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in $dll, '--cert', $certPath, '--key', $keyPath, '--identity-header', $identityHeader,
        '--client-id', $clientId, '--client-secret', $clientSecret, '--log', $entraLog) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardInput = $true; $start.RedirectStandardOutput = $true; $start.UseShellExecute = $false
    $entra = [Diagnostics.Process]::Start($start)
    $entraHttp = $entra.StandardOutput.ReadLine() -replace '^ENTRASTANDIN_HTTP=', ''
    $entraHttps = $entra.StandardOutput.ReadLine() -replace '^ENTRASTANDIN_HTTPS=', ''
    if ($entraHttps -notlike 'https://*') { throw "the Entra stand-in did not start: $entraHttps" }

    # A port nothing listens on: a metadata endpoint that is not there, as off Azure.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $closedPort = $listener.LocalEndpoint.Port; $listener.Stop()

    $signInVariables = 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_AUTHORITY_HOST',
        'AZURE_FEDERATED_TOKEN_FILE', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'IMDS_ENDPOINT', 'AZURE_POD_IDENTITY_AUTHORITY_HOST',
        'AZURE_STORAGE_CONNECTION_STRING', 'SSL_CERT_FILE'

    function Invoke-SignedIn([hashtable] $environment, [string] $command) {
        # A new pwsh with only the given sign-in in its environment; the virtual machine's metadata endpoint is a
        # closed port unless the test names one. Returns every line it printed, errors as "error: <id>: <message>".
        $saved = @{}
        foreach ($name in $signInVariables) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $null) }
        $merged = @{ SSL_CERT_FILE = $certPath; AZURE_POD_IDENTITY_AUTHORITY_HOST = "http://127.0.0.1:$closedPort" }
        foreach ($name in $environment.Keys) { $merged[$name] = $environment[$name] }
        foreach ($name in $merged.Keys) { [Environment]::SetEnvironmentVariable($name, $merged[$name]) }
        try {
            Invoke-ChildPwsh @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$modulePath'
try { $command }
catch { 'error: ' + (`$_.FullyQualifiedErrorId -split ',')[0] + ': ' + `$_.Exception.Message }
"@ 2>&1 | ForEach-Object { "$_" }
        }
        finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
    }

    function Get-EntraRequests { if (Test-Path $entraLog) { Get-Content $entraLog | ForEach-Object { $_ | ConvertFrom-Json } } }
    function Clear-EntraRequests { Remove-Item -LiteralPath $entraLog -ErrorAction Ignore }
    function New-TokenStore([string] $prefix = 'runbook') { "$($oauthAzure.Endpoint)/t$([guid]::NewGuid().ToString('N').Substring(0, 20))/$prefix" }
}

AfterAll {
    if ($entra) { $entra.StandardInput.Close(); if (-not $entra.WaitForExit(10000)) { $entra.Kill() } }
    if ($oauthAzure) { Stop-TestAzurite $oauthAzure }
}

Describe 'An Azure Blob store named by its URL signs in with Entra ID, needing no secret' {
    It 'as the managed identity of an Automation account or App Service (IDENTITY_ENDPOINT and IDENTITY_HEADER)' {
        Clear-EntraRequests
        $site = New-TestSite
        $expected = Get-SiteContent $site
        $store = New-TokenStore
        $identity = @{ IDENTITY_ENDPOINT = "$entraHttp/msi/token"; IDENTITY_HEADER = $identityHeader }
        $output = Invoke-SignedIn $identity @"
`$ErrorActionPreference = 'Stop'
`$backup = New-SiteBackup -Site '$site' -Store '$store'
'backup: ' + `$backup.Status
'location: ' + `$backup.Store
'valid: ' + (`$backup | Test-SiteBackup -Quiet)
"@
        Invoke-Sqlite $site "UPDATE people SET name = 'changed'"
        Get-SiteContent $site | Should -Not -Be $expected
        # Piped without -Store: the record's location is enough to sign in again.
        $output += Invoke-SignedIn $identity "'restore: ' + (Get-SiteBackup -Store '$store' -Last 1 -ErrorAction Stop | Restore-SiteBackup -Force -ErrorAction Stop).Status"
        $output | Should -Contain 'backup: Ready' -Because ($output -join "`n")
        $output | Should -Contain "location: $store"
        $output | Should -Contain 'valid: True'
        $output | Should -Contain 'restore: Completed'
        Get-SiteContent $site | Should -Be $expected
        $asked = @(Get-EntraRequests | Where-Object path -eq '/msi/token')
        $asked.Count | Should -BeGreaterThan 0
        $asked | ForEach-Object { $_.identityHeaderRight | Should -BeTrue; $_.resource | Should -Match '^https://storage\.azure\.com/?$'; $_.apiVersion | Should -Be '2019-08-01' }
        @(Get-EntraRequests | Where-Object path -ne '/msi/token').Count | Should -Be 0 -Because 'nothing else was asked'

        # The same store, read with the account key over the same endpoint: the backup is really there.
        $seen = Invoke-SignedIn @{ AZURE_STORAGE_CONNECTION_STRING = $oauthAzure.ConnectionString } @"
`$credential = [pscredential]::new('x', (ConvertTo-SecureString `$env:AZURE_STORAGE_CONNECTION_STRING -AsPlainText -Force))
'count: ' + @(Get-SiteBackup -Store '$store' -StoreCredential `$credential).Count
"@
        $seen | Should -Contain 'count: 1' -Because ($seen -join "`n")
    }

    It 'as a user-assigned managed identity of a virtual machine (the metadata endpoint, AZURE_CLIENT_ID)' {
        Clear-EntraRequests
        $userAssigned = [guid]::NewGuid().ToString()
        $store = New-TokenStore
        $output = Invoke-SignedIn @{ AZURE_POD_IDENTITY_AUTHORITY_HOST = $entraHttp; AZURE_CLIENT_ID = $userAssigned } `
            "'backup: ' + (New-SiteBackup -Site '$(New-TestSite)' -Store '$store' -ErrorAction Stop).Status"
        $output | Should -Contain 'backup: Ready' -Because ($output -join "`n")
        $asked = @(Get-EntraRequests | Where-Object { $_.path -eq '/metadata/identity/oauth2/token' -and $_.status -eq 200 })
        $asked.Count | Should -BeGreaterThan 0 -Because "$((Get-EntraRequests | ForEach-Object { "$($_.method) $($_.path) $($_.status)" }) -join '; ')"
        $asked | ForEach-Object { $_.metadataHeader | Should -Be 'true'; $_.clientId | Should -Be $userAssigned; $_.resource | Should -Match '^https://storage\.azure\.com/?$'; $_.apiVersion | Should -Not -BeNullOrEmpty }
    }

    It 'as a service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, and names it when its secret is wrong' {
        Clear-EntraRequests
        $store = New-TokenStore
        $principal = @{ AZURE_TENANT_ID = '72f988bf-0000-4000-8000-2d7cd011db47'; AZURE_CLIENT_ID = $clientId; AZURE_AUTHORITY_HOST = $entraHttps }
        $output = Invoke-SignedIn ($principal + @{ AZURE_CLIENT_SECRET = $clientSecret }) `
            "'backup: ' + (New-SiteBackup -Site '$(New-TestSite)' -Store '$store' -ErrorAction Stop).Status"
        $output | Should -Contain 'backup: Ready' -Because ($output -join "`n")
        $token = @(Get-EntraRequests | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/oauth2/v2.0/token' })
        $token.Count | Should -BeGreaterThan 0
        $token[0].grantType | Should -Be 'client_credentials'
        $token[0].scope | Should -Be 'https://storage.azure.com/.default'
        $token[0].clientSecretRight | Should -BeTrue

        $incomplete = Invoke-SignedIn @{ AZURE_CLIENT_ID = $clientId; AZURE_CLIENT_SECRET = $clientSecret } "Get-SiteBackup -Store '$store' -ErrorAction Stop"
        ($incomplete -join "`n") | Should -Match '(?s)^error: AuthenticationFailed: .*AZURE_TENANT_ID is not'
        ($incomplete -join "`n") | Should -Not -Match $clientSecret

        $wrongSecret = 'wrong-' + [guid]::NewGuid().ToString('N')
        $failed = Invoke-SignedIn ($principal + @{ AZURE_CLIENT_SECRET = $wrongSecret }) "Get-SiteBackup -Store '$store' -ErrorAction Stop"
        ($failed -join "`n") | Should -Match "(?s)^error: AuthenticationFailed: .*service principal $clientId"
        ($failed -join "`n") | Should -Not -Match $wrongSecret
    }

    It "as this session's Az PowerShell sign-in, when Az.Accounts is loaded and signed in" {
        Clear-EntraRequests
        $site = New-TestSite
        $store = New-TokenStore
        # Az.Accounts as a runbook has it after Connect-AzAccount: its token (a SecureString, as Az 14 gives it) is
        # one the stand-in issued. Nothing in the environment could sign in otherwise.
        $output = Invoke-SignedIn @{} @"
`$ErrorActionPreference = 'Stop'
New-Module -Name Az.Accounts -ScriptBlock {
    function Get-AzContext { [pscustomobject]@{ Account = [pscustomobject]@{ Id = 'runbook@contoso.example' } } }
    function Get-AzAccessToken([string] `$ResourceUrl) {
        `$script:asked += ,`$ResourceUrl
        `$answer = Invoke-RestMethod -Uri '$entraHttp/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://storage.azure.com' -Headers @{ Metadata = 'true' }
        [pscustomobject]@{ Token = (ConvertTo-SecureString `$answer.access_token -AsPlainText -Force); ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1) }
    }
    function Get-AskedResources { `$script:asked }
} | Import-Module
`$token = 'the runbook''s own'; `$context = 'also its own'
'backup: ' + (New-SiteBackup -Site '$site' -Store '$store').Status
'asked: ' + ((Get-AskedResources) -join ',')
'variables: ' + `$token + ', ' + `$context + ', ' + [bool](Get-Variable resource -ErrorAction Ignore)
"@
        $output | Should -Contain 'backup: Ready' -Because ($output -join "`n")
        $output | Should -Contain 'asked: https://storage.azure.com/'
        $output | Should -Contain "variables: the runbook's own, also its own, False" -Because 'asking Az for a token leaves the caller''s variables alone'
    }

    It "fails clearly when the session's Az token has ended" {
        $output = Invoke-SignedIn @{} @"
New-Module -Name Az.Accounts -ScriptBlock {
    function Get-AzContext { [pscustomobject]@{ Account = [pscustomobject]@{ Id = 'someone@contoso.example' } } }
    function Get-AzAccessToken([string] `$ResourceUrl) { [pscustomobject]@{ Token = 'ended-token'; ExpiresOn = [DateTimeOffset]::UtcNow.AddMinutes(-5) } }
} | Import-Module
Get-SiteBackup -Store '$(New-TokenStore)' -ErrorAction Stop
"@
        ($output -join "`n") | Should -Match "(?s)^error: AuthenticationFailed: .*Az sign-in \(someone@contoso\.example\).*ended at"
        ($output -join "`n") | Should -Not -Match 'ended-token'
    }

    It 'fails with AuthenticationFailed naming the managed identity when its endpoint refuses' {
        # (Off Azure, where nothing answers the metadata endpoint, Azure.Identity tries it for about 50 s before it
        # gives up with the same error; the docs say so.)
        $output = Invoke-SignedIn @{ IDENTITY_ENDPOINT = "$entraHttp/msi/token"; IDENTITY_HEADER = 'not-the-header' } "Get-SiteBackup -Store '$(New-TokenStore)' -ErrorAction Stop"
        ($output -join "`n") | Should -Match '(?s)^error: AuthenticationFailed: .*managed identity of this Azure Automation account, App Service or Functions app'
        ($output -join "`n") | Should -Not -Match 'not-the-header'
    }

    It 'needs an account for an azblob:// store given nothing, and says how to sign in' {
        $output = Invoke-SignedIn @{} "Get-SiteBackup -Store 'azblob://nightly' -ErrorAction Stop"
        ($output -join "`n") | Should -Match '(?s)^error: AuthenticationFailed: .*azblob:// store needs an account.*Entra ID'
    }
}

Describe 'An Azure Blob store signed in with a SAS' {
    BeforeAll {
        $plainEndpoint = ($plainAzure -split ';' | Where-Object { $_ -like 'BlobEndpoint=*' }) -replace '^BlobEndpoint=', '' -replace '/$', ''
        function New-ContainerSas([string] $container, [string] $permissions) {
            # Made with the Azure SDK's own SAS builder (the older copy under out/tools), in a pwsh of its own.
            $dlls = foreach ($package in 'system.memory.data', 'azure.core', 'azure.storage.common', 'azure.storage.blobs') {
                Get-ChildItem (Join-Path $tools $package) -Recurse -Filter *.dll | Where-Object { $_.FullName -match 'netstandard2\.0|net6\.0' } |
                    Sort-Object { $_.FullName -notmatch 'net6\.0' } | Select-Object -First 1
            }
            $sas = Invoke-ChildPwsh @"
$(($dlls | ForEach-Object { "Add-Type -Path '$($_.FullName)'" }) -join "`n")
`$client = [Azure.Storage.Blobs.BlobContainerClient]::new('$plainAzure', '$container')
`$client.CreateIfNotExists() | Out-Null
`$client.GenerateSasUri([Azure.Storage.Sas.BlobContainerSasPermissions]'$permissions', [DateTimeOffset]::UtcNow.AddHours(1)).Query.TrimStart('?')
"@
            $sas | Should -Match 'sig='
            $sas
        }
    }

    It 'in the container URL: backs up, lists and restores, and the SAS is in no output, record or error' {
        $container = "t$([guid]::NewGuid().ToString('N').Substring(0, 20))"
        $sas = New-ContainerSas $container 'All'
        $signature = [uri]::UnescapeDataString((($sas -split '&' | Where-Object { $_ -like 'sig=*' }) -replace '^sig=', ''))
        $site = New-TestSite
        $expected = Get-SiteContent $site
        $store = "$plainEndpoint/$container/nightly?$sas"
        $output = Invoke-SignedIn @{} @"
`$ErrorActionPreference = 'Stop'
`$backup = New-SiteBackup -Site '$site' -Store '$store' -Verbose 4>&1 | ForEach-Object { if (`$_ -is [System.Management.Automation.VerboseRecord]) { 'verbose: ' + `$_ } else { `$_ } }
`$backup | Format-List * | Out-String
`$record = @(`$backup)[-1]
'backup: ' + `$record.Status
'location: ' + `$record.Store
'restore: ' + (Get-SiteBackup -Store '$store' -Last 1 | Restore-SiteBackup -Store '$store' -Force).Status
Get-SiteBackupRestoration -Store '$store' | Format-List * | Out-String
try { Get-SiteBackup -Store '$plainEndpoint/$container/nightly?$($sas -replace 'sig=[^&]+', "sig=$([uri]::EscapeDataString('A' + $signature.Substring(1)))")' }
catch { 'wrong SAS: ' + (`$_.FullyQualifiedErrorId -split ',')[0] + ': ' + `$_ }
"@
        $output | Should -Contain 'backup: Ready' -Because ($output -join "`n")
        $output | Should -Contain "location: $plainEndpoint/$container/nightly"
        $output | Should -Contain 'restore: Completed'
        Get-SiteContent $site | Should -Be $expected
        $output -match '^wrong SAS: AuthenticationFailed: ' | Should -Not -BeNullOrEmpty -Because 'a wrong SAS is refused as such'
        ($output -join "`n") | Should -Not -Match ([regex]::Escape($signature))
        ($output -join "`n") | Should -Not -Match ([regex]::Escape([uri]::EscapeDataString($signature)))

        # Nothing the store holds names the SAS either (records and archives, read back with the account key).
        $blobs = Invoke-SignedIn @{ AZURE_STORAGE_CONNECTION_STRING = $plainAzure } @"
`$backup = Get-SiteBackup -Store 'azblob://$container/nightly' -Last 1
`$backup | ConvertTo-Json -Depth 8
Get-SiteBackupRestoration -Store 'azblob://$container/nightly' | ConvertTo-Json -Depth 8
"@
        ($blobs -join "`n") | Should -Match '"Status"'
        ($blobs -join "`n") | Should -Not -Match ([regex]::Escape($signature))
    }

    It 'as the token alone in -StoreCredential, and a read-only SAS restores but cannot back up' {
        $container = "t$([guid]::NewGuid().ToString('N').Substring(0, 20))"
        $full = New-ContainerSas $container 'All'
        $readOnly = New-ContainerSas $container 'Read, List'
        $site = New-TestSite
        $store = "$plainEndpoint/$container"
        $output = Invoke-SignedIn @{} @"
`$ErrorActionPreference = 'Stop'
`$full = [pscredential]::new('sas', (ConvertTo-SecureString '?$full' -AsPlainText -Force))
`$readOnly = [pscredential]::new('sas', (ConvertTo-SecureString '$readOnly' -AsPlainText -Force))
'backup: ' + (New-SiteBackup -Site '$site' -Store '$store' -StoreCredential `$full).Status
'read-only restore: ' + (Get-SiteBackup -Store '$store' -StoreCredential `$readOnly -Last 1 | Restore-SiteBackup -Store '$store' -StoreCredential `$readOnly -Force -WarningAction SilentlyContinue).Status
try { New-SiteBackup -Site '$site' -Store '$store' -StoreCredential `$readOnly | Out-Null; 'read-only backup: made' }
catch { 'read-only backup: ' + (`$_.FullyQualifiedErrorId -split ',')[0] }
"@
        $output | Should -Contain 'backup: Ready' -Because ($output -join "`n")
        $output | Should -Contain 'read-only restore: Completed'
        $output | Should -Contain 'read-only backup: AuthenticationFailed'
    }
}
