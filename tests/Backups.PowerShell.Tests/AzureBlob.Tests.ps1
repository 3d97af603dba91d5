# Azure Blob stores through the cmdlets, on the Azurite that build.ps1 starts for the test run: the runbook case
# (a backup made on one machine, used from another), two machines racing on one store, and dependency isolation
# in a pwsh that already loaded older Azure SDK assemblies, as the Az modules do in every Azure runbook.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-TestModulePath
    Import-Module $modulePath
    $connectionString = $env:SITEBACKUP_TEST_AZURE
    if (-not $connectionString) { throw 'SITEBACKUP_TEST_AZURE is not set: run the tests through build.ps1 -Task Test, which starts Azurite.' }
    $tools = $env:SITEBACKUP_TEST_TOOLS
    if (-not $tools) { $tools = Join-Path $PSScriptRoot '../../out/tools' }

    function Get-Fingerprint([string] $path) {
        (Get-SiteFingerprint $path).GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" }
    }

    function New-AzureStore { "azblob://t$([guid]::NewGuid().ToString('N').Substring(0, 20))/runbooks/shop" }

    function Invoke-OnMachine([string] $name, [string] $command) {
        # Another "machine": a pwsh with its own temporary, home and data folders, sharing only the store.
        $machine = Join-Path $TestDrive $name
        $saved = @{ TMPDIR = $env:TMPDIR; HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; AZURE_STORAGE_CONNECTION_STRING = $env:AZURE_STORAGE_CONNECTION_STRING }
        foreach ($folder in 'tmp', 'home', 'data') { New-Item -ItemType Directory -Force (Join-Path $machine $folder) | Out-Null }
        $env:TMPDIR = Join-Path $machine 'tmp'; $env:HOME = Join-Path $machine 'home'; $env:XDG_DATA_HOME = Join-Path $machine 'data'
        $env:AZURE_STORAGE_CONNECTION_STRING = $connectionString
        try { Invoke-ChildPwsh "`$ErrorActionPreference = 'Stop'; Import-Module '$modulePath'; $command" }
        finally { foreach ($key in $saved.Keys) { Set-Item "Env:$key" -Value $saved[$key] -ErrorAction SilentlyContinue; if ($null -eq $saved[$key]) { Remove-Item "Env:$key" -ErrorAction SilentlyContinue } } }
    }
}

