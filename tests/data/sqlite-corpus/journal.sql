PRAGMA journal_mode = DELETE;
PRAGMA auto_vacuum = INCREMENTAL;
CREATE TABLE t (v);
INSERT INTO t (rowid, v) VALUES (3, 'rollback journal'), (1, 'first');
