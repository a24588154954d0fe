#!/usr/bin/python3
# gen_lines.py: writes to stdout comma-separated text lines for sort(1):
# a word key, a 1-9 digit number, a decimal and a free-text field of 0-60
# bytes, so lines vary from about 20 to 100 bytes. 500000 lines are about
# 24 MB. Made from a fixed seed, so every run sorts the same input.
# Usage: gen_lines.py [--seed N] [--lines N]
import argparse
import random
import sys

WORDS = ("amber basil cedar delta ember fjord grove heron indigo jasper kelp "
         "lotus maple nectar olive pepper quartz raven sage thyme umber violet "
         "willow xenon yarrow zinnia").split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--lines", type=int, default=500000)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout
    buf = []
    for i in range(a.lines):
        buf.append("%s%d,%d,%d.%02d,%s\n" % (
            rng.choice(WORDS), rng.randint(0, 999), rng.randint(0, 10 ** rng.randint(1, 9)),
            rng.randint(0, 9999), rng.randint(0, 99),
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 8)))))
        if len(buf) == 10000:
            out.write("".join(buf))
            buf = []
    out.write("".join(buf))


if __name__ == "__main__":
    main()
