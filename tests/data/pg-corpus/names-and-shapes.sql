-- Names that differ only in case, quoted names with any character, a table without columns, a wide table,
-- identity, serial and generated columns.
CREATE TABLE "Order Items" (id integer, v text);
CREATE TABLE "order items" (id integer, v text);
CREATE TABLE "we""ird.name;" ("col ""x""" text, "Tab	Col" integer);
CREATE TABLE nothing ();
INSERT INTO "Order Items" VALUES (1, 'upper');
INSERT INTO "order items" VALUES (2, 'lower');
INSERT INTO "we""ird.name;" VALUES ('q', 1);
INSERT INTO nothing DEFAULT VALUES; INSERT INTO nothing DEFAULT VALUES; INSERT INTO nothing DEFAULT VALUES;
CREATE TABLE counted (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s serial, v integer, twice integer GENERATED ALWAYS AS (v * 2) STORED);
INSERT INTO counted (v) VALUES (1), (2), (3);
DO $$ BEGIN EXECUTE 'CREATE TABLE wide (' || (SELECT string_agg(format('c%s integer', i), ', ') FROM generate_series(1, 1600) AS i) || ')'; END $$;
INSERT INTO wide (c1, c800, c1600) VALUES (1, 800, 1600);
