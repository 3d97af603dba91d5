# Hostile and broken archives, put in a store in place of a real backup's archive: Test-SiteBackup must report
# each one, Restore-SiteBackup must refuse it with ArchiveCorrupt or ArchiveVersionUnsupported before touching the
# site, and nothing may be written outside the store. (The engine's xunit suite has the same corpus and a fuzz loop.)

BeforeDiscovery {
    $cases = @(
        @{ Case = 'truncated'; Id = 'ArchiveCorrupt' }
        @{ Case = 'a bit flipped in an item'; Id = 'ArchiveCorrupt' }
        @{ Case = 'a collection entry missing'; Id = 'ArchiveCorrupt' }
        @{ Case = 'an entry added'; Id = 'ArchiveCorrupt' }
        @{ Case = 'an entry named ../escape.jsonl'; Id = 'ArchiveCorrupt' }
        @{ Case = 'an entry with an absolute name'; Id = 'ArchiveCorrupt' }
        @{ Case = 'an entry with a backslash'; Id = 'ArchiveCorrupt' }
        @{ Case = 'a duplicate entry'; Id = 'ArchiveCorrupt' }
        @{ Case = 'a manifest lying about a count'; Id = 'ArchiveCorrupt' }
        @{ Case = 'a manifest lying about a checksum'; Id = 'ArchiveCorrupt' }
        @{ Case = 'a zip bomb declaring 4 GB'; Id = 'ArchiveCorrupt' }
        @{ Case = 'an item that is not JSON'; Id = 'ArchiveCorrupt' }
        @{ Case = 'an item that is not UTF-8'; Id = 'ArchiveCorrupt' }
        @{ Case = 'an unknown format version'; Id = 'ArchiveVersionUnsupported' }
        @{ Case = 'not a zip at all'; Id = 'ArchiveCorrupt' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)
    Add-Type -AssemblyName System.IO.Compression

    function Read-Entries([string] $archive) {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($archive)
        try {
            foreach ($entry in $zip.Entries) {
                $buffer = [IO.MemoryStream]::new()
                $stream = $entry.Open(); $stream.CopyTo($buffer); $stream.Dispose()
                [pscustomobject]@{ Name = $entry.FullName; Data = $buffer.ToArray() }
            }
        }
        finally { $zip.Dispose() }
    }

    function Write-Entries([string] $archive, $entries) {
        Remove-Item $archive
        $zip = [System.IO.Compression.ZipFile]::Open($archive, 'Create')
        try {
            foreach ($e in $entries) {
                $stream = $zip.CreateEntry($e.Name).Open(); $stream.Write($e.Data, 0, $e.Data.Length); $stream.Dispose()
            }
        }
        finally { $zip.Dispose() }
    }

    function Edit-Manifest($entries, [scriptblock] $edit) {
        foreach ($e in $entries) {
            if ($e.Name -ne 'manifest.json') { $e; continue }
            $manifest = [Text.Encoding]::UTF8.GetString($e.Data) | ConvertFrom-Json
            & $edit $manifest
            [pscustomobject]@{ Name = $e.Name; Data = [Text.Encoding]::UTF8.GetBytes(($manifest | ConvertTo-Json -Depth 10)) }
        }
    }

    function Set-Item([object[]] $entries, [string] $name, [byte[]] $data, [switch] $FixManifest) {
        # Replaces an entry's bytes; with -FixManifest the manifest is made to agree, so only the content is wrong.
        $entries = foreach ($e in $entries) { if ($e.Name -eq $name) { [pscustomobject]@{ Name = $name; Data = $data } } else { $e } }
        if ($FixManifest) {
            $sha = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($data)).ToLowerInvariant()
            $entries = Edit-Manifest $entries { param($m) $c = $m.collections | Where-Object entry -EQ $name; $c.byteCount = $data.Length; $c.sha256 = $sha }
        }
        $entries
    }

    function New-HostileArchive([string] $case, [string] $archive) {
        $entries = @(Read-Entries $archive)
        $people = 'collections/2.jsonl'
        $peopleData = ($entries | Where-Object Name -EQ $people).Data
        switch ($case) {
            'truncated' { $bytes = [IO.File]::ReadAllBytes($archive); [IO.File]::WriteAllBytes($archive, $bytes[0..($bytes.Length * 2 / 3)]); return }
            'not a zip at all' { Set-Content $archive 'this is not a zip file'; return }
            'a bit flipped in an item' { $d = [byte[]]$peopleData.Clone(); $d[17] = $d[17] -bxor 1; $entries = Set-Item $entries $people $d }
            'a collection entry missing' { $entries = $entries | Where-Object Name -NE $people }
            'an entry added' { $entries += [pscustomobject]@{ Name = 'collections/9.jsonl'; Data = [Text.Encoding]::UTF8.GetBytes("{}`n") } }
            'an entry named ../escape.jsonl' { $entries += [pscustomobject]@{ Name = '../escape.jsonl'; Data = [byte[]](1, 2, 3) } }
            'an entry with an absolute name' { $entries += [pscustomobject]@{ Name = "$TestDrive/absolute.jsonl"; Data = [byte[]](1, 2, 3) } }
            'an entry with a backslash' { $entries += [pscustomobject]@{ Name = 'collections\evil.jsonl'; Data = [byte[]](1, 2, 3) } }
            'a duplicate entry' { $entries += $entries | Where-Object Name -EQ $people }
            'a manifest lying about a count' { $entries = Edit-Manifest $entries { param($m) ($m.collections | Where-Object id -EQ 'people').itemCount = 4 } }
            'a manifest lying about a checksum' { $entries = Edit-Manifest $entries { param($m) ($m.collections | Where-Object id -EQ 'people').sha256 = '0' * 64 } }
            'an item that is not JSON' { $entries = Set-Item $entries $people ([Text.Encoding]::UTF8.GetBytes("{`"id`": 1}`n{oops`n")) -FixManifest }
            'an item that is not UTF-8' { $entries = Set-Item $entries $people ([byte[]](0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D, 0x0A)) -FixManifest }
            'an unknown format version' { $entries = Edit-Manifest $entries { param($m) $m.formatVersion = 4 } }
            'a zip bomb declaring 4 GB' {
                $entries = Edit-Manifest $entries { param($m) ($m.collections | Where-Object id -EQ 'people').byteCount = 4294967280 }
                Write-Entries $archive $entries
                # Patch the zip's central directory so the entry itself claims 4 GB, as a hand-made bomb does.
                $bytes = [IO.File]::ReadAllBytes($archive)
                $name = [Text.Encoding]::UTF8.GetBytes($people)
                for ($i = 0; $i -lt $bytes.Length - 46; $i++) {
                    if ($bytes[$i] -eq 0x50 -and $bytes[$i + 1] -eq 0x4B -and $bytes[$i + 2] -eq 1 -and $bytes[$i + 3] -eq 2 -and
                        [BitConverter]::ToUInt16($bytes, $i + 28) -eq $name.Length -and
                        [Text.Encoding]::UTF8.GetString($bytes, $i + 46, $name.Length) -eq $people) {
                        [BitConverter]::GetBytes([uint32]4294967280).CopyTo($bytes, $i + 24)
                    }
                }
                [IO.File]::WriteAllBytes($archive, $bytes)
                return
            }
        }
        Write-Entries $archive $entries
    }
}

Describe 'A store holding <Case>' -ForEach $cases {
    BeforeAll {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory $folder | Out-Null
        $site = New-TestSite -Path (Join-Path $folder 'site.db')
        $store = Join-Path $folder 'store'
        $backup = New-SiteBackup -Site $site -Store $store
        New-HostileArchive $Case (Join-Path $store "archives/$($backup.Id).zip")
        Invoke-Sqlite $site "UPDATE people SET name = 'changed'" | Out-Null
        $content = Get-SiteContent $site
        $outside = (Get-ChildItem $TestDrive -Recurse -File | Where-Object FullName -NotLike "$store*" | ForEach-Object FullName) -join "`n"
    }

    It 'is reported by Test-SiteBackup' {
        $result = $backup | Test-SiteBackup
        $result.IsValid | Should -BeFalse
        $result.Problems.Message | Should -Not -BeNullOrEmpty
    }

    It 'is refused by Restore-SiteBackup with <Id>, the site untouched and nothing written outside the store' {
        $backup | Restore-SiteBackup -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        Get-SiteContent $site | Should -Be $content
        (Get-ChildItem $TestDrive -Recurse -File | Where-Object { $_.FullName -notlike "$store*" -and $_.Name -notlike 'site.db*' } | ForEach-Object FullName) -join "`n" |
            Should -Be (($outside -split "`n" | Where-Object { $_ -and (Split-Path -Leaf $_) -notlike 'site.db*' }) -join "`n")
    }
}
