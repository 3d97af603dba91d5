# Wix's own backups of a site as a store (-Store wix://<site-id>), through the cmdlets, against the stand-in's Backups API
# run as its own process.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Get-TestModulePath
    Import-Module $module

    $standIn = Start-WixStandIn -Collection people, orders
    $env:SITEBACKUP_WIX_API = $standIn.Api
    $env:SITEBACKUP_WIX_RETRY_DELAY = '0.05'
    $env:SITEBACKUP_WIX_POLL_DELAY = '0.05'
    $site = "wix://$($standIn.SiteId)"
    $credential = [pscredential]::new('wix', (ConvertTo-SecureString $standIn.Key -AsPlainText -Force))

    function Get-WixItems([string] $collection) {
        # Every item as the stand-in holds it, system dates included (Wix's own restore keeps them), sorted by _id.
        (Invoke-WixApi $standIn 'items/query' @{ dataCollectionId = $collection; query = @{ cursorPaging = @{ limit = 100 } } }).dataItems |
            ForEach-Object { $_.data | ConvertTo-Json -Depth 20 -Compress } | Sort-Object
    }

    Invoke-WixApi $standIn 'bulk/items/save' @{ dataCollectionId = 'people'; dataItems = @(1..5 | ForEach-Object { @{ id = "p$_"; data = @{ name = "person $_" } } }) } | Out-Null
    $before = Get-WixItems people
}

AfterAll {
    Remove-Item Env:SITEBACKUP_WIX_API, Env:SITEBACKUP_WIX_RETRY_DELAY, Env:SITEBACKUP_WIX_POLL_DELAY -ErrorAction SilentlyContinue
    Stop-WixStandIn $standIn
}

Describe "Wix's own backups" {
    It 'are asked for with New-SiteBackup, which waits until Wix has taken one, and listed with Get-SiteBackup' {
        $backup = New-SiteBackup -Site $site -Store $site -Credential $credential

        $backup.Status | Should -Be Ready
        $backup.Type | Should -Be OnDemand
        $backup.Store | Should -Be $site
        $backup.Collections.Id | Sort-Object | Should -Be @('orders', 'people')
        $backup.SizeInBytes | Should -BeGreaterThan 0
        (Get-SiteBackup -Store $site -StoreCredential $credential -Last 1).Id | Should -Be $backup.Id
        (Get-SiteBackup -Store $site -StoreCredential $credential -Type Auto) | Should -BeNullOrEmpty
    }

    It 'give a Pending record at once with -NoWait' {
        $pending = New-SiteBackup -Site $site -Store $site -Credential $credential -NoWait
        $pending.Status | Should -Be Pending
        Wait-Until { (Get-SiteBackup -Store $site -StoreCredential $credential -Id $pending.Id).Status -eq 'Ready' } | Should -BeTrue
    }

    It 'restore from the pipeline, everything back as it was, and list the restoration' {
        Invoke-WixApi $standIn 'items/truncate' @{ dataCollectionId = 'people' } | Out-Null
        (Get-WixItems people) | Should -BeNullOrEmpty

        $restoration = Get-SiteBackup -Store $site -StoreCredential $credential -Last 1 | Restore-SiteBackup -Credential $credential -Force

        $restoration.Status | Should -Be Completed
        Get-WixItems people | Should -Be $before
        (Get-SiteBackupRestoration -Store $site -StoreCredential $credential).Id | Should -Contain $restoration.Id
    }

    It 'name the backup Wix drops for a fourth on-demand one, ask before it unless -Force, and list it Deleted' {
        # Three on-demand backups are there (the two above and this one): a fourth makes Wix drop the oldest.
        New-SiteBackup -Site $site -Store $site -Credential $credential | Out-Null
        $oldest = Get-SiteBackup -Store $site -StoreCredential $credential -Type OnDemand | Sort-Object RequestedDate | Select-Object -First 1
        $all = 'Pending', 'Ready', 'Failed', 'Deleted', 'Canceled'
        $count = @(Get-SiteBackup -Store $site -StoreCredential $credential -Status $all).Count
        $env:WIX_API_KEY = $standIn.Key
        try {
            $said = Invoke-ChildPwsh "Import-Module '$module'; New-SiteBackup -Site '$site' -Store '$site' -WhatIf" | Out-String
            $said | Should -BeLike "*deletes its oldest on-demand backup, $($oldest.Id)*"
            # A host that cannot ask gets an error that names the backup and -Force, and nothing is asked of Wix.
            $refused = Invoke-ChildPwsh "Import-Module '$module'; try { New-SiteBackup -Site '$site' -Store '$site' -ErrorAction Stop } catch { 'ERROR ' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message }" | Out-String
            $refused | Should -BeLike "*ERROR InvalidArgument,*$($oldest.Id)*-Force*"
        }
        finally { Remove-Item Env:WIX_API_KEY }
        @(Get-SiteBackup -Store $site -StoreCredential $credential -Status $all).Count | Should -Be $count # neither -WhatIf nor the refusal made one

        $fourth = New-SiteBackup -Site $site -Store $site -Credential $credential -Force

        $fourth.Status | Should -Be Ready
        (Get-SiteBackup -Store $site -StoreCredential $credential -Id $oldest.Id).Status | Should -Be Deleted
        (Get-SiteBackup -Store $site -StoreCredential $credential -Id $oldest.Id).DeletedDate | Should -Not -BeNullOrEmpty
    }

    It 'are removed with Remove-SiteBackup, and Test-SiteBackup says they cannot be verified from outside' {
        $backup = Get-SiteBackup -Store $site -StoreCredential $credential -Last 1
        $verdict = $backup | Test-SiteBackup -Credential $credential
        $verdict.Verified | Should -BeFalse
        $verdict.IsValid | Should -BeNullOrEmpty
        $verdict.Problems[0].Message | Should -BeLike '*holds no archive*'

        $backup | Remove-SiteBackup -Credential $credential -Force
        (Get-SiteBackup -Store $site -StoreCredential $credential -Id $backup.Id).Status | Should -Be Deleted
    }

    It 'keep the stable error ids' {
        Get-SiteBackup -Store $site -StoreCredential $credential -Id ([guid]::NewGuid()) -ErrorAction SilentlyContinue -ErrorVariable notFound
        $notFound[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
        { New-SiteBackup -Site $site -Store $site -Credential $credential -Collection people -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
        { Set-SiteBackupRetention -Store $site -StoreCredential $credential -MaxOnDemandBackups 5 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
        $wrong = [pscredential]::new('wix', (ConvertTo-SecureString 'wrong' -AsPlainText -Force))
        { Get-SiteBackup -Store $site -StoreCredential $wrong -ErrorAction Stop } | Should -Throw -ErrorId 'AuthenticationFailed,*'
        # Another site's credential is never sent to Wix: without -StoreCredential or WIX_API_KEY, listing needs a key.
        { Get-SiteBackup -Store $site -Credential $credential -ErrorAction Stop } | Should -Throw -ErrorId 'AuthenticationFailed,*'
    }
}
