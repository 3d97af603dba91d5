BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-TestModulePath
    Import-Module $modulePath
}

Describe 'The SiteBackup module' {
    It 'has a manifest that Test-ModuleManifest accepts, for PowerShell 7.6 Core' {
        $manifest = Test-ModuleManifest $modulePath
        $manifest.PowerShellVersion | Should -Be ([version]'7.6')
        $manifest.CompatiblePSEditions | Should -Be 'Core'
        $manifest.Version | Should -BeGreaterThan ([version]'0.0.0')
    }

    It 'exports exactly its cmdlets, and no functions, variables or aliases' {
        $module = Get-Module SiteBackup
        $module.ExportedCmdlets.Keys | Sort-Object | Should -Be @('Copy-SiteBackup', 'Get-SiteBackup', 'Get-SiteBackupRestoration', 'Get-SiteBackupRetention', 'New-SiteBackup', 'Remove-SiteBackup', 'Restore-SiteBackup', 'Set-SiteBackupRetention', 'Test-SiteBackup')
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedVariables.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }

    It 'imports in a fresh pwsh and works there' {
        $site = New-TestSite
        $store = New-TestStore
        $output = Invoke-ChildPwsh "Import-Module '$modulePath'; (New-SiteBackup -Site '$site' -Store '$store').Status"
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be 'Ready'
    }

    It 'loads the engine and SQLite in its own assembly load context, not in the default one' {
        New-SiteBackup -Site (New-TestSite) -Store (New-TestStore) | Out-Null
        $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'SiteBackup'
        $context.Assemblies.GetName().Name | Should -Contain 'Backups.Engine'
        $context.Assemblies.GetName().Name | Should -Contain 'Microsoft.Data.Sqlite'
        [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name | Should -Not -Contain 'Microsoft.Data.Sqlite'
    }

    It 'declares the output type of every cmdlet' {
        foreach ($command in Get-Command -Module SiteBackup) {
            $command.OutputType.Name | Should -Not -BeNullOrEmpty -Because "$($command.Name) should declare what it emits"
        }
    }
}
