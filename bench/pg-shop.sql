-- The shop's tables in PostgreSQL (bench/run.ps1 -PostgreSql, bench/PgBackupCpu.ps1), filled from the SQLite shop.
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text UNIQUE, country text, created_at timestamptz NOT NULL, balance double precision, vip integer NOT NULL DEFAULT 0, notes text);
CREATE TABLE products (id bigint PRIMARY KEY, sku text NOT NULL UNIQUE, title text NOT NULL, price double precision NOT NULL, stock integer, attributes jsonb, thumbnail bytea);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id), product_id bigint NOT NULL REFERENCES products(id), quantity integer NOT NULL, total double precision NOT NULL, ordered_at timestamptz NOT NULL, status text NOT NULL, note text);
CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, customer_id bigint, at timestamptz NOT NULL, payload json);
