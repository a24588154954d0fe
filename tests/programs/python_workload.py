"""Allocation-heavy Python job with a deterministic digest on stdout.

Run by test_prog_python.sh once on glibc and once under LD_PRELOAD of hakmem:
the two stdouts must be identical. It exercises pymalloc (small objects) and
the C allocator (large dicts/lists grow through realloc, big strings and
bytes go straight to malloc), json round trips, and threads that allocate
while others free what they built.
"""
import hashlib
import json
import queue
import random
import sys
import threading


def digest(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def dicts(rng):
    d = {}
    for i in range(200_000):
        d["k%d" % rng.randrange(1 << 30)] = [i, str(i) * (i % 7)]
    for k in list(d)[::3]:
        del d[k]
    return {"len": len(d), "sum": sum(v[0] for v in d.values())}


def lists_and_strings(rng):
    xs = [rng.random() for _ in range(300_000)]
    xs.sort()
    words = ["".join(chr(97 + rng.randrange(26)) for _ in range(rng.randrange(1, 40)))
             for _ in range(50_000)]
    big = "|".join(words)
    grown = b""
    for i in range(2000):               # quadratic-ish realloc growth of bytes
        grown += bytes([i & 0xFF]) * (i % 97)
    parts = big.split("|")
    return {"first": round(xs[0], 12), "median": round(xs[len(xs) // 2], 12),
            "words": len(parts), "biglen": len(big), "upper": big.upper()[:32],
            "grown": hashlib.sha256(grown).hexdigest()[:16]}


def json_round_trips(rng):
    doc = {"rows": [{"id": i, "name": "n%d" % i, "tags": ["t%d" % (i % 13)] * (i % 5),
                     "score": rng.randrange(10**6) / 7} for i in range(20_000)]}
    for _ in range(5):
        doc = json.loads(json.dumps(doc))
    return digest(doc)


def threaded(seed):
    """Four producer threads build structures and hand them over a queue to
    two consumer threads, which check and drop them: objects are freed on a
    thread other than the one that made them, while allocation goes on."""
    q = queue.Queue(maxsize=16)
    seen = {}
    lock = threading.Lock()

    def produce(p):
        rng = random.Random(seed + p)
        for batch in range(40):
            items = [{"p": p, "b": batch, "s": "x" * rng.randrange(1, 3000),
                      "l": list(range(rng.randrange(50)))} for _ in range(500)]
            q.put((p, batch, items))

    def consume():
        while True:
            got = q.get()
            if got is None:
                return
            p, batch, items = got
            d = digest(items[:50]) + "/%d" % sum(len(it["s"]) for it in items)
            with lock:
                seen[(p, batch)] = d
            del items, got              # the last reference goes here

    consumers = [threading.Thread(target=consume) for _ in range(2)]
    producers = [threading.Thread(target=produce, args=(p,)) for p in range(4)]
    for t in consumers + producers:
        t.start()
    for t in producers:
        t.join()
    for _ in consumers:
        q.put(None)
    for t in consumers:
        t.join()
    return [seen[k] for k in sorted(seen)]


def main():
    rng = random.Random(12345)
    print("dicts", digest(dicts(rng)))
    print("lists_and_strings", digest(lists_and_strings(rng)))
    print("json", json_round_trips(rng))
    print("threads", digest(threaded(99)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
