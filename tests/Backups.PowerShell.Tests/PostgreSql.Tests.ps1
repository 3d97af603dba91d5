# PostgreSQL sites through the cmdlets, on the server build.ps1 starts for the test run.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath)

    $server = [uri]$env:SITEBACKUP_TEST_PG
    $password = $env:SITEBACKUP_TEST_PG_PASSWORD
    $credential = [pscredential]::new($server.UserInfo, (ConvertTo-SecureString $password -AsPlainText -Force))

    function Invoke-Psql([string] $database, [string] $sql) {
        $env:PGPASSWORD = $password
        try { $output = & psql -X -At -h $server.Host -p $server.Port -U $server.UserInfo -d $database -c $sql 2>&1 }
        finally { Remove-Item Env:PGPASSWORD }
        if ($LASTEXITCODE -ne 0) { throw "psql failed: $output" }
        $output
    }
}

Describe 'A PostgreSQL site' {
    BeforeAll {
        $database = 'p' + [guid]::NewGuid().ToString('N').Substring(0, 12)
        Invoke-Psql postgres "CREATE DATABASE $database" | Out-Null
        Invoke-Psql $database @'
CREATE SCHEMA shop;
CREATE TABLE shop.customers (id serial PRIMARY KEY, name text NOT NULL, balance numeric(12,2), tags text[], meta jsonb, joined timestamptz);
CREATE TABLE shop.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer integer NOT NULL REFERENCES shop.customers(id), total numeric, receipt bytea);
INSERT INTO shop.customers (name, balance, tags, meta, joined)
  SELECT 'customer ' || i, i * 1.25, ARRAY['a', 'b' || i], jsonb_build_object('n', i), '2024-01-01'::timestamptz + i * interval '1 hour' FROM generate_series(1, 2000) i;
INSERT INTO shop.orders (customer, total, receipt) SELECT 1 + i % 2000, i / 7.0, decode(md5(i::text), 'hex') FROM generate_series(1, 4000) i;
'@ | Out-Null
        $site = "postgresql://$($server.UserInfo)@$($server.Host):$($server.Port)/$database`?schema=shop"
        $store = New-TestStore
        $query = 'SELECT * FROM shop.customers ORDER BY id; SELECT * FROM shop.orders ORDER BY id'
    }

    AfterAll {
        Invoke-Psql postgres "DROP DATABASE IF EXISTS $database WITH (FORCE)" | Out-Null
    }

    It 'backs up with -Credential, and restores what psql shows, from the pipeline' {
        $before = Invoke-Psql $database $query
        $backup = New-SiteBackup -Site $site -Store $store -Credential $credential
        $backup.SiteId | Should -Be "postgresql://$($server.Host):$($server.Port)/$database/shop"
        $backup.Collections.ItemCount | Should -Be @(2000, 4000)

        Invoke-Psql $database 'DELETE FROM shop.orders WHERE id > 10; UPDATE shop.customers SET name = $$x$$' | Out-Null
        $restoration = $backup | Restore-SiteBackup -Credential $credential -Force
        $restoration.Status | Should -Be 'Completed'
        Invoke-Psql $database $query | Should -Be $before
    }

    It 'remembers the user a backup was taken as, so a piped restore connects as it, and -Credential and PGUSER win' {
        $before = Invoke-Psql $database $query
        # The password from the environment only (Invoke-Psql takes PGPASSWORD away when it is done).
        $env:PGPASSWORD = $password
        try {
            $backup = New-SiteBackup -Site $site -Store $store
            $backup.SiteUser | Should -Be $server.UserInfo
            $backup.SiteId | Should -Not -Match '@' -Because "the record's site string holds no user; the record does"
            Invoke-Psql $database 'UPDATE shop.customers SET name = $$changed$$' | Out-Null
            $env:PGPASSWORD = $password

            $restoration = Get-SiteBackup -Store $store -Id $backup.Id | Restore-SiteBackup -Force
            $restoration.Status | Should -Be 'Completed'
            Invoke-Psql $database $query | Should -Be $before
            $env:PGPASSWORD = $password

            $env:PGUSER = 'nobody_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $backup | Restore-SiteBackup -Force -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
            $err[0].Exception.Message | Should -Match $env:PGUSER
            $env:PGPASSWORD = $password
            $stranger = [pscredential]::new('stranger_' + [guid]::NewGuid().ToString('N').Substring(0, 8), (ConvertTo-SecureString $password -AsPlainText -Force))
            Remove-Item Env:PGUSER
            $backup | Restore-SiteBackup -Credential $stranger -Force -ErrorVariable err2 -ErrorAction SilentlyContinue
            $err2[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
            $err2[0].Exception.Message | Should -Match $stranger.UserName
            ($backup | Restore-SiteBackup -Credential $credential -Force).Status | Should -Be 'Completed'
        }
        finally { Remove-Item Env:PGPASSWORD, Env:PGUSER -ErrorAction SilentlyContinue }
    }

    It 'takes the password from PGPASSWORD when no -Credential is given' {
        $env:PGPASSWORD = $password
        try { (New-SiteBackup -Site $site -Store $store -Collection customers).Status | Should -Be 'Ready' }
        finally { Remove-Item Env:PGPASSWORD }
    }

    It 'says AuthenticationFailed for a wrong password, SiteUnreachable for a closed port, and never shows the password' {
        $wrong = [pscredential]::new($server.UserInfo, (ConvertTo-SecureString 'not-the-password' -AsPlainText -Force))
        New-SiteBackup -Site $site -Store $store -Credential $wrong -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err[0].Exception.Message | Should -Not -Match 'not-the-password'

        New-SiteBackup -Site "postgresql://postgres@127.0.0.1:1/$database" -Store $store -Credential $credential -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'SiteUnreachable,*'

        New-SiteBackup -Site "postgresql://postgres:$password@127.0.0.1:$($server.Port)/$database" -Store $store -ErrorVariable err3 -ErrorAction SilentlyContinue
        $err3[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
        ($err3[0].Exception.Message + $err3[0].TargetObject) | Should -Not -Match $password
        Get-ChildItem $store -Recurse -File | ForEach-Object { Get-Content -Raw $_.FullName } | Should -Not -Match $password
    }

    It 'says SiteNotFound for a schema that does not exist and CollectionNotFound for a table that does not' {
        New-SiteBackup -Site ($site -replace 'schema=shop', 'schema=nope') -Store $store -Credential $credential -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SiteNotFound,*'
        New-SiteBackup -Site $site -Store $store -Credential $credential -Collection nope -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'CollectionNotFound,*'
    }
}
