-- An index marked as depending on an extension (ALTER INDEX ... DEPENDS ON EXTENSION), which pg_dump prints.
CREATE EXTENSION pg_trgm;
CREATE TABLE words (id integer PRIMARY KEY, w text);
CREATE INDEX words_trgm ON words USING gin (w gin_trgm_ops);
ALTER INDEX words_trgm DEPENDS ON EXTENSION pg_trgm;
INSERT INTO words SELECT i, 'word' || i FROM generate_series(1, 50) i;
