#!/usr/bin/python3
# gen_smt.py: writes to stdout an SMT-LIB 2 script for z3 with a series of
# independent problems, each followed by (reset): linear integer arithmetic
# (random systems of inequalities over bounded integers, with disjunctions),
# bit-vector arithmetic (12-bit multiply/xor/shift equations with a planted
# solution, that z3 solves by bit-blasting) and random 3-SAT near the
# satisfiability threshold. z3 builds and frees terms, clauses, bignum
# rationals and hash tables: many small blocks with a long-lived core. Only
# (check-sat) answers are printed, never models, so the output is the same
# on every run.
# Usage: gen_smt.py [--seed N] [--lia N] [--bv N] [--sat N]
import argparse
import random


def lia(rng, nv=10, nc=14):
    out = []
    vs = ["x%d" % i for i in range(nv)]
    for v in vs:
        out.append("(declare-const %s Int)" % v)
        out.append("(assert (and (>= %s -50) (<= %s 50)))" % (v, v))
    for _ in range(nc):
        terms = " ".join("(* %d %s)" % (rng.randint(-9, 9) or 1, v) for v in rng.sample(vs, 4))
        c1 = "(<= (+ %s) %d)" % (terms, rng.randint(-40, 40))
        terms2 = " ".join("(* %d %s)" % (rng.randint(-9, 9) or 1, v) for v in rng.sample(vs, 3))
        c2 = "(>= (+ %s) %d)" % (terms2, rng.randint(-40, 40))
        out.append("(assert (or %s %s))" % (c1, c2))
    out.append("(assert (= (+ %s) %d))" % (" ".join(vs[:6]), rng.randint(-20, 20)))
    out.append("(check-sat)")
    out.append("(reset)")
    return out


def bv(rng, nv=4, width=12):
    # A planted solution: the constants are computed from a random assignment,
    # so every problem is satisfiable (unsatisfiable ones can take seconds).
    mask = (1 << width) - 1
    val = sorted(rng.getrandbits(width) for _ in range(nv))
    out = []
    vs = ["b%d" % i for i in range(nv)]
    for v in vs:
        out.append("(declare-const %s (_ BitVec %d))" % (v, width))
    for i in range(nv):
        a, b, c = rng.sample(range(nv), 3)
        sh = rng.randint(1, 9)
        k = ((val[a] * val[b]) & mask) ^ (val[c] >> sh)
        out.append("(assert (= (bvxor (bvmul %s %s) (bvlshr %s (_ bv%d %d))) (_ bv%d %d)))"
                   % (vs[a], vs[b], vs[c], sh, width, k, width))
    out.append("(assert (bvule %s %s))" % (vs[0], vs[1]))
    out.append("(check-sat)")
    out.append("(reset)")
    return out


def sat3(rng, nv=120, ratio=4.2):
    out = []
    for i in range(nv):
        out.append("(declare-const p%d Bool)" % i)
    for _ in range(int(nv * ratio)):
        lits = []
        for v in rng.sample(range(nv), 3):
            lits.append("p%d" % v if rng.random() < 0.5 else "(not p%d)" % v)
        out.append("(assert (or %s))" % " ".join(lits))
    out.append("(check-sat)")
    out.append("(reset)")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--lia", type=int, default=16)
    ap.add_argument("--bv", type=int, default=8)
    ap.add_argument("--sat", type=int, default=8)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    lines = []
    kinds = ["lia"] * a.lia + ["bv"] * a.bv + ["sat"] * a.sat
    rng.shuffle(kinds)
    for k in kinds:
        lines += {"lia": lia, "bv": bv, "sat": sat3}[k](rng)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
