-- A SQLite site of one table, t, of 20,000 rows (about 550 pages of 4 KB): large enough that its pages 31 to 33 hold
-- rows of t, which the suites overwrite to make a file that opens and then fails to read (SqliteSite.Damage in xunit,
-- Set-SiteDamage in Pester).
CREATE TABLE t (x TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO t SELECT hex(randomblob(50)) FROM n;
