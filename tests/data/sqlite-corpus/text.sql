-- TEXT that is not valid UTF-8, and text that is, in a UTF-8 file.
CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO t VALUES (1, CAST(x'ff' AS TEXT)), (2, CAST(x'c328' AS TEXT)), (3, CAST(x'eda080' AS TEXT)),
  (4, CAST(x'6100620063' AS TEXT)), (5, 'Chloé 名前 ☃ 😀'), (6, ''), (7, CAST(x'f4908080' AS TEXT)), (8, '{"$utf8": "AA=="}'),
  (9, CAST(x'c0af' AS TEXT)), (10, replace(hex(zeroblob(5000)), '0', 'x'));
-- NUL characters inside valid text, short and long (SQLite keeps text by its length, not up to a NUL).
INSERT INTO t VALUES (11, 'a' || char(0) || 'b'), (12, char(0)), (13, 'x' || char(0) || replace(hex(zeroblob(600)), '0', 'y'));
