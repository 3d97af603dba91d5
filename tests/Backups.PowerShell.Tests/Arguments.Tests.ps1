# Argument handling every cmdlet shares: a store path that is a file, a record piped in while -Id names a backup.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
}

Describe 'A store path that is a file' {
    BeforeAll {
        $site = New-TestSite
        $file = Join-Path $TestDrive 'store-is-a-file'
        Set-Content $file 'not a folder'
        $backup = New-SiteBackup -Site $site -Store (New-TestStore)
        $commands = @{
            'New-SiteBackup'            = { New-SiteBackup -Site $site -Store $file -ErrorAction Stop }
            'Get-SiteBackup'            = { Get-SiteBackup -Store $file -ErrorAction Stop }
            'Restore-SiteBackup'        = { Restore-SiteBackup -Id $backup.Id -Store $file -Force -ErrorAction Stop }
            'Remove-SiteBackup'         = { Remove-SiteBackup -Id $backup.Id -Store $file -Force -ErrorAction Stop }
            'Test-SiteBackup'           = { Test-SiteBackup -Id $backup.Id -Store $file -ErrorAction Stop }
            'Copy-SiteBackup'           = { $backup | Copy-SiteBackup -Destination $file -ErrorAction Stop }
            'Get-SiteBackupRestoration' = { Get-SiteBackupRestoration -Store $file -ErrorAction Stop }
            'Get-SiteBackupRetention'   = { Get-SiteBackupRetention -Store $file -ErrorAction Stop }
            'Set-SiteBackupRetention'   = { Set-SiteBackupRetention -Store $file -MaxOnDemandBackups 5 -ErrorAction Stop }
        }
    }

    It 'is InvalidArgument "is a file, not a store folder" for <_>, and the file is left as it was' -ForEach @(
        'New-SiteBackup', 'Get-SiteBackup', 'Restore-SiteBackup', 'Remove-SiteBackup', 'Test-SiteBackup', 'Copy-SiteBackup',
        'Get-SiteBackupRestoration', 'Get-SiteBackupRetention', 'Set-SiteBackupRetention') {
        $commands[$_] | Should -Throw -ErrorId 'InvalidArgument,*' -ExpectedMessage '*is a file, not a store folder*'
        Get-Content $file | Should -Be 'not a folder'
    }

    It 'covers every cmdlet of the module' {
        (Get-Command -Module SiteBackup).Name | Sort-Object | Should -Be ($commands.Keys | Sort-Object)
    }
}

Describe 'A record piped in while -Id names a backup' {
    BeforeAll {
        $site = New-TestSite
        $other = New-TestSite
        $store = New-TestStore
        $piped = New-SiteBackup -Site $other -Store $store
        $named = New-SiteBackup -Site $site -Store $store
    }

    It 'is a parameter-binding error for <_>, and nothing is done' -ForEach 'Restore-SiteBackup', 'Remove-SiteBackup', 'Test-SiteBackup' {
        $command = $_
        $before = Get-StoreState $store
        $content = Get-SiteContent $site
        $force = if ($command -eq 'Test-SiteBackup') { @{} } else { @{ Force = $true } }
        { $piped | & $command -Id $named.Id @force -ErrorAction Stop } |
            Should -Throw -ErrorId 'InputObjectNotBound,*' -ExceptionType ([System.Management.Automation.ParameterBindingException])
        Get-StoreState $store | Should -Be $before
        Get-SiteContent $site | Should -Be $content
    }
}
