CREATE VIRTUAL TABLE boxes USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO boxes VALUES (1, 0, 10, 0, 10), (2, 5.5, 6.25, -3, 3), (7, -1e10, 1e10, 0.1, 0.2);
CREATE VIRTUAL TABLE cells USING rtree_i32(id, x0, x1);
INSERT INTO cells VALUES (1, -5, 5), (2, 100, 200);
CREATE VIRTUAL TABLE tagged USING rtree(id, a, b, +label);
INSERT INTO tagged VALUES (1, 1, 2, 'first'), (2, 3, 4, x'00ff');
