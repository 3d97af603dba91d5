BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
    $commands = Get-Command -Module SiteBackup | ForEach-Object { @{ Name = $_.Name } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
}

Describe 'Help for <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has a synopsis and a description of its own' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *" -Because 'without help, Get-Help makes the synopsis from the syntax'
        ($help.description.Text -join ' ') | Should -Match '\w{4,}'
    }

    It 'has at least two examples, each with a title, code and a description' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.examples.example) {
            $example.title | Should -Match 'Example \d+: \w' -Because "every example of $Name needs a title"
            $example.code | Should -Not -BeNullOrEmpty
            ($example.remarks.Text -join ' ') | Should -Match '\w{3,}' -Because "'$($example.title.Trim('- '))' of $Name needs a description"
        }
    }

    It 'names each parameter''s type, a nullable one by the type it holds' {
        foreach ($parameter in $help.parameters.parameter) {
            "$($parameter.type.name)" | Should -Not -Match 'Nullable' -Because "-$($parameter.name) of $Name"
        }
    }

    It 'shows the default value of -Store, and of -Type where it has one' {
        if ($command.Parameters.ContainsKey('Store')) {
            ($help.parameters.parameter | Where-Object name -EQ 'Store').defaultValue | Should -Match 'SITEBACKUP_STORE'
        }
        if ($command.Parameters.ContainsKey('Type') -and $Name -eq 'New-SiteBackup') {
            ($help.parameters.parameter | Where-Object name -EQ 'Type').defaultValue | Should -Be 'OnDemand'
        }
    }

    It 'describes every parameter' {
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $described = $help.parameters.parameter | Where-Object name -EQ $parameter
            ($described.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs help"
        }
    }

    It 'names what it outputs' {
        $help.returnValues.returnValue.type.name | Should -Not -BeNullOrEmpty
    }
}

Describe 'about_SiteBackup' {
    BeforeAll {
        $about = Get-Help about_SiteBackup | Out-String
        $lines = $about -split "`r?`n"
        $sections = 'SHORT DESCRIPTION', 'LONG DESCRIPTION', 'Words', 'Commands', 'Choosing collections', 'Retention', 'Times',
            'The archive (format version 3)', 'SQLite sites', 'PostgreSQL sites', 'Safety', 'Stores and locks', 'Azure Blob stores', 'Wix sites', 'Errors', 'Unattended use', 'SEE ALSO'
        function Get-Section([string] $title) {
            # The lines between a heading and the next one.
            $text = [System.Collections.Generic.List[string]]::new()
            for ($i = [array]::IndexOf($lines, $title) + 1; $i -lt $lines.Count -and $lines[$i] -notin $sections; $i++) { $text.Add($lines[$i]) }
            $text -join "`n"
        }
    }

    It 'is shown by Get-Help' {
        $about | Should -Match 'SHORT DESCRIPTION'
        $about | Should -Match 'ArchiveVersionUnsupported'
    }

    It 'has its sections in order, each subject under its own heading' {
        @($lines | Where-Object { $_ -in $sections }) | Should -Be $sections
        Get-Section 'Wix sites' | Should -Not -Match 'lock'
        Get-Section 'Stores and locks' | Should -Match 'StoreLocked'
        Get-Section 'Retention' | Should -Match 'partial'
        Get-Section 'Times' | Should -Match '2026-11-25 13:19:05Z'
        Get-Section 'Errors' | Should -Match 'SiteCorrupt'
    }
}
