# real_python.py: a Python workload for tests/programs/test_prog_python.sh. Builds and
# discards large dicts, lists and strings and prints a digest of what it
# built; the output must be identical with and without LD_PRELOAD=libhakmem.so.
import hashlib

h = hashlib.sha256()
for rnd in range(6):
    d = {("key%d" % i) * (1 + i % 5): [i, str(i) * (i % 7), {"n": i}] for i in range(60000)}
    lst = [str(i * rnd) * (i % 13) for i in range(80000)]
    big = "".join(lst)
    words = big.split("1")
    h.update(str(len(d)).encode())
    h.update(str(sum(len(k) for k in d)).encode())
    h.update(big[::997].encode())
    h.update(str(len(words)).encode())
    h.update(repr(sorted(d)[:50]).encode())
    del d, lst, big, words
blobs = [bytes(range(256)) * (i % 64 + 1) for i in range(4000)]
h.update(b"".join(blobs[::3]))
print("rounds 6, blobs", len(blobs), "digest", h.hexdigest())
