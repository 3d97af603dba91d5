PRAGMA encoding = 'UTF-16le';
-- In a UTF-16 file a cast blob is UTF-16: d800 alone is an unpaired surrogate.
CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO t VALUES (1, CAST(x'00d8' AS TEXT)), (2, CAST(x'00dc4100' AS TEXT)), (3, 'Chloé 名前 😀'), (4, ''), (5, CAST(x'3dd800de' AS TEXT));
CREATE TABLE n (rowid_text TEXT);
INSERT INTO n (rowid, rowid_text) VALUES (42, 'forty-two');
