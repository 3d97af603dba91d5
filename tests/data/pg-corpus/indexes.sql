-- Indexes of the kinds applications have, which a restore drops and builds again or must leave as they are: plain,
-- unique on an expression, partial, with an operator class, INCLUDE and storage parameters, with a collation and an
-- order, with comments; a primary key with comments on it and on its index; a primary key with a fillfactor; a
-- deferrable unique constraint; a unique constraint a foreign key from another schema refers to; a primary key a
-- view relies on (GROUP BY it); a unique index, not a constraint, that a foreign key refers to; an index marked for
-- CLUSTER; one that is the replica identity; one with a statistics target; an exclusion constraint.
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, name text, tier integer, note text);
COMMENT ON CONSTRAINT customers_pkey ON customers IS 'the customer id';
COMMENT ON INDEX customers_pkey IS 'its index';
CREATE UNIQUE INDEX customers_email ON customers (lower(email));
CREATE INDEX customers_tier ON customers (tier) WHERE tier > 1;
CREATE INDEX customers_name ON customers (name text_pattern_ops) INCLUDE (tier) WITH (fillfactor = 70);
COMMENT ON INDEX customers_name IS 'for prefix search';
CREATE INDEX customers_note ON customers (note COLLATE "C" DESC NULLS LAST);
CREATE TABLE codes (code text, region integer, CONSTRAINT codes_unique UNIQUE (code, region));
CREATE TABLE bookings (ref text, seat integer, CONSTRAINT bookings_seat UNIQUE (seat) DEFERRABLE INITIALLY DEFERRED);
COMMENT ON CONSTRAINT bookings_seat ON bookings IS 'one booking a seat';
CREATE TABLE slots (id integer PRIMARY KEY WITH (fillfactor = 80), during tsrange, EXCLUDE USING gist (during WITH &&));
CREATE TABLE tags (id integer NOT NULL, label text);
CREATE UNIQUE INDEX tags_id ON tags (id);
CREATE TABLE tagged (customer integer REFERENCES customers (id), tag integer REFERENCES tags (id));
CREATE INDEX tagged_customer ON tagged (customer);
ALTER TABLE tagged CLUSTER ON tagged_customer;
CREATE TABLE events (id integer NOT NULL, kind text, at timestamptz);
CREATE UNIQUE INDEX events_id ON events (id);
ALTER TABLE events REPLICA IDENTITY USING INDEX events_id;
CREATE INDEX events_kind ON events (kind, (lower(kind)));
ALTER INDEX events_kind ALTER COLUMN 2 SET STATISTICS 500;
CREATE VIEW customer_tags AS SELECT c.id, c.name, count(t.tag) AS tags FROM customers c LEFT JOIN tagged t ON t.customer = c.id GROUP BY c.id;
CREATE SCHEMA ledger;
CREATE TABLE ledger.entries (id integer PRIMARY KEY, code text, region integer, FOREIGN KEY (code, region) REFERENCES public.codes (code, region));

INSERT INTO customers SELECT i, 'User' || i || '@Example.com', 'name ' || (i % 37), i % 5, CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || i END FROM generate_series(1, 600) i;
INSERT INTO codes SELECT 'c' || (i % 50), i / 50 FROM generate_series(0, 199) i;
INSERT INTO bookings SELECT 'r' || i, i FROM generate_series(1, 40) i;
INSERT INTO slots SELECT i, tsrange(timestamp '2026-01-01' + i * interval '1 hour', timestamp '2026-01-01' + (i + 1) * interval '1 hour') FROM generate_series(0, 99) i;
INSERT INTO tags SELECT i, 'tag ' || i FROM generate_series(1, 20) i;
INSERT INTO tagged SELECT 1 + i % 600, 1 + i % 20 FROM generate_series(0, 999) i;
INSERT INTO events SELECT i, CASE WHEN i % 3 = 0 THEN 'Signup' ELSE 'Order' END, timestamptz '2026-03-01 00:00:00+00' + i * interval '1 minute' FROM generate_series(1, 300) i;
INSERT INTO ledger.entries SELECT i, 'c' || (i % 50), i % 4 FROM generate_series(1, 30) i;
