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

    It 'has at least two examples, each with code' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.examples.example) { $example.code | Should -Not -BeNullOrEmpty }
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
    It 'is shown by Get-Help' {
        $about = Get-Help about_SiteBackup | Out-String
        $about | Should -Match 'SHORT DESCRIPTION'
        $about | Should -Match 'ArchiveVersionUnsupported'
    }
}
