#!/usr/bin/env python3
"""plot.py RESULTS_JSON OUT_DIR: the charts of a hakbench run, from results.json alone.

Writes, for the tables the run has:
  random_mixed_short.png, random_mixed_long.png  throughput per object size,
      grouped bars normalized to system (1.0 = system's median), min-max error bars
  larson.png       Larson throughput against threads (one panel per contention level)
  contention.png   mt_contention (one panel per remote-free share) and false_sharing
                   throughput against threads
  peak_rss.png     largest median peak RSS per workload group and allocator
Needs matplotlib (Debian: python3-matplotlib); `hakbench plot` finds a python that has it.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def ok_stats(cell, name):
    s = cell.get("stats", {}).get(name)
    if s and s.get("status") == "OK" and s.get("n", 0) > 0:
        return s
    return None


def arg(cell, name):
    args = cell.get("args", [])
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None


def cells_of(res, table):
    return [c for c in res["cells"] if c["table"] == table]


def names_of(res):
    return [a["name"] for a in res["allocators"] if a.get("available")]


def size_bars(res, table, out):
    cells = cells_of(res, table)
    names = names_of(res)
    if not cells or "system" not in names:
        return None
    fig, ax = plt.subplots(figsize=(max(7, len(cells) * 1.1), 4.5))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        xs, ys, lo, hi = [], [], [], []
        for i, c in enumerate(cells):
            s, base = ok_stats(c, name), ok_stats(c, "system")
            if not s or not base or base["median"] <= 0:
                continue
            m = base["median"]
            xs.append(i + (k - (len(names) - 1) / 2) * width)
            ys.append(s["median"] / m)
            lo.append((s["median"] - s["min"]) / m)
            hi.append((s["max"] - s["median"]) / m)
        if xs:
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=name)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(cells)))
    ax.set_xticklabels([c["label"] for c in cells])
    iters = arg(cells[0], "--iters") or "?"
    ax.set_title(f"random mixed, {iters} ops per run\nthroughput relative to system (median, bars: min-max)",
                 fontsize="medium")
    ax.set_ylabel("throughput / system")
    ax.set_xlabel("object size")
    ax.legend(fontsize="small", ncol=len(names))
    return save(fig, out, f"{table}.png")


def threads_panel(ax, res, cells, title):
    for name in names_of(res):
        pts = sorted((c["threads"], ok_stats(c, name)) for c in cells if ok_stats(c, name))
        if pts:
            ax.plot([t for t, _ in pts], [s["median"] / 1e6 for _, s in pts], marker="o", label=name)
        failed = [c["threads"] for c in cells
                  if c.get("stats", {}).get(name, {}).get("status", "OK") not in ("OK", "NONE")]
        if failed:
            ax.scatter(failed, [0] * len(failed), marker="x", color="red", zorder=5)
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel("threads")
    ax.set_ylabel("M ops/s (median)")
    ax.set_xticks(sorted({c["threads"] for c in cells}))
    ax.set_ylim(bottom=0)


def thread_charts(res, panels, out, fname, suptitle):
    panels = [(cells, title) for cells, title in panels if cells]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 4), squeeze=False)
    for ax, (cells, title) in zip(axes[0], panels):
        threads_panel(ax, res, cells, title)
    axes[0][0].legend(fontsize="small")
    fig.suptitle(suptitle + " (red x: CRASH/TIMEOUT)")
    return save(fig, out, fname)


def peak_rss(res, out):
    tables = []
    for c in res["cells"]:
        if c["table"] not in tables and c.get("better") != "lower":
            tables.append(c["table"])
    names = names_of(res)
    if not tables:
        return None
    fig, ax = plt.subplots(figsize=(max(6, len(tables) * 1.3), 4.2))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        xs, ys = [], []
        for i, t in enumerate(tables):
            vals = [ok_stats(c, name)["peak_rss_kb_median"] for c in cells_of(res, t) if ok_stats(c, name)]
            if vals:
                xs.append(i + (k - (len(names) - 1) / 2) * width)
                ys.append(max(vals) / 1024)
        if xs:
            ax.bar(xs, ys, width, label=name)
    ax.set_xticks(range(len(tables)))
    ax.set_xticklabels(tables, rotation=20, ha="right", fontsize="small")
    ax.set_ylabel("peak RSS, MiB (median of runs, largest cell)")
    ax.set_title("peak RSS per workload group")
    ax.legend(fontsize="small", ncol=len(names))
    return save(fig, out, "peak_rss.png")


def save(fig, out, name):
    fig.tight_layout()
    path = os.path.join(out, name)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def main(argv):
    if len(argv) != 3:
        print("usage: plot.py RESULTS_JSON OUT_DIR", file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            res = json.load(f)
    except (OSError, ValueError) as e:
        print(f"plot.py: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 2
    if res.get("format") != "hakbench-results" or res.get("version") != 1:
        print(f"plot.py: {argv[1]} is not a version 1 hakbench results file", file=sys.stderr)
        return 2
    out = argv[2]
    os.makedirs(out, exist_ok=True)
    written = [
        size_bars(res, "random_mixed_short", out),
        size_bars(res, "random_mixed_long", out),
        thread_charts(res, [(cells_of(res, "larson_low"), "256 chunks/thread"),
                            (cells_of(res, "larson_high"), "1024 chunks/thread"),
                            (cells_of(res, "larson_std"), "8-1000 B, 5000 chunks/thread")],
                      out, "larson.png", "Larson"),
    ]
    mt = cells_of(res, "mt_contention")
    remotes = sorted({int(arg(c, "--remote") or 50) for c in mt})
    panels = [([c for c in mt if int(arg(c, "--remote") or 50) == r], f"mt_contention, {r} % remote frees")
              for r in remotes]
    panels.append((cells_of(res, "false_sharing"), "false_sharing"))
    written.append(thread_charts(res, panels, out, "contention.png", "Remote frees and false sharing"))
    written.append(peak_rss(res, out))
    for p in written:
        if p:
            print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
