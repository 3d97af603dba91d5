-- Every built-in type users store, with values at their edges, and an array of each.
CREATE TABLE scalars (
  id integer PRIMARY KEY,
  i2 smallint, i4 integer, i8 bigint, n numeric, n2 numeric(10,3), r real, d double precision, m money,
  b boolean, t text, v varchar(10), c char(5), nm name, by bytea, u uuid,
  dt date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,
  ip inet, cd cidr, mac macaddr, mac8 macaddr8, bt bit(4), vb varbit, tv tsvector, tq tsquery, x xml, lsn pg_lsn,
  pt point, ln line, ls lseg, bx box, pa path, pg polygon, ci circle, j json, jb jsonb,
  ir int4range, nr numrange, tr tstzrange, dr daterange, im int4multirange
);
INSERT INTO scalars VALUES
  (1, -32768, -2147483648, -9223372036854775808, repeat('9', 1000)::numeric / 7, 1234567.891, 16777216, 0.30000000000000004, 12.34,
   true, E'tab\there\nnew line \\ back "quote" ''single'' Chloé 名前 ☃ 😀 \u0001', 'ten chars!', 'ab', 'pg_name', '\x00ff5c0a', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
   '0044-03-15 BC', '24:00:00', '23:59:59.999999+14:59', '4713-01-01 00:00:00 BC', '294276-12-31 23:59:59.999999+00', '-178000000 years 1 mon -2 days 03:04:05.678',
   '2001:db8::1/64', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', B'1010', B'1', 'a:1 fat:2,3 cat', 'fat & !rat', '<a>x &amp; y</a>', '16/B374D848',
   '(1.5,-2)', '{1,-1,3}', '[(0,0),(1,1)]', '(1,1),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),2>', '  {"a" : 1}  ', '{"b": [1, 2.50, null]}',
   '[1,10)', '(,5.5]', '["2024-01-01 00:00+00","2024-06-01 00:00+00")', 'empty', '{[1,3), [7,9)}'),
  (2, 0, 0, 0, 'NaN', 0, 'NaN', '-Infinity', -0.01,
   false, '', '', '', '', '\x', NULL,
   'infinity', '00:00', '00:00+00', '-infinity', 'infinity', '0',
   '0.0.0.0', '::/0', '00:00:00:00:00:00', '00:00:00:00:00:00:00:00', B'0000', B'', '', 'a', '', '0/0',
   '(0,0)', '{0,1,0}', '[(0,0),(0,0)]', '(0,0),(0,0)', '((0,0))', '((0,0))', '<(0,0),0>', 'null', 'null',
   'empty', 'empty', 'empty', '[2024-01-01,infinity)', '{}'),
  (3, NULL, NULL, NULL, '-0.000000000000000000000000000001', NULL, '-0', '-0', NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, '"\u0000 escaped"', '"\u00e9"', NULL, NULL, NULL, NULL, NULL),
  (4, 1, 1, 1, 1e-300, 1, 1e-45, 5e-324, 0,
   true, repeat('long text ', 2000), NULL, NULL, NULL, decode(repeat('00ff', 5000), 'hex'), NULL,
   '2024-02-29', NULL, NULL, '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+05:45', '1 day 02:03:04',
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   '{"$json": null}', '{"$json": null}', NULL, NULL, NULL, NULL, NULL),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   -- a character from every Unicode plane that has any, and the last one
   E'\u0041 \u00e9 \u4e2d \U0001F600 \U00020000 \U00030000 \U000E0001 \U000F0000 \U0010FFFD', NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, E'{"k": "\U0001F600"}', E'{"\u00e9": "\U0010FFFD"}', NULL, NULL, NULL, NULL, NULL);

CREATE TABLE arrays (
  id integer PRIMARY KEY,
  ints integer[], texts text[], grid integer[][], floats float8[], nums numeric[], flags boolean[], days date[], stamps timestamptz[],
  jsons jsonb[], jsontexts json[], boxes box[], bytes bytea[], ivs interval[], uuids uuid[], chars char(3)[]
);
INSERT INTO arrays VALUES
  (1, '[0:2]={10,20,30}', '{"x","y z",NULL,"NULL","q\"uote","back\\slash",""}', '{{1,2},{3,4}}', '{NaN,-Infinity,-0,0.30000000000000004}', '{NaN,1.50}',
   '{t,f,NULL}', '{"0044-03-15 BC",infinity}', '{"2024-01-01 00:00:00+00"}',
   ARRAY['"text"'::jsonb, 'null'::jsonb, '[1, [2]]'::jsonb, '{"$json": null}'::jsonb, NULL], ARRAY['  {"a" : 1}  '::json, 'null'::json],
   '{(1,1),(0,0);(2,2),(1,1)}', '{"\\x00ff",NULL}', '{"1 day","-2 mons"}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', '{"ab ","a"}'),
  (2, '{}', '{}', '[2:3][-1:0]={{1,2},{3,4}}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'),
  (3, '{NULL}', '{NULL}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
-- The rest of the built-in types with an array each, and json nested deeper than a JSON reader's default limit.
CREATE TABLE more_arrays (
  id integer PRIMARY KEY, i2 smallint[], i8 bigint[], r real[], m money[], v varchar(5)[], nm name[], ch "char"[], c "char",
  tm time[], ttz timetz[], ts timestamp[], iv interval[], ip inet[], cd cidr[], mac macaddr[], bits bit(3)[], vb varbit[],
  tv tsvector[], x xml[], pt point[], ls lseg[], ci circle[], ir int4range[], tr tstzrange[], im int4multirange[],
  oids oid[], rc regclass, deep json, deepb jsonb
);
INSERT INTO more_arrays VALUES
  (1, '{-32768,32767}', '{-9223372036854775808}', '{16777216,NaN,-0,1e-45}', '{1.50,-2.00}', '{"a,b","c d"}', '{pg_catalog}', '{a,"\"",b}', 'x',
   '{00:00,23:59:59.999999}', '{"12:00+05"}', '{"4713-01-01 00:00:00 BC",infinity}', '{"1 day","-1 mons 00:00:01"}', '{::1,10.0.0.1}', '{10.0.0.0/8}',
   '{08:00:2b:01:02:03}', '{101,000}', '{1,""}', '{"a:1 b:2","x"}', '{"<a/>","text &amp; more"}', '{"(1,2)","(3,4)"}', '{"[(0,0),(1,1)]"}', '{"<(0,0),1>"}',
   '{"[1,2)",empty}', '{"[\"2024-01-01 00:00:00+00\",)"}', '{"{[1,2),[5,6)}","{}"}', '{0,4294967295}', 'pg_class',
   (repeat('[', 400) || repeat(']', 400))::json, (repeat('{"a": ', 300) || '1' || repeat('}', 300))::jsonb),
  (2, '{}', '{NULL}', NULL, NULL, NULL, NULL, NULL, E'\001', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
