# The module as users install it: published to a PowerShell repository (a folder), installed, imported by name,
# updated and uninstalled with PSResourceGet, in a pwsh whose home and module path are temporary; and the package
# checked for the native SQLite library of every platform it runs on, each of the right architecture.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $moduleFolder = Split-Path (Get-TestModulePath)
    $user = Join-Path $TestDrive 'user'
    # .NET names a special folder only if it exists: make them all, so that nothing lands beside the current folder.
    foreach ($folder in 'data', 'config', 'local', 'roaming', '.local/share', '.config') { New-Item -ItemType Directory -Force (Join-Path $user $folder) | Out-Null }
    # Where Install-PSResource puts a CurrentUser module on Linux and macOS (~/.local/share/powershell/Modules; on
    # Windows it is Documents\PowerShell\Modules, under the temporary profile too).
    $userModules = if ($IsWindows) { Join-Path $user 'Documents/PowerShell/Modules' } else { Join-Path $user '.local/share/powershell/Modules' }
    $repository = New-Item -ItemType Directory (Join-Path $TestDrive 'repository')

    function Invoke-AsNewUser([string] $command) {
        # Runs $command in a new pwsh as a user who has nothing installed: temporary home, data and module path.
        $saved = @{}
        $set = @{
            HOME = $user; USERPROFILE = $user; XDG_DATA_HOME = (Join-Path $user '.local/share'); XDG_CONFIG_HOME = (Join-Path $user '.config')
            LOCALAPPDATA = (Join-Path $user 'local'); APPDATA = (Join-Path $user 'roaming')
            PSModulePath = ($userModules, (Join-Path $PSHOME 'Modules')) -join [IO.Path]::PathSeparator
        }
        foreach ($name in $set.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $set[$name]) }
        try { Invoke-ChildPwsh "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; $command" 2>&1 | ForEach-Object { "$_" } }
        finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
    }

    function Publish-Version([string] $version) {
        # The built module, stamped with $version, published to the repository.
        $copy = Join-Path (New-Item -ItemType Directory -Force (Join-Path $TestDrive "v$version")) 'SiteBackup'
        Copy-Item -Recurse $moduleFolder $copy
        $manifest = Join-Path $copy 'SiteBackup.psd1'
        (Get-Content -Raw $manifest) -replace "ModuleVersion(\s*)= '[^']*'", "ModuleVersion`$1= '$version'" | Set-Content -NoNewline $manifest
        $said = Invoke-AsNewUser "if (-not (Get-PSResourceRepository -Name Local -ErrorAction SilentlyContinue)) { Register-PSResourceRepository -Name Local -Uri '$repository' -Trusted }; Publish-PSResource -Path '$copy' -Repository Local; 'PUBLISHED'"
        if ($said -notcontains 'PUBLISHED') { throw "Publish-PSResource of $version failed: $($said -join "`n")" }
    }

    $current = (Import-PowerShellDataFile (Join-Path $moduleFolder 'SiteBackup.psd1')).ModuleVersion
    $newer = ([version]$current | ForEach-Object { "$($_.Major).$($_.Minor).$($_.Build + 1)" })
    Publish-Version $current | Out-Null
}

Describe 'Installing SiteBackup' {
    It 'installs from a repository with Install-PSResource, imports by name, and backs up and restores a SQLite file' {
        $site = New-TestSite
        $store = Join-Path $TestDrive 'store'
        $said = Invoke-AsNewUser @"
Install-PSResource SiteBackup -Repository Local -Scope CurrentUser
Import-Module SiteBackup
'BASE ' + (Get-Module SiteBackup).ModuleBase
`$backup = New-SiteBackup -Site '$site' -Store '$store'
& sqlite3 '$site' 'DELETE FROM people;'
`$restored = `$backup | Restore-SiteBackup -Force
'RESTORED ' + `$restored.Status
"@
        ($said -join "`n") | Should -BeLike "*BASE $userModules*SiteBackup*$current*"
        $said | Should -Contain 'RESTORED Completed'
        (Invoke-Sqlite $site 'SELECT count(*) FROM people;') | Should -BeGreaterThan 0
    }

    It 'takes a newer version with Update-PSResource' {
        Publish-Version $newer | Out-Null
        $said = Invoke-AsNewUser "Update-PSResource SiteBackup -Repository Local; (Get-InstalledPSResource SiteBackup).Version | ForEach-Object { 'INSTALLED ' + `$_ }; Import-Module SiteBackup; 'VERSION ' + (Get-Module SiteBackup).Version"
        $said | Should -Contain "INSTALLED $newer"
        $said | Should -Contain "VERSION $newer"
    }

    It 'leaves nothing behind with Uninstall-PSResource' {
        Test-Path (Join-Path $userModules 'SiteBackup') | Should -BeTrue
        Invoke-AsNewUser "Uninstall-PSResource SiteBackup -Version '*'; 'LEFT ' + @(Get-InstalledPSResource SiteBackup -ErrorAction SilentlyContinue).Count" | Should -Contain 'LEFT 0'
        Test-Path (Join-Path $userModules 'SiteBackup') | Should -BeFalse
    }
}

