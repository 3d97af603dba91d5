-- Triggers of every kind, created after the rows they would have changed: a restore must not run any of them.
CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER, note TEXT, updated TEXT);
CREATE TABLE audit (at INTEGER PRIMARY KEY, what TEXT);
INSERT INTO items VALUES (1, 1, 'one', NULL), (2, 5, 'two', NULL), (3, 9, 'three', NULL);
INSERT INTO audit VALUES (1, 'seeded');
CREATE TRIGGER skip_big BEFORE INSERT ON items WHEN new.qty > 2 BEGIN SELECT RAISE(IGNORE); END;
CREATE TRIGGER rewrite AFTER INSERT ON items BEGIN UPDATE items SET note = upper(new.note), updated = 'trigger' WHERE id = new.id; END;
CREATE TRIGGER log_insert AFTER INSERT ON items BEGIN INSERT INTO audit (what) VALUES ('insert ' || new.id); END;
CREATE TRIGGER log_delete BEFORE DELETE ON items BEGIN INSERT INTO audit (what) VALUES ('delete ' || old.id); END;
CREATE TRIGGER log_update AFTER UPDATE OF qty ON items BEGIN INSERT INTO audit (what) VALUES ('update ' || new.id); END;
CREATE VIEW big AS SELECT * FROM items WHERE qty > 2;
CREATE TRIGGER big_insert INSTEAD OF INSERT ON big BEGIN INSERT INTO audit (what) VALUES ('view insert'); END;
-- change
UPDATE items SET qty = 0;
DELETE FROM items WHERE id = 3;
