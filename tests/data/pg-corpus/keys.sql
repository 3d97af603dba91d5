-- A non-deferrable foreign-key cycle with a comment on a key, a self-reference, and a table in another schema that
-- refers to a restored one with a plain NO ACTION key.
CREATE TABLE a (id integer PRIMARY KEY, b_id integer);
CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a(id));
ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b(id);
COMMENT ON CONSTRAINT a_b_fk ON a IS 'the other half of the cycle';
CREATE TABLE staff (id integer PRIMARY KEY, manager integer REFERENCES staff(id));
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
ALTER TABLE a DROP CONSTRAINT a_b_fk;
INSERT INTO a VALUES (1, 10), (2, 20);
INSERT INTO b VALUES (10, 1), (20, 2);
ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b(id);
COMMENT ON CONSTRAINT a_b_fk ON a IS 'the other half of the cycle';
COMMIT;
INSERT INTO staff VALUES (3, NULL); INSERT INTO staff VALUES (1, 3); INSERT INTO staff VALUES (2, 1);
UPDATE staff SET manager = 2 WHERE id = 3;
CREATE SCHEMA reports;
CREATE TABLE reports.mentions (id integer PRIMARY KEY, a_id integer REFERENCES public.a(id));
INSERT INTO reports.mentions VALUES (100, 1);
-- change
UPDATE a SET b_id = NULL; UPDATE staff SET manager = NULL; DELETE FROM b WHERE id = 20; UPDATE b SET a_id = 2;
