-- Enums, domains, composites (nested, with arrays), ranges and multiranges of a user type, and arrays of each.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'a "quoted", odd one');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE TYPE address AS (street text, number integer, tags text[]);
CREATE TYPE person AS (name text, home address, moods mood[]);
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE people (
  id positive PRIMARY KEY, m mood, ms mood[], e email, es email[], p person, ps person[], a address,
  fr floatrange, fmr floatmultirange, frs floatrange[]
);
INSERT INTO people VALUES
  (1, 'happy', '{sad,"a \"quoted\", odd one"}', 'a@b.c', '{x@y.z}',
   ROW('Ada', ROW('Main St, "the" one', 10, '{a,NULL,"b c"}')::address, '{ok}')::person,
   ARRAY[ROW('Bo', NULL, NULL)::person, NULL], ROW(NULL, NULL, '{}')::address,
   '[1.5,2.5)', '{[1,2), [3,4)}', ARRAY['[0,1]'::floatrange, 'empty']),
  (2, NULL, '{}', NULL, NULL, ROW(NULL, NULL, NULL)::person, '{}', NULL, 'empty', '{}', '{}');
-- Domains over domains (over jsonb, over a composite, over an array), arrays of domains, and the database's own
-- types whatever casts to text or json it defines.
CREATE DOMAIN doc AS jsonb;
CREATE DOMAIN strict_doc AS doc CHECK (VALUE IS NOT NULL);
CREATE DOMAIN home AS address;
CREATE DOMAIN my_home AS home;
CREATE DOMAIN ints AS integer[];
CREATE DOMAIN small_ints AS ints CHECK (cardinality(VALUE) < 10);
CREATE TABLE layered (id integer PRIMARY KEY, d strict_doc, h my_home, i small_ints, ds doc[], ps positive[]);
INSERT INTO layered VALUES
  (1, 'null', ROW('x', 1, '{}'), '[0:1]={5,6}', ARRAY['"s"'::doc, 'null'::doc], '{1,2}'),
  (2, '"just a string"', NULL, '{}', NULL, NULL),
  (3, '{"$json": "not a marker"}', ROW(NULL, NULL, NULL), NULL, '{}', '{3}');
CREATE FUNCTION address_text(address) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'not the output function' $$;
CREATE CAST (address AS text) WITH FUNCTION address_text(address);
