-- Triggers that would drop, rewrite or add rows as they go in, and one that fires on TRUNCATE.
CREATE TABLE items (id integer PRIMARY KEY, v text);
CREATE TABLE audit (at_id integer, what text);
CREATE FUNCTION drop_odd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id % 2 = 1 THEN RETURN NULL; END IF; RETURN NEW; END $$;
CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := upper(NEW.v); RETURN NEW; END $$;
CREATE FUNCTION log_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (NEW.id, TG_OP); RETURN NEW; END $$;
CREATE FUNCTION log_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (NULL, 'TRUNCATE'); RETURN NULL; END $$;
INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three');
INSERT INTO audit VALUES (0, 'before');
CREATE TRIGGER a_drop_odd BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION drop_odd();
CREATE TRIGGER b_shout BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION shout();
CREATE TRIGGER c_log AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION log_row();
CREATE TRIGGER d_log_truncate AFTER TRUNCATE ON items FOR EACH STATEMENT EXECUTE FUNCTION log_truncate();
-- A disabled trigger and a replica-only one stay as they are.
CREATE TRIGGER e_off AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION log_row();
ALTER TABLE items DISABLE TRIGGER e_off;
CREATE TRIGGER f_replica AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION log_row();
ALTER TABLE items ENABLE REPLICA TRIGGER f_replica;
-- change
ALTER TABLE items DISABLE TRIGGER USER; DELETE FROM items; DELETE FROM audit; INSERT INTO items VALUES (9, 'nine');
ALTER TABLE items ENABLE TRIGGER a_drop_odd; ALTER TABLE items ENABLE TRIGGER b_shout; ALTER TABLE items ENABLE TRIGGER c_log; ALTER TABLE items ENABLE TRIGGER d_log_truncate;
ALTER TABLE items ENABLE REPLICA TRIGGER f_replica;
