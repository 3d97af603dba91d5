# Wix sites through the cmdlets, against the stand-in of the Wix Data API run as its own process.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)

    $standIn = Start-WixStandIn -Collection people, orders, people_copy, 'Stores/Products:WIX_APP'
    $env:SITEBACKUP_WIX_API = $standIn.Api
    $env:SITEBACKUP_WIX_RETRY_DELAY = '0.05'
    $site = "wix://$($standIn.SiteId)"
    $credential = [pscredential]::new('wix', (ConvertTo-SecureString $standIn.Key -AsPlainText -Force))

    function Get-WixItems([string] $collection) {
        # Every item of a collection, paged by cursor (at most 100 a page, as the SDK documents), as compact JSON sorted by
        # _id, without the two dates Wix sets itself on every write (a restore names them in its record instead).
        $items = @()
        $answer = Invoke-WixApi $standIn 'items/query' @{ dataCollectionId = $collection; query = @{ cursorPaging = @{ limit = 100 } } }
        while ($true) {
            $items += $answer.dataItems | ForEach-Object { $_.data | Select-Object -Property * -ExcludeProperty _createdDate, _updatedDate | ConvertTo-Json -Depth 20 -Compress }
            $next = $answer.pagingMetadata.cursors.next
            if (-not $next) { break }
            $answer = Invoke-WixApi $standIn 'items/query' @{ dataCollectionId = $collection; query = @{ cursorPaging = @{ limit = 100; cursor = $next } } }
        }
        $items | Sort-Object
    }

    $people = foreach ($i in 1..2500) {
        @{ id = "p$i"; data = @{ _id = "p$i"; _owner = 'owner'; name = "person $i"; score = $i / 4; joined = @{ '$date' = '2024-05-01T10:00:00.000Z' }; tags = @('a', "t$i") } }
    }
    for ($at = 0; $at -lt $people.Count; $at += 1000) {
        Invoke-WixApi $standIn 'bulk/items/save' @{ dataCollectionId = 'people'; dataItems = @($people[$at..([Math]::Min($at + 999, $people.Count - 1))]) } | Out-Null
    }
    Invoke-WixApi $standIn 'bulk/items/save' @{ dataCollectionId = 'orders'; dataItems = @(1..10 | ForEach-Object { @{ id = "o$_"; data = @{ person = "p$_"; total = $_ * 2.5 } } }) } | Out-Null
    Invoke-WixApi $standIn 'bulk/items/save' @{ dataCollectionId = 'Stores/Products'; dataItems = @(@{ id = 'app1'; data = @{ name = 'app item' } }) } | Out-Null
    $before = @{ people = Get-WixItems people; orders = Get-WixItems orders }
    $store = New-TestStore
}

AfterAll {
    Remove-Item Env:SITEBACKUP_WIX_API, Env:SITEBACKUP_WIX_RETRY_DELAY, Env:WIX_API_KEY -ErrorAction SilentlyContinue
    Stop-WixStandIn $standIn
}

Describe 'A Wix site' {
    It 'is backed up off the platform: the site''s own collections, every item as the API returns it, and no key anywhere' {
        $verbose = New-SiteBackup -Site $site -Credential $credential -Store $store -Verbose 4>&1
        $backup = $verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        $backup.Status | Should -Be Ready
        $backup.SiteId | Should -Be $site
        $backup.Collections.Id | Sort-Object | Should -Be @('orders', 'people', 'people_copy')
        ($backup.Collections | Where-Object Id -EQ people).ItemCount | Should -Be 2500
        Test-SiteBackup -Id $backup.Id -Store $store -Quiet | Should -BeTrue
        $everything = ($verbose | Out-String) + ((Get-ChildItem -Recurse -File $store | ForEach-Object { [IO.File]::ReadAllText($_.FullName) }) -join '')
        $everything | Should -Not -BeLike "*$($standIn.Key)*"
    }

    It 'is restored from the pipeline, with a record that says what was written and that Wix has no transactions' {
        Invoke-WixApi $standIn 'items/truncate' @{ dataCollectionId = 'people' } | Out-Null
        Invoke-WixApi $standIn 'bulk/items/save' @{ dataCollectionId = 'orders'; dataItems = @(@{ id = 'o1'; data = @{ person = 'changed' } }) } | Out-Null

        $restoration = Get-SiteBackup -Store $store -Site $site -Last 1 | Restore-SiteBackup -Credential $credential -Force

        $restoration.Status | Should -Be Completed
        $restoration.Transactional | Should -BeFalse
        ($restoration.Collections | Where-Object Id -EQ people).ItemCount | Should -Be 2500
        ($restoration.Collections | Where-Object Id -EQ people).Status | Should -Be Restored
        $table = $restoration.Collections | Format-Table | Out-String -Width 200
        $table | Should -Match 'Destination\s+Status\s+ItemCount\s+Refused'
        $table | Should -Match 'people\s+people\s+Restored\s+2500\s+0'
        # Wix sets the dates itself on a write: the record names them for each collection.
        ($restoration.Collections | Where-Object Id -EQ people).NotKept | Should -Be @('_createdDate', '_updatedDate')
        Get-WixItems people | Should -Be $before.people
        Get-WixItems orders | Should -Be $before.orders
    }

    It 'restores one collection into another, with the key from WIX_API_KEY' {
        $env:WIX_API_KEY = $standIn.Key
        try {
            $restoration = Restore-SiteBackup -Id (Get-SiteBackup -Store $store -Last 1).Id -Store $store -Collection people -Destination @{ people = 'people_copy' } -Force
        }
        finally { Remove-Item Env:WIX_API_KEY }
        $restoration.Collections.Destination | Should -Be 'people_copy'
        (Get-WixItems people_copy).Count | Should -Be 2500
    }

    It 'takes app collections only when asked for' {
        $backup = New-SiteBackup -Site "$site`?apps=include" -Credential $credential -Store (New-TestStore)
        $backup.Collections.Id | Should -Contain 'Stores/Products'
        $backup.SiteId | Should -Be $site
        # Piped back, into a site string without ?apps: a restore writes into any collection the site has, and the
        # checks before it starts (and -WhatIf) know it.
        ($backup | Restore-SiteBackup -Credential $credential -Collection 'Stores/Products' -Force).Status | Should -Be 'Completed'
    }

    It 'tells a wrong key and a missing key apart from everything else' {
        $wrong = [pscredential]::new('wix', (ConvertTo-SecureString 'not-the-key' -AsPlainText -Force))
        { New-SiteBackup -Site $site -Credential $wrong -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'AuthenticationFailed*'
        { New-SiteBackup -Site $site -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'AuthenticationFailed*'
        { New-SiteBackup -Site 'wix://not-a-site-id' -Credential $credential -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
    }
}
