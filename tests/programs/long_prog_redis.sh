#!/usr/bin/env bash
# redis-server (Debian package) under hakmem on a loopback port:
# redis-benchmark runs a bounded 200000 requests (SET, GET, INCR, LPUSH,
# RPOP, SADD, HSET, MSET, LRANGE; 16 clients, pipelined), then the data is
# checked: 20000 strings of 1..4000 bytes set through redis-cli --pipe, half
# of them grown with APPEND and a quarter deleted, a 5000-element list and a
# 3000-field hash; every value read back must be exactly what was written,
# and DBSIZE must match. The server must exit cleanly on SHUTDOWN and print
# no hakmem error.
. "$(dirname "$0")/../lib.sh"
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null ||
  die "redis-server/redis-benchmark missing (TEST_PACKAGES has redis-server: run make test-deps)"
need_preload
port=$((20000 + $$ % 20000))
cli() { redis-cli -p "$port" "$@"; }
# exec, so that $! is redis-server itself (kill and wait reach it).
( [ -n "$PRELOAD" ] && export LD_PRELOAD=$PRELOAD
  exec redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$TMP" --logfile "$TMP/redis.log" ) >"$TMP/redis.out" 2>"$TMP/redis.err" &
pid=$!
at_exit '[ -n "$pid" ] && kill $pid 2>/dev/null'
for _ in $(seq 100); do [ "$(cli ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
[ "$(cli ping 2>/dev/null)" = PONG ] || { cat "$TMP/redis.log"; die "redis-server did not answer on port $port"; }
[ -z "$PRELOAD" ] || grep -q "$(basename "$PRELOAD")" /proc/$pid/maps || die "redis-server does not have $PRELOAD mapped"
echo "redis-server pid $pid on 127.0.0.1:$port: $(cli info server | grep -E '^redis_version' | tr -d '\r')"

timeout 300 redis-benchmark -p "$port" -n 200000 -r 100000 -c 16 -P 8 -q \
  -t set,get,incr,lpush,rpop,sadd,hset,mset,lrange_100 >"$TMP/bench.out" 2>&1
rc=$?
tr '\r' '\n' <"$TMP/bench.out" | grep -E 'requests per second' 
[ $rc -eq 0 ] || die "redis-benchmark exited $rc"
[ "$(tr '\r' '\n' <"$TMP/bench.out" | grep -c 'requests per second')" -ge 9 ] || die "redis-benchmark did not finish every test"
kill -0 $pid 2>/dev/null || die "redis-server died during the benchmark"

cli flushall >/dev/null
# Data with known values: key k<i> = v<i>: followed by a length that varies.
awk 'BEGIN { for (i = 0; i < 20000; i++) { v = sprintf("v%d:%s", i, substr(sprintf("%04000d", 0), 1, 1 + (i * 7919) % 4000))
  gsub(/0/, substr("abcdefghij", 1 + i % 10, 1), v)
  printf "*3\r\n$3\r\nSET\r\n$%d\r\nk%d\r\n$%d\r\n%s\r\n", length("k" i), i, length(v), v } }' >"$TMP/set.resp"
cli --pipe <"$TMP/set.resp" >"$TMP/pipe.out" 2>&1 || { cat "$TMP/pipe.out"; die "redis-cli --pipe failed"; }
grep -q 'errors: 0, replies: 20000' "$TMP/pipe.out" || { cat "$TMP/pipe.out"; die "SET pipe: not 20000 clean replies"; }
for i in $(seq 0 2 19999); do echo "APPEND k$i +appended$i"; done | cli >/dev/null
for i in $(seq 0 4 19999); do echo "DEL k$((i + 1))"; done | cli >/dev/null
for i in $(seq 1 5000); do echo "RPUSH list item$i"; done | cli >/dev/null
for i in $(seq 1 3000); do echo "HSET hash f$i val$((i * i))"; done | cli >/dev/null

# Expected values, computed without redis; then read everything back.
awk 'BEGIN { for (i = 0; i < 20000; i++) { if (i % 4 == 1) continue
  v = sprintf("v%d:%s", i, substr(sprintf("%04000d", 0), 1, 1 + (i * 7919) % 4000))
  gsub(/0/, substr("abcdefghij", 1 + i % 10, 1), v)
  if (i % 2 == 0) v = v "+appended" i
  print v } }' >"$TMP/expect"
for i in $(seq 0 19999); do [ $((i % 4)) -eq 1 ] || echo "GET k$i"; done | cli >"$TMP/got"
cmp -s "$TMP/expect" "$TMP/got" || { diff "$TMP/expect" "$TMP/got" | head -c 600; die "values read back differ from those written"; }
ok "15000 string values read back exactly ($(wc -c <"$TMP/got") bytes)"
n=$(cli dbsize)
[ "$n" = 15002 ] || die "DBSIZE is $n, expected 15002 (15000 strings, a list, a hash)"
ok "DBSIZE 15002"
[ "$(cli llen list)" = 5000 ] && [ "$(cli lindex list 4321)" = item4322 ] || die "list contents wrong"
[ "$(cli hlen hash)" = 3000 ] && [ "$(cli hget hash f2999)" = val$((2999 * 2999)) ] || die "hash contents wrong"
ok "list (5000) and hash (3000) intact"
cli shutdown nosave >/dev/null 2>&1
wait $pid; rc=$?
pid=
[ $rc -eq 0 ] || { tail -n 20 "$TMP/redis.log"; die "redis-server exited $rc"; }
grep -q '^hakmem: ' "$TMP/redis.err" && die "hakmem reported an error: $(grep '^hakmem: ' "$TMP/redis.err" | head -n 1)"
ok "redis-server exited 0"
count programs_run 2
finish
