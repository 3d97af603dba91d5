-- FTS5 in its three content modes, FTS4 with its own content and another table's, kept in sync by triggers.
CREATE TABLE src (id INTEGER PRIMARY KEY, title TEXT, body TEXT);
CREATE VIRTUAL TABLE own USING fts5(title, body, tokenize = 'porter unicode61');
CREATE VIRTUAL TABLE external USING fts5(title, body, content = 'src', content_rowid = 'id');
CREATE VIRTUAL TABLE contentless USING fts5(body, content = '');
CREATE VIRTUAL TABLE four USING fts4(body);
CREATE VIRTUAL TABLE four_external USING fts4(content="src", title, body);
CREATE TRIGGER src_ai AFTER INSERT ON src BEGIN
  INSERT INTO external (rowid, title, body) VALUES (new.id, new.title, new.body);
  INSERT INTO four_external (docid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER src_ad AFTER DELETE ON src BEGIN
  INSERT INTO external (external, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
-- FTS4 reads the old content to remove it, so its delete must run before the row goes.
CREATE TRIGGER src_bd BEFORE DELETE ON src BEGIN
  DELETE FROM four_external WHERE docid = old.id;
END;
INSERT INTO src (title, body) VALUES ('alpha', 'the quick brown fox'), ('beta', 'jumps over the lazy dog'), ('gamma', 'running runners ran');
DELETE FROM src WHERE id = 2;
INSERT INTO src (title, body) VALUES ('delta', 'a fourth document');
INSERT INTO own (rowid, title, body) VALUES (3, 'alpha', 'the quick brown fox'), (8, 'gamma', 'running runners ran'), (9, 'ε', 'ünïcödé text');
DELETE FROM own WHERE rowid = 3;
INSERT INTO contentless (rowid, body) VALUES (1, 'nobody keeps this text'), (2, 'only its index');
INSERT INTO four (docid, body) VALUES (1, 'four one'), (4, 'four four');
-- change
DELETE FROM src;
DELETE FROM own;
INSERT INTO own (title, body) VALUES ('new', 'not in the backup');
DELETE FROM four;
INSERT INTO contentless (contentless, rowid, body) VALUES ('delete', 1, 'nobody keeps this text');
