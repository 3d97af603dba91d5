-- Tables whose rowids matter though no INTEGER PRIMARY KEY names them.
CREATE TABLE notes (body TEXT);
INSERT INTO notes (rowid, body) VALUES (10, 'ten'), (20, 'twenty'), (35, 'thirty-five');
CREATE TABLE refs (note_rowid INTEGER, why TEXT);
INSERT INTO refs VALUES (20, 'points at twenty'), (35, 'points at thirty-five');
-- A column named rowid: the rowid is still there, under oid.
CREATE TABLE shadowed (rowid TEXT, v);
INSERT INTO shadowed (oid, rowid, v) VALUES (7, 'seven', 1), (3, 'three', 2);
-- Not an alias: INTEGER PRIMARY KEY DESC keeps a separate rowid.
CREATE TABLE quirk (id INTEGER PRIMARY KEY DESC, v);
INSERT INTO quirk (rowid, id, v) VALUES (100, 1, 'a'), (50, 2, 'b');
-- An alias: the column is the rowid.
CREATE TABLE alias (id INTEGER PRIMARY KEY, v);
INSERT INTO alias VALUES (5, 'five'), (9, 'nine');
-- A column whose name is the one SiteBackup would use for the rowid.
CREATE TABLE dollar ("$rowid" TEXT, v);
INSERT INTO dollar (rowid, "$rowid", v) VALUES (4, 'not the rowid', 'x');
