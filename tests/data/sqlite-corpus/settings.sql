PRAGMA page_size = 8192;
PRAGMA auto_vacuum = FULL;
PRAGMA journal_mode = WAL;
PRAGMA user_version = 42;
CREATE TABLE t (id INTEGER PRIMARY KEY, v);
INSERT INTO t VALUES (1, 'wal'), (2, 'eight k pages');
