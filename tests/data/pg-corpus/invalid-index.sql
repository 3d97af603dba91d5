-- An index marked not valid (a CREATE INDEX CONCURRENTLY that failed) on a table restored.
CREATE TABLE bad (id integer, v text);
CREATE INDEX bad_v ON bad (v);
UPDATE pg_catalog.pg_index SET indisvalid = false WHERE indexrelid = 'bad_v'::regclass;
INSERT INTO bad SELECT i, 'v' || i FROM generate_series(1, 20) i;
