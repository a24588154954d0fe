#!/usr/bin/python3
# gen_sql.py: writes to stdout a SQL script for sqlite3 (in-memory database):
# three tables (customers, products with text descriptions of 20-1500 bytes,
# orders), tens of thousands of multi-row INSERTs in one transaction, four
# indexes built afterwards, then joins, GROUP BY, ORDER BY, group_concat,
# a recursive CTE, UPDATE and DELETE. Every query prints only aggregates or
# ordered rows, so the output is identical on every run.
# Usage: gen_sql.py [--seed N] [--orders N]
import argparse
import random

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo "
         "lima mike november oscar papa quebec romeo sierra tango uniform "
         "victor whiskey xray yankee zulu").split()
CITIES = ["Aachen", "Bergen", "Cadiz", "Dublin", "Essen", "Faro", "Genoa",
          "Hanoi", "Izmir", "Jena", "Kyoto", "Lyon", "Malmo", "Nantes",
          "Oslo", "Porto", "Quito", "Riga", "Sofia", "Turin"]


def text(rng, lo, hi):
    n = rng.randint(lo, hi)
    out = []
    size = 0
    while size < n:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n]


def rows(stmt, values, per=200):
    for i in range(0, len(values), per):
        print(stmt + ",\n".join(values[i:i + per]) + ";")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--orders", type=int, default=100000)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    ncust = max(100, a.orders // 20)
    nprod = max(50, a.orders // 60)

    print("PRAGMA cache_size=-65536;")
    print("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT, since INTEGER);")
    print("CREATE TABLE products(id INTEGER PRIMARY KEY, name TEXT, price REAL, descr TEXT);")
    print("CREATE TABLE orders(id INTEGER PRIMARY KEY, cust INTEGER, prod INTEGER, qty INTEGER, day INTEGER, note TEXT);")
    print("BEGIN;")
    rows("INSERT INTO customers VALUES ",
         ["(%d,'%s %s',%s,%d)" % (i, rng.choice(WORDS), rng.choice(WORDS),
                                  "'%s'" % rng.choice(CITIES), rng.randint(1990, 2024))
          for i in range(1, ncust + 1)])
    rows("INSERT INTO products VALUES ",
         ["(%d,'%s-%d',%.2f,'%s')" % (i, rng.choice(WORDS), i, rng.uniform(0.5, 500.0),
                                      text(rng, 20, 1500))
          for i in range(1, nprod + 1)])
    rows("INSERT INTO orders VALUES ",
         ["(%d,%d,%d,%d,%d,'%s')" % (i, rng.randint(1, ncust), rng.randint(1, nprod),
                                     rng.randint(1, 20), rng.randint(0, 3650),
                                     text(rng, 0, 120))
          for i in range(1, a.orders + 1)])
    print("COMMIT;")
    print("CREATE INDEX orders_cust ON orders(cust, day);")
    print("CREATE INDEX orders_prod ON orders(prod);")
    print("CREATE INDEX customers_city ON customers(city, name);")
    print("CREATE INDEX products_name ON products(name);")
    print("SELECT count(*), sum(qty), sum(length(note)) FROM orders;")
    print("SELECT c.city, count(*), sum(o.qty), printf('%.2f', sum(o.qty * p.price)) "
          "FROM orders o JOIN customers c ON c.id = o.cust JOIN products p ON p.id = o.prod "
          "GROUP BY c.city ORDER BY c.city;")
    print("SELECT p.id, p.name, count(*) AS n FROM orders o JOIN products p ON p.id = o.prod "
          "GROUP BY p.id ORDER BY n DESC, p.id LIMIT 10;")
    print("SELECT o.cust, count(*), max(o.day) FROM orders o WHERE o.cust IN "
          "(SELECT id FROM customers WHERE city IN ('Oslo','Riga','Turin')) "
          "GROUP BY o.cust ORDER BY 2 DESC, 1 LIMIT 10;")
    print("SELECT city, length(group_concat(name, ',')) FROM "
          "(SELECT city, name FROM customers ORDER BY city, name, id) GROUP BY city ORDER BY city;")
    print("SELECT sum(length(s)) FROM (SELECT group_concat(note, '|') AS s FROM orders GROUP BY cust);")
    print("SELECT sum(length(upper(descr) || lower(name))), sum(instr(descr, 'zulu')) FROM products;")
    print("WITH RECURSIVE seq(n, acc) AS (SELECT 1, '' UNION ALL "
          "SELECT n + 1, substr(acc || char(65 + n % 26), -200) FROM seq WHERE n < 50000) "
          "SELECT count(*), sum(length(acc)) FROM seq;")
    print("UPDATE orders SET note = note || ' ' || note WHERE qty > 15;")
    print("DELETE FROM orders WHERE day % 7 = 3;")
    print("SELECT count(*), sum(length(note)), sum(qty * day) FROM orders;")
    print("SELECT day / 365, count(DISTINCT cust), count(DISTINCT prod) FROM orders "
          "GROUP BY 1 ORDER BY 1;")
    print("SELECT c.name, sum(o.qty) AS t FROM customers c JOIN orders o ON o.cust = c.id "
          "GROUP BY c.id ORDER BY t DESC, c.id LIMIT 5;")


if __name__ == "__main__":
    main()
