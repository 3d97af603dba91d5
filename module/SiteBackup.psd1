@{
    RootModule           = 'SiteBackup.dll'
    # The build stamps the version from build.ps1's -Version (default: Directory.Build.props).
    ModuleVersion        = '0.0.0'
    GUID                 = '6c0f5b0e-2d7a-4d0e-9a43-3a1d4a8e51c2'
    Author               = 'SiteBackup contributors'
    CompanyName          = 'SiteBackup'
    Copyright            = '(c) SiteBackup contributors. MIT licence.'
    Description          = 'Backs up the collections of a site (a SQLite file, PostgreSQL, Wix) into verifiable JSON archives, lists, restores, verifies and removes them, and keeps retention.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    # The loader is imported first: it sends the engine and its dependencies (under lib/) into the module's own
    # assembly load context before pwsh inspects the cmdlets (see src/Backups.PowerShell.Loader).
    NestedModules        = @('SiteBackup.Loader.dll')
    FormatsToProcess     = @('SiteBackup.Format.ps1xml')
    TypesToProcess       = @('SiteBackup.Types.ps1xml')
    CmdletsToExport      = @(
        'New-SiteBackup'
        'Get-SiteBackup'
        'Restore-SiteBackup'
        'Remove-SiteBackup'
        'Copy-SiteBackup'
        'Test-SiteBackup'
        'Get-SiteBackupRestoration'
        'Get-SiteBackupRetention'
        'Set-SiteBackupRetention'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Backup', 'Restore', 'SQLite', 'PostgreSQL', 'Wix', 'AzureBlob', 'Retention', 'Archive', 'Linux', 'Windows', 'MacOS', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/sitebackup/SiteBackup'
            # The LICENSE file at the repository's root, also in the package.
            LicenseUri   = 'https://github.com/sitebackup/SiteBackup/blob/main/LICENSE'
            # The build stamps both: the version's section of CHANGELOG.md, and the label of a prerelease version.
            ReleaseNotes = ''
            Prerelease   = ''
        }
    }
}
