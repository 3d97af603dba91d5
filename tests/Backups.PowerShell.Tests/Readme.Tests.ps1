# The README's examples for a SQLite site, run as written, in order, in one fresh pwsh: the only change is that the
# store /backups is a folder of the test's own.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function Get-ReadmeSection([string] $heading) {
        # The ```powershell blocks between "## <heading>" and the next "## " heading.
        $text = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
        $section = ($text -split "(?m)^## ")  | Where-Object { $_.StartsWith($heading) } | Select-Object -First 1
        [regex]::Matches($section, '(?ms)^```powershell\r?\n(.*?)^```') | ForEach-Object { $_.Groups[1].Value }
    }
}

Describe 'The README' {
    It 'runs its SQLite examples as written, without an error or a prompt' {
        $blocks = @(Get-ReadmeSection 'Use it on your own SQLite file')
        $blocks.Count | Should -BeGreaterThan 8
        # The first block imports the module from the repository root, the Pester snippet belongs in a Pester suite
        # (Example.ResetTestData.Tests.ps1 runs it): the child below imports the built module itself.
        $examples = $blocks | Where-Object { $_ -notmatch 'Import-Module' -and $_ -notmatch 'BeforeAll' }

        $folder = New-Item -ItemType Directory (Join-Path $TestDrive 'readme')
        $store = Join-Path $TestDrive 'backups'
        New-GeneratedSite -Items 2000 -Path (Join-Path $folder 'shop.db') | Out-Null
        Invoke-Sqlite (Join-Path $folder 'shop.db') 'CREATE TABLE customers_restored AS SELECT * FROM customers WHERE 0' | Out-Null
        Copy-Item (Join-Path $folder 'shop.db') (Join-Path $folder 'copy-of-shop.db')
        $script = Join-Path $TestDrive 'readme.ps1'
        @(
            "`$ErrorActionPreference = 'Stop'"
            "`$ProgressPreference = 'SilentlyContinue'"
            "Import-Module '$(Get-TestModulePath)'"
            "`$env:SITEBACKUP_STORE = '$(Join-Path $TestDrive 'default-store')'"
            "Set-Location '$folder'"
            $examples -replace '/backups', $store
            "'README: done'"
        ) | Set-Content $script

        $output = Invoke-ChildPwsh "& '$script'" 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain 'README: done'
        ($output -join "`n") | Should -Match 'What if: .*Replace the content of'
        (Get-ChildItem (Join-Path $TestDrive 'default-store/archives')).Count | Should -Be 1
        Invoke-Sqlite (Join-Path $folder 'shop.db') 'SELECT count(*) = (SELECT count(*) FROM customers) FROM customers_restored' | Should -Be 1
    }
}
