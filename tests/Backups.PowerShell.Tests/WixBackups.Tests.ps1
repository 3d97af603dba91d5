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

Describe "Wix's own backups, waited for" {
    # A stand-in of its own, whose backups and restorations take as long, and fail, as each test sets.
    BeforeAll {
        $slow = Start-WixStandIn -Collection people, orders
        $env:SITEBACKUP_WIX_API = $slow.Api
        $env:SITEBACKUP_WIX_RETRY_DELAY = '0.05'
        $env:SITEBACKUP_WIX_POLL_DELAY = '0.05'
        $env:WIX_API_KEY = $slow.Key # for the runspaces and child processes, which do not see this one's variables
        $wix = "wix://$($slow.SiteId)"
        $key = [pscredential]::new('wix', (ConvertTo-SecureString $slow.Key -AsPlainText -Force))
        Invoke-WixApi $slow 'bulk/items/save' @{ dataCollectionId = 'people'; dataItems = @(1..30 | ForEach-Object { @{ id = "p$_"; data = @{ name = "person $_"; age = $_ } } }) } | Out-Null
        Invoke-WixApi $slow 'bulk/items/save' @{ dataCollectionId = 'orders'; dataItems = @(1..4 | ForEach-Object { @{ id = "o$_"; data = @{ total = $_ * 10 } } }) } | Out-Null

        function Get-SlowItems([string] $collection) {
            # Each item as the stand-in holds it, system dates included, one JSON line an item, sorted by _id.
            @((Invoke-WixApi $slow 'items/query' @{ dataCollectionId = $collection; query = @{ cursorPaging = @{ limit = 100 } } }).dataItems |
                    ForEach-Object { $_.data | ConvertTo-Json -Depth 20 -Compress } | Sort-Object)
        }
        function Get-All { @(Get-SiteBackup -Store $wix -StoreCredential $key -Status Pending, Ready, Failed, Deleted, Canceled) }
    }

    AfterAll {
        Remove-Item Env:SITEBACKUP_WIX_API, Env:SITEBACKUP_WIX_RETRY_DELAY, Env:SITEBACKUP_WIX_POLL_DELAY, Env:WIX_API_KEY -ErrorAction SilentlyContinue
        Stop-WixStandIn $slow
    }

    It 'end with OperationFailed for a backup Wix reports FAILED, which then lists as Failed' {
        Set-WixStandIn $slow -FailNextBackup

        New-SiteBackup -Site $wix -Store $wix -Credential $key -Force -ErrorAction SilentlyContinue -ErrorVariable failed

        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'OperationFailed,*'
        $failed[0].Exception.Message | Should -BeLike '*ended Failed*'
        $listed = @(Get-SiteBackup -Store $wix -StoreCredential $key -Status Failed)
        $listed.Count | Should -Be 1
        $listed[0].Type | Should -Be OnDemand
    }

    It 'stop waiting at the time limit with WaitTimedOut, and Wix goes on to finish the backup' {
        Set-WixStandIn $slow -BackupSeconds 3
        $env:SITEBACKUP_WIX_WAIT_TIMEOUT = '0.5'
        try {
            New-SiteBackup -Site $wix -Store $wix -Credential $key -Force -ErrorAction SilentlyContinue -ErrorVariable late
        }
        finally {
            Remove-Item Env:SITEBACKUP_WIX_WAIT_TIMEOUT
            Set-WixStandIn $slow -BackupSeconds 0.3
        }

        $late.Count | Should -Be 1
        $late[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimedOut,*'
        $late[0].CategoryInfo.Category | Should -Be OperationTimeout
        $late[0].Exception.Message | Should -BeLike '*still Pending*Wix goes on*'
        $pending = @(Get-SiteBackup -Store $wix -StoreCredential $key -Status Pending)
        $pending.Count | Should -Be 1
        Wait-Until { (Get-SiteBackup -Store $wix -StoreCredential $key -Id $pending[0].Id).Status -eq 'Ready' } -Seconds 20 | Should -BeTrue
    }

    It 'stop waiting on Ctrl+C, harming nothing: Wix goes on with the backup, and the next command works' {
        Set-WixStandIn $slow -BackupSeconds 4
        $before = Get-All
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$module'; New-SiteBackup -Site '$wix' -Store '$wix' -Force")
            $handle = $ps.BeginInvoke()
            Wait-Until { @($ps.Streams.Progress | Where-Object { $_.Activity -like 'Waiting for Wix backup*' }).Count -gt 0 } |
                Should -BeTrue -Because 'the cmdlet should be waiting for Wix before it is stopped'
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $handle.IsCompleted | Should -BeTrue
        }
        finally {
            $ps.Dispose()
            Set-WixStandIn $slow -BackupSeconds 0.3
        }

        $asked = @(Get-All | Where-Object Id -NotIn $before.Id)
        $asked.Count | Should -Be 1
        $asked[0].Status | Should -Be Pending -Because 'Ctrl+C came before Wix was done, and stopped only the waiting'
        Wait-Until { (Get-SiteBackup -Store $wix -StoreCredential $key -Id $asked[0].Id).Status -eq 'Ready' } -Seconds 20 | Should -BeTrue
    }

    It 'restore some collections into another one, whose items are then each as they were, system dates included' {
        $people = Get-SlowItems people
        $orders = Get-SlowItems orders
        $backup = Get-SiteBackup -Store $wix -StoreCredential $key -Last 1
        $backup.Status | Should -Be Ready
        Invoke-WixApi $slow 'items/truncate' @{ dataCollectionId = 'people' } | Out-Null
        Invoke-WixApi $slow 'bulk/items/save' @{ dataCollectionId = 'orders'; dataItems = @(@{ id = 'o1'; data = @{ total = -1 } }) } | Out-Null
        $changedOrders = Get-SlowItems orders

        $restoration = $backup | Restore-SiteBackup -Credential $key -Collection people -Destination @{ people = 'people_copy' } -Force

        $restoration.Status | Should -Be Completed
        $restoration.Collections.Count | Should -Be 1
        $restoration.Collections[0].Id | Should -Be people
        $restoration.Collections[0].Destination | Should -Be people_copy
        $restoration.Collections[0].Status | Should -Be Restored
        $copy = Get-SlowItems people_copy
        $copy.Count | Should -Be 30
        for ($i = 0; $i -lt $people.Count; $i++) { $copy[$i] | Should -Be $people[$i] -Because "item $i of people_copy should be people's as backed up" }
        Get-SlowItems people | Should -BeNullOrEmpty -Because 'only the destination is written'
        Get-SlowItems orders | Should -Be $changedOrders -Because 'a collection not asked for is left alone'
        $changedOrders | Should -Not -Be $orders
        (Get-SiteBackupRestoration -Store $wix -StoreCredential $key -Last 1).Id | Should -Be $restoration.Id
    }

    It 'end with OperationFailed for a restoration Wix reports FAILED, listed as Failed with its collections Partial' {
        # people is empty and orders changed since the backup (the test above): a restoration that wrote would show.
        $people = Get-SlowItems people
        $orders = Get-SlowItems orders
        Set-WixStandIn $slow -FailNextRestore

        Get-SiteBackup -Store $wix -StoreCredential $key -Last 1 | Restore-SiteBackup -Credential $key -Force -ErrorAction SilentlyContinue -ErrorVariable failed

        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'OperationFailed,*'
        $listed = Get-SiteBackupRestoration -Store $wix -StoreCredential $key -Last 1
        $listed.Status | Should -Be Failed
        $listed.Collections.Status | Select-Object -Unique | Should -Be Partial
        $listed.Error | Should -BeLike '*FAILED*'
        $people | Should -BeNullOrEmpty
        Get-SlowItems people | Should -BeNullOrEmpty -Because 'Wix wrote nothing of a FAILED restoration'
        Get-SlowItems orders | Should -Be $orders
    }

    It 'ask before Wix drops its oldest on-demand backup by <How>, and do nothing on No' -ForEach @(
        @{ Answer = 'n'; How = 'its own question'; Setting = '' }
        @{ Answer = 'n'; How = "the prompt of `$ConfirmPreference = 'Medium'"; Setting = "`$ConfirmPreference = 'Medium'; " }
    ) {
        $oldest = Get-All | Where-Object { $_.Type -eq 'OnDemand' -and $_.Status -ne 'Deleted' } | Sort-Object RequestedDate | Select-Object -First 1
        $before = Get-All

        $said = Invoke-ChildPwsh "$Setting Import-Module '$module'; New-SiteBackup -Site '$wix' -Store '$wix'" -Answer $Answer | Out-String

        ([regex]::Matches($said, [regex]::Escape('[Y] Yes'))).Count | Should -Be 1 -Because "$How should be the only question"
        $said | Should -BeLike "*$($oldest.Id)*"
        (Get-All).Count | Should -Be $before.Count -Because 'No asks nothing of Wix'
        (Get-SiteBackup -Store $wix -StoreCredential $key -Id $oldest.Id).Status | Should -Not -Be Deleted
    }

    It 'refuse in a host that cannot ask, whichever question it would be, naming the backup that would go and -Force' -ForEach @(
        @{ Setting = '' }
        @{ Setting = "`$ConfirmPreference = 'Medium'; " }
    ) {
        $oldest = Get-All | Where-Object { $_.Type -eq 'OnDemand' -and $_.Status -ne 'Deleted' } | Sort-Object RequestedDate | Select-Object -First 1
        $before = Get-All

        $refused = Invoke-ChildPwsh "$Setting Import-Module '$module'; try { New-SiteBackup -Site '$wix' -Store '$wix' -ErrorAction Stop } catch { 'ERROR ' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message }" | Out-String

        $refused | Should -BeLike "*ERROR InvalidArgument,*$($oldest.Id)*-Force*"
        (Get-All).Count | Should -Be $before.Count
    }

    It 'take the backup on Yes to <How>, asked once, and Wix drops the one named' -ForEach @(
        @{ How = 'its own question'; Setting = '' }
        @{ How = "the prompt of `$ConfirmPreference = 'Medium'"; Setting = "`$ConfirmPreference = 'Medium'; " }
    ) {
        $oldest = Get-All | Where-Object { $_.Type -eq 'OnDemand' -and $_.Status -ne 'Deleted' } | Sort-Object RequestedDate | Select-Object -First 1

        $said = Invoke-ChildPwsh "$Setting Import-Module '$module'; (New-SiteBackup -Site '$wix' -Store '$wix').Status" -Answer 'y' | Out-String

        ([regex]::Matches($said, [regex]::Escape('[Y] Yes'))).Count | Should -Be 1 -Because "$How should be the only question"
        $said | Should -BeLike "*$($oldest.Id)*"
        ($said.Trim() -split '\r?\n')[-1] | Should -Be 'Ready'
        (Get-SiteBackup -Store $wix -StoreCredential $key -Id $oldest.Id).Status | Should -Be Deleted
    }
}
