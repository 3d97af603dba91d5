-- As Django makes every key (DEFERRABLE INITIALLY DEFERRED): a restored table with a key to another restored table
-- and a deferrable key to a table outside the restore, whose checks wait for the commit while the keys come back.
CREATE SCHEMA auth;
CREATE TABLE auth.users (id integer PRIMARY KEY);
CREATE TABLE post (id integer PRIMARY KEY);
CREATE TABLE comment (id integer PRIMARY KEY, post_id integer REFERENCES post,
  author_id integer REFERENCES auth.users DEFERRABLE INITIALLY DEFERRED);
INSERT INTO auth.users VALUES (1);
INSERT INTO post VALUES (1);
INSERT INTO comment VALUES (1, 1, 1);
