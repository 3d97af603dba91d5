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
