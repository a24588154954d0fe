#!/usr/bin/env bash
# gen_sql.sh ROWS: print a deterministic SQL script for sqlite3: tables,
# inserts in transactions, indexes, joins, aggregates, updates, deletes,
# VACUUM, and queries whose output tests/programs/test_prog_sqlite.sh compares.
set -eu
rows=${1:-20000}
awk -v rows="$rows" 'BEGIN {
  seed = 42
  print ".headers off"
  print "PRAGMA journal_mode=MEMORY;"
  print "CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT, city TEXT, note BLOB);"
  print "CREATE TABLE orders(id INTEGER PRIMARY KEY, cust INTEGER, amount INTEGER, item TEXT);"
  print "BEGIN;"
  for (i = 1; i <= rows / 10; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    printf "INSERT INTO customer VALUES(%d, '\''c%d'\'', '\''city%d'\'', zeroblob(%d));\n", i, seed % 100000, seed % 37, seed % 2000
  }
  for (i = 1; i <= rows; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    printf "INSERT INTO orders VALUES(%d, %d, %d, '\''%s%d'\'');\n", i, 1 + seed % (rows / 10), seed % 10000, substr("abcdefghijklmnopqrstuvwxyz", 1 + seed % 26, 1 + seed % 20), seed % 997
  }
  print "COMMIT;"
  print "CREATE INDEX orders_cust ON orders(cust);"
  print "CREATE INDEX orders_item ON orders(item, amount);"
  print "CREATE INDEX customer_city ON customer(city);"
  print "SELECT count(*), sum(amount), min(item), max(item) FROM orders;"
  print "SELECT c.city, count(*), sum(o.amount), group_concat(DISTINCT substr(o.item,1,1)) FROM orders o JOIN customer c ON c.id = o.cust GROUP BY c.city ORDER BY c.city;"
  print "SELECT c.id, c.name, count(o.id) AS n FROM customer c LEFT JOIN orders o ON o.cust = c.id GROUP BY c.id ORDER BY n DESC, c.id LIMIT 25;"
  print "UPDATE orders SET amount = amount * 2 WHERE amount % 3 = 0;"
  print "DELETE FROM orders WHERE amount % 5 = 0;"
  print "DELETE FROM customer WHERE id % 7 = 0;"
  print "DELETE FROM orders WHERE cust NOT IN (SELECT id FROM customer);"
  print "VACUUM;"
  print "SELECT count(*), sum(amount), sum(length(item)) FROM orders;"
  print "SELECT item, count(*), sum(amount) FROM orders GROUP BY item HAVING count(*) > 3 ORDER BY 2 DESC, 1 LIMIT 40;"
  print "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 5000) SELECT sum(x), group_concat(x % 10, '\'''\'') LIKE '\''1234%'\'' FROM r;"
  print "SELECT sum(length(note)), count(*) FROM customer;"
  print "PRAGMA integrity_check;"
}'
