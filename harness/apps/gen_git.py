#!/usr/bin/python3
# gen_git.py: writes to stdout a `git fast-import` stream for a repository
# with a linear history: FILES source-like text files of 1-400 lines, then
# COMMITS commits that each edit 1-6 files (insert, delete and change lines,
# sometimes add a file), with fixed authors and dates. Load it with
#   git init -q repo && git -C repo fast-import --quiet < stream
# The result is the same repository (same commit ids) on every run.
# Usage: gen_git.py [--seed N] [--files N] [--commits N]
import argparse
import random
import sys

WORDS = ("int long char return if else for while static struct void const "
         "buffer count index value node next prev list table hash size alloc "
         "free lock unlock error result state").split()


def line(rng):
    ind = "    " * rng.randint(0, 3)
    return ind + " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 10))) + ";"


def emit(out, data):
    b = data.encode()
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--files", type=int, default=150)
    ap.add_argument("--commits", type=int, default=600)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout.buffer
    files = {}
    for i in range(a.files):
        files["src/d%02d/file%03d.c" % (i % 12, i)] = [line(rng) for _ in range(rng.randint(1, 400))]
    t0 = 1500000000
    for c in range(a.commits):
        if c == 0:
            changed = sorted(files)
        else:
            changed = sorted(rng.sample(sorted(files), rng.randint(1, 6)))
            if rng.random() < 0.05:
                name = "src/d%02d/new%04d.c" % (c % 12, c)
                files[name] = [line(rng) for _ in range(rng.randint(1, 100))]
                changed.append(name)
            for name in changed:
                lines = files[name]
                for _ in range(rng.randint(1, 12)):
                    op = rng.random()
                    pos = rng.randint(0, len(lines))
                    if op < 0.45 or not lines:
                        lines[pos:pos] = [line(rng) for _ in range(rng.randint(1, 8))]
                    elif op < 0.7:
                        del lines[pos:pos + rng.randint(1, 5)]
                    else:
                        lines[min(pos, len(lines) - 1)] = line(rng)
        who = rng.choice(["Ada <ada@example.org>", "Bob <bob@example.org>", "Cy <cy@example.org>"])
        out.write(b"commit refs/heads/main\n")
        out.write(("committer %s %d +0000\n" % (who, t0 + c * 3600)).encode())
        emit(out, "change %d: %s\n" % (c, " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))))
        for name in changed:
            out.write(("M 100644 inline %s\n" % name).encode())
            emit(out, "\n".join(files[name]) + "\n")
        out.write(b"\n")


if __name__ == "__main__":
    main()
