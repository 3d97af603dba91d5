-- What real schemas use: WITHOUT ROWID, STRICT, generated columns, untyped and odd columns, odd names, views,
-- foreign keys with actions, partial and expression indexes, REAL edge values, blobs, statistics.
PRAGMA user_version = 7;
PRAGMA application_id = 1396855637;
CREATE TABLE kv (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO kv VALUES ('a', 1), ('b', x'00'), ('c', NULL), ('Ä', 'upper'), ('ä', 'lower');
CREATE TABLE strict_t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, a ANY) STRICT;
INSERT INTO strict_t VALUES (1, 9223372036854775807, 2.0, 'x', x'0102', 3.0), (2, -9223372036854775808, -0.0, '', x'', 'text in ANY'),
  (3, 0, 1.7976931348623157e308, NULL, NULL, x'ff'), (4, 1, 4.9406564584124654e-324, 'tab	and
newline', zeroblob(0), 1), (5, 2, 0.1, 'y', randomblob(100000), NULL);
CREATE TABLE gen (a INTEGER, b INTEGER, s INTEGER GENERATED ALWAYS AS (a + b) STORED, v TEXT AS ('v' || a) VIRTUAL);
INSERT INTO gen (a, b) VALUES (1, 2), (3, 4);
CREATE TABLE untyped (a, b, c);
INSERT INTO untyped VALUES (1, 1.0, '1'), (x'31', NULL, 1e100), ('2024-01-01T00:00:00Z', '{"$date": "x"}', '{"$binary": "AA=="}');
CREATE TABLE "odd ""name"" [x]" ("col with space" TEXT, "ünï" TEXT, "select" INT);
INSERT INTO "odd ""name"" [x]" VALUES ('a', 'b', 1);
CREATE TABLE "Ä" (x);
CREATE TABLE "ä" (x);
INSERT INTO "Ä" VALUES ('upper'); INSERT INTO "ä" VALUES ('lower');
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE ON UPDATE SET NULL, note TEXT);
INSERT INTO parent VALUES (1, 'p1'), (2, 'p2');
INSERT INTO child VALUES (1, 1, 'c1'), (2, 2, 'c2'), (3, NULL, 'orphan by choice');
CREATE INDEX child_note ON child (note) WHERE note IS NOT NULL;
CREATE INDEX child_lower ON child (lower(note));
CREATE VIEW parents_with_children AS SELECT p.name, count(c.id) AS n FROM parent p LEFT JOIN child c ON c.parent_id = p.id GROUP BY p.id;
CREATE TABLE reals (r REAL);
INSERT INTO reals VALUES (0.1 + 0.2), (1e-310), (-1e308 * 10), (1e308 * 10), (123456789012345678), (2.5), (-0.0);
ANALYZE;
