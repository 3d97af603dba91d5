-- Foreign keys from and to partitioned tables (each partition holds a copy of the key), and rules that would write
-- elsewhere or drop rows while a restore deletes and inserts.
CREATE TABLE customers (id integer PRIMARY KEY, name text);
CREATE TABLE orders (id integer, customer integer REFERENCES customers(id) ON DELETE CASCADE, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
CREATE TABLE shipments (id integer PRIMARY KEY, order_id integer, region text, FOREIGN KEY (order_id, region) REFERENCES orders(id, region));
INSERT INTO customers VALUES (1, 'Ada'), (2, 'Bo');
INSERT INTO orders VALUES (10, 1, 'eu'), (11, 2, 'us');
INSERT INTO shipments VALUES (100, 10, 'eu');
CREATE TABLE deleted_log (what text);
CREATE RULE log_delete AS ON DELETE TO customers DO ALSO INSERT INTO deleted_log VALUES (OLD.name);
CREATE RULE no_insert AS ON INSERT TO shipments WHERE NEW.id > 1000 DO INSTEAD NOTHING;
CREATE RULE replica_rule AS ON DELETE TO shipments DO ALSO INSERT INTO deleted_log VALUES ('shipment');
ALTER TABLE shipments ENABLE REPLICA RULE replica_rule;
