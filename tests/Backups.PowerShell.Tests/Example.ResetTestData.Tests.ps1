# An example of SiteBackup in a test suite: back the test database up once, restore it after each test, so every
# test starts from the same data whatever the one before it did.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'A suite that resets its test data after each test' {
    BeforeAll {
        $database = New-TestSite        # in a real suite: the test database the code under test uses
        $store = New-TestStore
        $baseline = New-SiteBackup -Site $database -Store $store
    }

    AfterEach {
        $baseline | Restore-SiteBackup -Force | Out-Null
    }

    It 'may delete data' {
        Invoke-Sqlite $database 'DELETE FROM people; DELETE FROM orders;' | Out-Null
        Invoke-Sqlite $database 'SELECT count(*) FROM people' | Should -Be 0
    }

    It 'sees the data again in the next test' {
        Invoke-Sqlite $database 'SELECT count(*) FROM people' | Should -Be 5
        Invoke-Sqlite $database 'SELECT count(*) FROM orders' | Should -Be 3
    }
}
