-- The sample SQLite site that the xunit and Pester suites share: people (5 rows, every storage class and a NULL),
-- orders (3 rows referring to people, whose ON DELETE action a restore must not set off) and empty (no rows).
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, photo BLOB);
CREATE TABLE orders (id INTEGER PRIMARY KEY, person INTEGER REFERENCES people(id) ON DELETE CASCADE, total REAL);
CREATE TABLE empty (x TEXT);
INSERT INTO people VALUES (1, 'Ada', 9.5, x'00ff'), (2, 'Brian', 7.0, NULL), (3, 'Chloé', NULL, NULL),
                          (4, 'Dmitri', 1e300, NULL), (5, '名前', -0.25, x'');
INSERT INTO orders VALUES (1, 1, 10.0), (2, 1, 20.5), (3, 2, 3.0);
