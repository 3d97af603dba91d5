-- The contrib types Debian's PostgreSQL ships that applications store, and arrays of them.
CREATE EXTENSION hstore;
CREATE EXTENSION citext;
CREATE EXTENSION ltree;
CREATE EXTENSION cube;
CREATE EXTENSION seg;
CREATE EXTENSION isn;
CREATE TABLE extended (
  id integer PRIMARY KEY, h hstore, hs hstore[], ci citext, cis citext[], path ltree, paths ltree[], q lquery,
  c cube, s seg, code isbn13
);
INSERT INTO extended VALUES
  (1, 'a=>1, "b c"=>"d \"e\"", n=>NULL', ARRAY['x=>1'::hstore, '"y"=>"2"'::hstore, NULL], 'MiXeD Case', '{"One","TWO"}',
   'Top.Science.Astronomy', '{Top.A,Top.B}', '*.Astronomy.*', '(1,2,3),(4,5,6)', '1.5 .. 2.5', '978-0-393-04002-9'),
  (2, '', '{}', '', '{}', '', '{}', '*', '(0)', '0', NULL),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
