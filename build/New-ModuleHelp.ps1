<#
.SYNOPSIS
    Turns docs/*.md into the module's help: en-US/SiteBackup.dll-Help.xml (MAML, for Get-Help Verb-Noun) and
    en-US/about_SiteBackup.help.txt (for Get-Help about_SiteBackup).
.DESCRIPTION
    Runs in its own pwsh with the built module imported: the syntax, parameter types, positions, pipeline input and
    aliases come from the cmdlets themselves; the prose comes from the markdown. It stops the build when a cmdlet has
    no page, or its page lacks a synopsis, a description, two examples (each with a title, code and a description),
    an output, or a section for a parameter.

    A page looks like this (headings are matched case-insensitively):
        # Verb-Noun
        ## Synopsis          one paragraph
        ## Description       paragraphs
        ## Examples          ### Example N: title, a ```powershell block, then remarks
        ## Parameters        ### -Name, then its description; a paragraph "Default value: X" is the default
                             Get-Help shows
        ## Inputs            ### Type name, then a description
        ## Outputs           ### Type name, then a description
        ## Notes             paragraphs (optional)
        ## Related links     a list of [Name](target) (optional)
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module $ModulePath -PassThru
$outFolder = Join-Path $module.ModuleBase 'en-US'
New-Item -ItemType Directory -Force $outFolder | Out-Null
# -WhatIf and -Confirm are documented like any other parameter; the rest are <CommonParameters>.
$common = [System.Management.Automation.PSCmdlet]::CommonParameters

function Split-Sections {
    # Splits markdown into @{ Title; Lines } at headings of the given level, ignoring headings inside code fences.
    param([string[]] $Lines, [int] $Level)
    $marker = ('#' * $Level) + ' '
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = $null
    $inCode = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $inCode = -not $inCode }
        if (-not $inCode -and $line.StartsWith($marker)) {
            $current = @{ Title = $line.Substring($marker.Length).Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            $sections.Add($current)
        }
        elseif ($current) { $current.Lines.Add($line) }
    }
    $sections
}

function Get-Paragraphs {
    # Markdown lines → paragraphs of plain text (blank lines separate paragraphs; list items stay one per line).
    param([string[]] $Lines)
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $buffer = [System.Collections.Generic.List[string]]::new()
    $inCode = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') {
            if ($buffer.Count) { $paragraphs.Add($buffer -join "`n"); $buffer.Clear() }
            $inCode = -not $inCode
            continue
        }
        if ($inCode) { $buffer.Add('    ' + $line); continue }
        if ($line.Trim() -eq '') {
            if ($buffer.Count) { $paragraphs.Add($buffer -join ' '); $buffer.Clear() }
            continue
        }
        $text = $line.Trim() -replace '\[([^\]]+)\]\([^)]+\)', '$1' -replace '`([^`]+)`', '$1' -replace '\*\*([^*]+)\*\*', '$1'
        if ($text -match '^[-*] ') {
            if ($buffer.Count) { $paragraphs.Add($buffer -join ' '); $buffer.Clear() }
            $paragraphs.Add($text)
        }
        else { $buffer.Add($text) }
    }
    if ($buffer.Count) { $paragraphs.Add($buffer -join ' ') }
    @($paragraphs | Where-Object { $_.Trim() })
}

function Find-Section($sections, [string] $title) {
    $sections | Where-Object { $_.Title -eq $title } | Select-Object -First 1
}

$problems = [System.Collections.Generic.List[string]]::new()
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
# pwsh looks for a binary module's help beside the assembly that holds the cmdlets: <assembly>.dll-Help.xml.
$assembly = (Get-Command -Module $module.Name -CommandType Cmdlet | Select-Object -First 1).DLL
$helpFile = Join-Path $outFolder "$([IO.Path]::GetFileName($assembly))-Help.xml"
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$xml = [System.Xml.XmlWriter]::Create($helpFile, $settings)
$xml.WriteStartDocument()
$xml.WriteStartElement('helpItems', 'http://msh')
$xml.WriteAttributeString('schema', 'maml')

function Write-Paras([string[]] $paragraphs) {
    $xml.WriteStartElement('maml', 'description', $maml)
    foreach ($p in $paragraphs) { $xml.WriteElementString('maml', 'para', $maml, $p) }
    $xml.WriteEndElement()
}

function Split-Default([string[]] $paragraphs) {
    # A parameter's paragraphs → @{ Description; Default }: "Default value: X" is taken out as the default.
    $default = $paragraphs | Where-Object { $_ -match '^Default value: ' } | Select-Object -First 1
    @{ Description = @($paragraphs | Where-Object { $_ -notmatch '^Default value: ' }); Default = if ($default) { $default.Substring('Default value: '.Length) } else { '' } }
}

function Write-Parameter($parameter, [string[]] $description, [string] $setPosition, [bool] $required, [string] $pipeline, [string] $default = '') {
    $xml.WriteStartElement('command', 'parameter', $cmd)
    $xml.WriteAttributeString('required', $required.ToString().ToLowerInvariant())
    $xml.WriteAttributeString('variableLength', $parameter.ParameterType.IsArray.ToString().ToLowerInvariant())
    $globbing = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $xml.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $xml.WriteAttributeString('pipelineInput', $pipeline)
    $xml.WriteAttributeString('position', $setPosition)
    $xml.WriteAttributeString('aliases', $(if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }))
    $xml.WriteElementString('maml', 'name', $maml, $parameter.Name)
    Write-Paras $description
    $isSwitch = $parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]
    # int? shows as Int32, not Nullable`1.
    $type = [Nullable]::GetUnderlyingType($parameter.ParameterType) ?? $parameter.ParameterType
    if (-not $isSwitch) {
        $xml.WriteStartElement('command', 'parameterValue', $cmd)
        $xml.WriteAttributeString('required', 'true')
        $xml.WriteAttributeString('variableLength', $parameter.ParameterType.IsArray.ToString().ToLowerInvariant())
        $xml.WriteString($type.Name)
        $xml.WriteEndElement()
    }
    $xml.WriteStartElement('dev', 'type', $dev)
    $xml.WriteElementString('maml', 'name', $maml, $type.FullName)
    $xml.WriteEndElement()
    $xml.WriteElementString('dev', 'defaultValue', $dev, $(if ($default) { $default } else { 'None' }))
    $xml.WriteEndElement()
}

function Get-PipelineText($attributes) {
    $byValue = [bool]($attributes | Where-Object ValueFromPipeline)
    $byName = [bool]($attributes | Where-Object ValueFromPipelineByPropertyName)
    if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' }
    elseif ($byValue) { 'True (ByValue)' }
    elseif ($byName) { 'True (ByPropertyName)' }
    else { 'False' }
}

foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $page = Join-Path $DocsPath "$($command.Name).md"
    if (-not (Test-Path $page)) { $problems.Add("$($command.Name): no page docs/$($command.Name).md"); continue }
    $top = Split-Sections (Get-Content $page) 2
    $synopsis = Get-Paragraphs (Find-Section $top 'Synopsis')?.Lines
    $description = Get-Paragraphs (Find-Section $top 'Description')?.Lines
    $examples = @(Split-Sections (Find-Section $top 'Examples')?.Lines 3)
    $parameterDocs = @{}
    foreach ($section in Split-Sections (Find-Section $top 'Parameters')?.Lines 3) {
        $parameterDocs[$section.Title.TrimStart('-')] = Split-Default @(Get-Paragraphs $section.Lines)
    }
    $inputs = @(Split-Sections (Find-Section $top 'Inputs')?.Lines 3)
    $outputs = @(Split-Sections (Find-Section $top 'Outputs')?.Lines 3)
    $notes = Get-Paragraphs (Find-Section $top 'Notes')?.Lines
    $links = @((Find-Section $top 'Related links')?.Lines | Where-Object { $_ -match '^\s*[-*] \[([^\]]+)\]' } | ForEach-Object { $Matches[1] })

    if (-not $synopsis) { $problems.Add("$($command.Name): no synopsis") }
    if (-not $description) { $problems.Add("$($command.Name): no description") }
    if ($examples.Count -lt 2) { $problems.Add("$($command.Name): fewer than two examples") }
    if ($outputs.Count -lt 1) { $problems.Add("$($command.Name): no outputs") }
    $parameters = @($command.Parameters.Values | Where-Object { $_.Name -notin $common })
    foreach ($parameter in $parameters) {
        if (-not $parameterDocs[$parameter.Name].Description) { $problems.Add("$($command.Name): no description of -$($parameter.Name)") }
    }
    foreach ($documented in $parameterDocs.Keys) {
        if ($documented -notin $parameters.Name) { $problems.Add("$($command.Name): documents -$documented, which it does not have") }
    }

    $xml.WriteStartElement('command', 'command', $cmd)
    $xml.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $xml.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $xml.WriteStartElement('command', 'details', $cmd)
    $xml.WriteElementString('command', 'name', $cmd, $command.Name)
    $xml.WriteElementString('command', 'verb', $cmd, $command.Verb)
    $xml.WriteElementString('command', 'noun', $cmd, $command.Noun)
    Write-Paras $synopsis
    $xml.WriteEndElement()
    Write-Paras $description

    $xml.WriteStartElement('command', 'syntax', $cmd)
    foreach ($set in $command.ParameterSets) {
        $xml.WriteStartElement('command', 'syntaxItem', $cmd)
        $xml.WriteElementString('maml', 'name', $maml, $command.Name)
        foreach ($p in $set.Parameters | Where-Object { $_.Name -notin $common }) {
            $position = if ($p.Position -ge 0) { [string]$p.Position } else { 'named' }
            $pipeline = if ($p.ValueFromPipeline -and $p.ValueFromPipelineByPropertyName) { 'True (ByValue, ByPropertyName)' }
                elseif ($p.ValueFromPipeline) { 'True (ByValue)' } elseif ($p.ValueFromPipelineByPropertyName) { 'True (ByPropertyName)' } else { 'False' }
            Write-Parameter $command.Parameters[$p.Name] @($parameterDocs[$p.Name].Description | Select-Object -First 1) $position $p.IsMandatory $pipeline $parameterDocs[$p.Name].Default
        }
        $xml.WriteEndElement()
    }
    $xml.WriteEndElement()

    $xml.WriteStartElement('command', 'parameters', $cmd)
    foreach ($parameter in $parameters | Sort-Object Name) {
        $attributes = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $positions = @($attributes | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Select-Object -Unique)
        $position = if ($positions.Count) { [string]$positions[0] } else { 'named' }
        $required = [bool]($attributes | Where-Object Mandatory)
        Write-Parameter $parameter $parameterDocs[$parameter.Name].Description $position $required (Get-PipelineText $attributes) $parameterDocs[$parameter.Name].Default
    }
    $xml.WriteEndElement()

    foreach ($kind in @(@{ List = 'inputTypes'; Item = 'inputType'; Sections = $inputs }, @{ List = 'returnValues'; Item = 'returnValue'; Sections = $outputs })) {
        $xml.WriteStartElement('command', $kind.List, $cmd)
        foreach ($section in $kind.Sections) {
            $xml.WriteStartElement('command', $kind.Item, $cmd)
            $xml.WriteStartElement('dev', 'type', $dev)
            $xml.WriteElementString('maml', 'name', $maml, $section.Title)
            $xml.WriteEndElement()
            Write-Paras (Get-Paragraphs $section.Lines)
            $xml.WriteEndElement()
        }
        $xml.WriteEndElement()
    }

    if ($notes) {
        $xml.WriteStartElement('maml', 'alertSet', $maml)
        $xml.WriteStartElement('maml', 'alert', $maml)
        foreach ($p in $notes) { $xml.WriteElementString('maml', 'para', $maml, $p) }
        $xml.WriteEndElement()
        $xml.WriteEndElement()
    }

    $xml.WriteStartElement('command', 'examples', $cmd)
    foreach ($example in $examples) {
        $code = [System.Collections.Generic.List[string]]::new()
        $remarks = [System.Collections.Generic.List[string]]::new()
        $inCode = $false; $seenCode = $false
        foreach ($line in $example.Lines) {
            if ($line -match '^\s*```') { $inCode = -not $inCode; $seenCode = $true; continue }
            if ($inCode) { $code.Add($line) } elseif ($seenCode) { $remarks.Add($line) }
        }
        if (-not $code.Count) { $problems.Add("$($command.Name): example '$($example.Title)' has no code") }
        if ($example.Title -notmatch '^Example \d+: \S') { $problems.Add("$($command.Name): example '$($example.Title)' has no title (### Example N: title)") }
        if (-not (Get-Paragraphs $remarks)) { $problems.Add("$($command.Name): example '$($example.Title)' has no description after its code") }
        $xml.WriteStartElement('command', 'example', $cmd)
        $xml.WriteElementString('maml', 'title', $maml, "-------------------------- $($example.Title) --------------------------")
        $xml.WriteElementString('dev', 'code', $dev, ($code -join "`n"))
        $xml.WriteStartElement('dev', 'remarks', $dev)
        foreach ($p in Get-Paragraphs $remarks) { $xml.WriteElementString('maml', 'para', $maml, $p) }
        $xml.WriteEndElement()
        $xml.WriteEndElement()
    }
    $xml.WriteEndElement()

    $xml.WriteStartElement('command', 'relatedLinks', $cmd)
    foreach ($link in $links) {
        $xml.WriteStartElement('maml', 'navigationLink', $maml)
        $xml.WriteElementString('maml', 'linkText', $maml, $link)
        $xml.WriteElementString('maml', 'uri', $maml, '')
        $xml.WriteEndElement()
    }
    $xml.WriteEndElement()
    $xml.WriteEndElement()
}
$xml.WriteEndElement()
$xml.WriteEndDocument()
$xml.Dispose()

# About topics: the markdown as plain text, which is what Get-Help shows for them.
foreach ($about in Get-ChildItem $DocsPath -Filter 'about_*.md') {
    $lines = Get-Content $about.FullName | Where-Object { $_ -notmatch '^\s*```' } | ForEach-Object {
        $_ -replace '^#+\s*', '' -replace '\[([^\]]+)\]\([^)]+\)', '$1' -replace '`([^`]+)`', '$1' -replace '\*\*([^*]+)\*\*', '$1'
    }
    $lines | Set-Content -Encoding utf8NoBOM (Join-Path $outFolder "$($about.BaseName).help.txt")
}

if ($problems.Count) {
    $problems | ForEach-Object { Write-Host "help: $_" -ForegroundColor Red }
    exit 1
}
Write-Host "Help written to $outFolder"