Describe 'An Azure Blob store' {
    It 'takes a backup made on one machine and lists, verifies and restores it on another' {
        $store = New-AzureStore
        $siteA = New-GeneratedSite -Items 3000 -Path (Join-Path $TestDrive 'a-site.db')
        $siteB = New-GeneratedSite -Items 500 -Path (Join-Path $TestDrive 'b-site.db')
        $expected = Get-Fingerprint $siteA

        $id = Invoke-OnMachine 'machine-a' "(New-SiteBackup -Site '$siteA' -Store '$store').Id"
        $LASTEXITCODE | Should -Be 0
        $seen = Invoke-OnMachine 'machine-b' @"
`$backup = Get-SiteBackup -Store '$store' -Id '$id'
'status: ' + `$backup.Status
'valid: ' + (`$backup | Test-SiteBackup -Quiet)
'restored: ' + (`$backup | Restore-SiteBackup -Site '$siteB' -Force).Status
'restorations: ' + @(Get-SiteBackupRestoration -Store '$store').Count
"@
        $LASTEXITCODE | Should -Be 0
        $seen | Should -Contain 'status: Ready'
        $seen | Should -Contain 'valid: True'
        $seen | Should -Contain 'restored: Completed'
        $seen | Should -Contain 'restorations: 1'
        Get-Fingerprint $siteB | Should -Be $expected
        $expected.Count | Should -Be 4
    }

    It 'keeps retention exact while two machines back up into it at once' {
        $store = New-AzureStore
        $site = New-GeneratedSite -Items 2000
        $env:AZURE_STORAGE_CONNECTION_STRING = $connectionString
        try {
            $workers = foreach ($name in 'one', 'two') {
                Start-ChildPwsh "Import-Module '$modulePath'; `$ErrorActionPreference = 'Stop'; 1..4 | ForEach-Object { New-SiteBackup -Site '$site' -Store '$store' | Out-Null }; exit 0"
            }
            foreach ($worker in $workers) { $worker.WaitForExit(300000) | Should -BeTrue; $worker.ExitCode | Should -Be 0 }
            $all = Get-SiteBackup -Store $store -Status Pending, Ready, Failed, Deleted, Canceled
            $all.Count | Should -Be 8
            @($all | Where-Object Status -EQ Ready).Count | Should -Be 3
            @($all | Where-Object Status -EQ Deleted).Count | Should -Be 5
            Get-SiteBackup -Store $store | Test-SiteBackup -Quiet | Should -BeExactly $true
        }
        finally { Remove-Item Env:AZURE_STORAGE_CONNECTION_STRING }
    }

    It 'is left sound by a machine killed in the middle of a backup: Failed once its lease lapses, and the next backup goes on' {
        $store = New-AzureStore
        $site = New-GeneratedSite -Items 150000
        $env:AZURE_STORAGE_CONNECTION_STRING = $connectionString
        try {
            $first = New-SiteBackup -Site $site -Store $store
            $process = Start-ChildPwsh "Import-Module '$modulePath'; New-SiteBackup -Site '$site' -Store '$store' | Out-Null"
            # Wait until its record is there (it is writing the archive), then kill the whole process tree.
            Wait-Until { @(Get-SiteBackup -Store $store -Status Pending).Count -eq 1 -or $process.HasExited } -Seconds 60 | Should -BeTrue
            $process.HasExited | Should -BeFalse -Because 'the kill must land while the backup runs'
            $process.Kill($true); $process.WaitForExit()
            $killedAt = Get-Date
            $killed = (Get-SiteBackup -Store $store -Status Pending).Id
            $killed | Should -Not -BeNullOrEmpty
            # The dead machine's lease on its operation runs out within 15 seconds; then the record lists as Failed.
            Wait-Until { (Get-SiteBackup -Store $store -Id $killed).Status -eq 'Failed' } -Seconds 40 | Should -BeTrue
            $failedAt = Get-Date
            $next = New-SiteBackup -Site $site -Store $store
            $next.Status | Should -Be Ready
            (Get-SiteBackup -Store $store -Id $killed).Error | Should -BeLike 'Abandoned*'
            (Get-SiteBackup -Store $store -Status Ready).Count | Should -Be 2
            Get-SiteBackup -Store $store -Status Ready | Test-SiteBackup -Quiet | Should -BeExactly $true
            (Get-SiteBackup -Store $store -Status Ready).Id | Sort-Object | Should -Be (@($first.Id, $next.Id) | Sort-Object)
            Write-Host "azure kill: the killed backup listed Failed $([int]($failedAt - $killedAt).TotalSeconds) s after the kill (its lease lapsed)"
        }
        finally { Remove-Item Env:AZURE_STORAGE_CONNECTION_STRING }
    }

    It 'takes the account from -StoreCredential, and refuses a wrong key without echoing it' {
        $store = New-AzureStore
        $site = New-TestSite
        $credential = [pscredential]::new('account', (ConvertTo-SecureString $connectionString -AsPlainText -Force))
        (New-SiteBackup -Site $site -Store $store -StoreCredential $credential).Status | Should -Be Ready
        (Get-SiteBackup -Store $store -StoreCredential $credential).Count | Should -Be 1

        $wrongKey = [Convert]::ToBase64String([byte[]](1..64))
        $wrong = [pscredential]::new('x', (ConvertTo-SecureString ($connectionString -replace 'AccountKey=[^;]+', "AccountKey=$wrongKey") -AsPlainText -Force))
        $problem = { Get-SiteBackup -Store $store -StoreCredential $wrong -ErrorAction Stop } | Should -Throw -ErrorId 'AuthenticationFailed*' -PassThru
        "$problem" | Should -Not -BeLike "*$wrongKey*"
        { Get-SiteBackup -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'AuthenticationFailed*'
    }

    It 'works in a pwsh that already loaded older Azure.Core and Azure.Storage.Blobs assemblies' {
        $old = foreach ($package in 'system.memory.data', 'azure.core', 'azure.storage.common', 'azure.storage.blobs') {
            Get-ChildItem (Join-Path $tools $package) -Recurse -Filter *.dll | Where-Object { $_.FullName -match 'netstandard2\.0|net6\.0' } |
                Sort-Object { $_.FullName -notmatch 'net6\.0' } | Select-Object -First 1
        }
        $old.Count | Should -Be 4
        $store = New-AzureStore
        $site = New-TestSite
        $env:AZURE_STORAGE_CONNECTION_STRING = $connectionString
        try {
            $output = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
$(($old | ForEach-Object { "Add-Type -Path '$($_.FullName)'" }) -join "`n")
'loaded first: ' + [Azure.Storage.Blobs.BlobServiceClient].Assembly.GetName().Version + ' ' + [Azure.Core.TokenCredential].Assembly.GetName().Version
Import-Module '$modulePath'
`$backup = New-SiteBackup -Site '$site' -Store '$store'
'backup: ' + `$backup.Status
'restore: ' + (`$backup | Restore-SiteBackup -Force).Status
'still loaded: ' + [Azure.Storage.Blobs.BlobServiceClient].Assembly.GetName().Version + ' ' + [Azure.Core.TokenCredential].Assembly.GetName().Version
"@
        }
        finally { Remove-Item Env:AZURE_STORAGE_CONNECTION_STRING }
        $LASTEXITCODE | Should -Be 0
        $output | Should -Contain 'loaded first: 12.19.1.0 1.38.0.0'
        $output | Should -Contain 'backup: Ready'
        $output | Should -Contain 'restore: Completed'
        $output | Should -Contain 'still loaded: 12.19.1.0 1.38.0.0'
    }
}