Describe 'The package' {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $package = Get-ChildItem $repository -Filter "SiteBackup.$current.nupkg" | Select-Object -First 1
        $zip = [IO.Compression.ZipFile]::OpenRead($package.FullName)
        function Read-Entry([string] $name) {
            $entry = $zip.GetEntry($name)
            if (-not $entry) { return $null }
            $stream = $entry.Open(); $memory = [IO.MemoryStream]::new()
            try { $stream.CopyTo($memory); , $memory.ToArray() } finally { $stream.Dispose() }
        }
    }
    AfterAll { $zip.Dispose() }

    It 'holds the manifest, the licence and release notes' {
        $zip.Entries.FullName | Should -Contain 'SiteBackup.psd1'
        $zip.Entries.FullName | Should -Contain 'LICENSE'
        $nuspec = [xml][Text.Encoding]::UTF8.GetString((Read-Entry 'SiteBackup.nuspec')).TrimStart([char]0xFEFF)
        $nuspec.package.metadata.version | Should -Be $current
        $nuspec.package.metadata.releaseNotes | Should -Not -BeNullOrEmpty
        $nuspec.package.metadata.tags | Should -BeLike '*SQLite*'
    }

    It 'holds the native SQLite library of <Rid>, built for <Arch>' -ForEach @(
        @{ Rid = 'win-x64'; File = 'e_sqlite3.dll'; Arch = 'x64' }
        @{ Rid = 'win-arm64'; File = 'e_sqlite3.dll'; Arch = 'arm64' }
        @{ Rid = 'linux-x64'; File = 'libe_sqlite3.so'; Arch = 'x64'; Libc = 'glibc' }
        @{ Rid = 'linux-arm64'; File = 'libe_sqlite3.so'; Arch = 'arm64'; Libc = 'glibc' }
        @{ Rid = 'linux-musl-x64'; File = 'libe_sqlite3.so'; Arch = 'x64'; Libc = 'musl' }
        @{ Rid = 'linux-musl-arm64'; File = 'libe_sqlite3.so'; Arch = 'arm64'; Libc = 'musl' }
        @{ Rid = 'osx-x64'; File = 'libe_sqlite3.dylib'; Arch = 'x64' }
        @{ Rid = 'osx-arm64'; File = 'libe_sqlite3.dylib'; Arch = 'arm64' }
    ) {
        $bytes = Read-Entry "lib/runtimes/$Rid/native/$File"
        $bytes | Should -Not -BeNullOrEmpty
        $machine = switch -Wildcard ($Rid) {
            'win-*' {
                # PE: the header's offset at 0x3C, then "PE\0\0" and the machine: 0x8664 x64, 0xAA64 arm64.
                $pe = [BitConverter]::ToInt32($bytes, 0x3C)
                [Text.Encoding]::ASCII.GetString($bytes, $pe, 2) | Should -Be 'PE'
                @{ 0x8664 = 'x64'; 0xAA64 = 'arm64' }[[int][BitConverter]::ToUInt16($bytes, $pe + 4)]
            }
            'linux-*' {
                # ELF: e_machine at 18: 0x3E x86-64, 0xB7 AArch64.
                [Text.Encoding]::ASCII.GetString($bytes, 1, 3) | Should -Be 'ELF'
                @{ 0x3E = 'x64'; 0xB7 = 'arm64' }[[int][BitConverter]::ToUInt16($bytes, 18)]
            }
            'osx-*' {
                # Mach-O 64-bit (CF FA ED FE), then the CPU type: 0x01000007 x86-64, 0x0100000C arm64.
                [BitConverter]::ToUInt32($bytes, 0) | Should -Be 0xFEEDFACFu
                @{ 0x01000007 = 'x64'; 0x0100000C = 'arm64' }[[int][BitConverter]::ToUInt32($bytes, 4)]
            }
        }
        $machine | Should -Be $Arch
        if ($Libc) {
            # The C library it needs (DT_NEEDED): glibc's is libc.so.6, musl's libc.so.
            $text = [Text.Encoding]::ASCII.GetString($bytes)
            if ($Libc -eq 'musl') { $text | Should -BeLike "*$([char]0)libc.so$([char]0)*"; $text | Should -Not -BeLike '*libc.so.6*' }
            else { $text | Should -BeLike '*libc.so.6*' }
        }
    }
}
