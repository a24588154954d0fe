#!/usr/bin/env python3
"""history.py DATA_TSV OUT_DIR: the trend charts of `hakbench history --charts`.

`hakbench history` computes every figure and writes DATA_TSV, tab-separated:
  cell   PNG TITLE UNIT          starts a chart
  x      INDEX COMMIT            the commits, in order (the x axis)
  value  INDEX ALLOCATOR MEDIAN Q1 Q3
  ratio  INDEX NAME PERCENT      hakmem vs glibc / vs best other
  change INDEX                   a change point (first commit of the new level)
This script only draws: one PNG per cell, top panel one line per allocator
with its interquartile range as a band, bottom panel the ratios (100 % line),
change points as dashed vertical lines.
Needs matplotlib (Debian: python3-matplotlib).
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    charts, cur = [], None
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] == "cell":
                cur = {"png": p[1], "title": p[2], "unit": p[3], "x": {}, "values": {},
                       "ratios": {}, "changes": []}
                charts.append(cur)
            elif p[0] == "x":
                cur["x"][int(p[1])] = p[2]
            elif p[0] == "value":
                cur["values"].setdefault(p[2], []).append(
                    (int(p[1]), float(p[3]), float(p[4]), float(p[5])))
            elif p[0] == "ratio":
                cur["ratios"].setdefault(p[2], []).append((int(p[1]), float(p[3])))
            elif p[0] == "change":
                cur["changes"].append(int(p[1]))
    return charts


def draw(c, out):
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(6, 0.6 * len(c["x"]) + 3), 6.5),
                                      sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    for name, pts in c["values"].items():
        xs = [p[0] for p in pts]
        line, = top.plot(xs, [p[1] for p in pts], marker="o", label=name)
        top.fill_between(xs, [p[2] for p in pts], [p[3] for p in pts], alpha=0.2,
                         color=line.get_color())
    top.set_ylabel(c["unit"])
    top.set_title(c["title"])
    top.legend(fontsize="small")
    for name, pts in c["ratios"].items():
        bottom.plot([p[0] for p in pts], [p[1] for p in pts], marker="s", label="hakmem " + name)
    bottom.axhline(100, color="grey", linewidth=0.8)
    bottom.set_ylabel("hakmem, % (>100: better)")
    if c["ratios"]:
        bottom.legend(fontsize="small")
    for ax in (top, bottom):
        for x in c["changes"]:
            ax.axvline(x - 0.5, color="red", linestyle="--", linewidth=1)
        ax.grid(alpha=0.3)
    xs = sorted(c["x"])
    bottom.set_xticks(xs)
    bottom.set_xticklabels([c["x"][i] for i in xs], rotation=45, ha="right", fontsize="small")
    bottom.set_xlabel("commit")
    fig.tight_layout()
    fig.savefig(os.path.join(out, c["png"]), dpi=90)
    plt.close(fig)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: history.py DATA_TSV OUT_DIR\n")
        return 2
    for c in read(sys.argv[1]):
        draw(c, sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
