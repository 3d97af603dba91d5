-- Inheritance: each table's own rows are its own; a child in another schema is never touched.
CREATE TABLE animal (id integer, name text);
CREATE TABLE dog (breed text) INHERITS (animal);
CREATE SCHEMA zoo;
CREATE TABLE zoo.cat (lives integer) INHERITS (animal);
INSERT INTO animal VALUES (1, 'generic');
INSERT INTO dog VALUES (2, 'Rex', 'collie');
INSERT INTO zoo.cat VALUES (3, 'Tom', 9);
-- Partitions: read and restored through their parent, once.
CREATE TABLE measurement (at date NOT NULL, v integer) PARTITION BY RANGE (at);
CREATE TABLE measurement_2024 PARTITION OF measurement FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurement_2025 PARTITION OF measurement FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO measurement VALUES ('2024-05-01', 1), ('2025-05-01', 2);
-- change
DELETE FROM ONLY animal; DELETE FROM dog; INSERT INTO dog VALUES (4, 'Fido', 'pug'); DELETE FROM measurement;
