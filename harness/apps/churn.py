#!/usr/bin/python3
# churn.py: an allocation-heavy Python program, its input made inside from a
# fixed seed: builds records (dicts of strings, ints, lists), round-trips them
# through json.dumps/json.loads, indexes them in dicts of lists, joins and
# splits strings of 10 B to 64 KiB, sorts, and drops everything each round.
# Prints sums and sorted results only (never set or dict-of-str iteration
# order, which depends on the hash seed), so stdout is identical on every run.
# Run with PYTHONMALLOC=malloc so that every object goes through malloc().
# Usage: churn.py [--seed N] [--rounds N] [--records N]
import argparse
import json
import random
import zlib

WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
         "eiusmod tempor incididunt ut labore et dolore magna aliqua").split()


def make_record(rng, i):
    nwords = rng.randint(1, 40)
    return {
        "id": i,
        "name": "user%06d" % rng.randint(0, 999999),
        "tags": [rng.choice(WORDS) for _ in range(rng.randint(0, 8))],
        "text": " ".join(rng.choice(WORDS) for _ in range(nwords)),
        "score": rng.randint(-1000, 1000),
        "nested": {"a": rng.random() < 0.5, "b": [rng.randint(0, 99) for _ in range(rng.randint(0, 12))]},
    }


def one_round(rng, nrec):
    recs = [make_record(rng, i) for i in range(nrec)]
    blob = json.dumps(recs, sort_keys=True)
    back = json.loads(blob)
    assert len(back) == nrec
    by_tag = {}
    for r in back:
        for t in r["tags"]:
            by_tag.setdefault(t, []).append(r["id"])
    tag_summary = sorted((t, len(v), sum(v) % 100003) for t, v in by_tag.items())
    # String building: many small pieces joined into big strings, then split.
    pieces = [r["name"] + ":" + r["text"] for r in back]
    big = "\n".join(pieces)
    words = big.split()
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    # Buffers of growing size (1 KiB .. 64 KiB), compressed and decompressed.
    crc = 0
    for k in range(10, 17):
        chunk = (big[: 1 << k]).encode()
        crc = zlib.crc32(zlib.decompress(zlib.compress(chunk, 1)), crc)
    ordered = sorted(back, key=lambda r: (r["score"], r["id"]))
    return (len(blob), zlib.crc32(blob.encode()), tag_summary[:3], top, crc,
            ordered[0]["id"], ordered[-1]["id"], len(words))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--records", type=int, default=6000)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    keep = []
    for rnd in range(a.rounds):
        res = one_round(rng, a.records)
        print(rnd, *res)
        keep.append(res)
        if len(keep) > 3:
            keep.pop(0)


if __name__ == "__main__":
    main()
