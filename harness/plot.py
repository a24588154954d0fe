#!/usr/bin/env python3
"""plot.py RESULTS_JSON CHART_PLAN OUT_DIR: the charts of a hakbench run.

`hakbench plot` writes CHART_PLAN from the report's table list (harness/layout.c):
tab-separated lines "chart FILE KIND TITLE", each followed by its
"panel TITLE CELL-ID..." lines. This script only draws: which cells go in
which panel, and every title, come from the plan; the values from results.json.
The charts, for the tables the run has:
  random_mixed_short.png, random_mixed_long.png  throughput per object size,
      grouped bars normalized to system (1.0 = system's median), min-max error bars
  larson.png       Larson throughput against threads (one panel per contention level)
  contention.png   mt_contention (one panel per remote-free share) and false_sharing
                   throughput against threads
  peak_rss.png     largest median peak RSS per workload group (or program) and allocator
  TABLE.png        program cells: time relative to glibc, one group of bars per
                   program, interquartile-range error bars (throughput as system/value)
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


def names_of(res):
    return [a["name"] for a in res["allocators"] if a.get("available")]


def size_bars(res, chart, out):
    title, panels = chart["title"], chart["panels"]
    cells = panels[0][1] if panels else []
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
    ax.set_title(f"{title}\n{panels[0][0]}", fontsize="medium")
    ax.set_ylabel("throughput / system")
    ax.set_xlabel("object size")
    ax.legend(fontsize="small", ncol=len(names))
    return save(fig, out, chart["file"])


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


def thread_charts(res, chart, out):
    panels = [(title, cells) for title, cells in chart["panels"] if cells]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 4), squeeze=False)
    for ax, (title, cells) in zip(axes[0], panels):
        threads_panel(ax, res, cells, title)
    axes[0][0].legend(fontsize="small")
    fig.suptitle(chart["title"] + " (red x: CRASH/TIMEOUT)")
    return save(fig, out, chart["file"])


def peak_rss(res, chart, out):
    groups = chart["panels"]
    names = names_of(res)
    if not groups:
        return None
    fig, ax = plt.subplots(figsize=(max(6, len(groups) * 1.3), 4.2))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        xs, ys = [], []
        for i, (_, cells) in enumerate(groups):
            vals = [ok_stats(c, name)["peak_rss_kb_median"] for c in cells if ok_stats(c, name)]
            if vals:
                xs.append(i + (k - (len(names) - 1) / 2) * width)
                ys.append(max(vals) / 1024)
        if xs:
            ax.bar(xs, ys, width, label=name)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([g for g, _ in groups], rotation=20, ha="right", fontsize="small")
    ax.set_ylabel("peak RSS, MiB (median of runs, largest cell)")
    ax.set_title(chart["title"])
    ax.legend(fontsize="small", ncol=len(names))
    return save(fig, out, chart["file"])


def normalized(res, chart, out):
    """Program cells: each allocator's median relative to system's, as time
    (lower is better; a throughput v counts as system/v), with the
    interquartile range of its runs as error bars."""
    cells = chart["panels"][0][1] if chart["panels"] else []
    names = names_of(res)
    if not cells or "system" not in names:
        return None
    fig, ax = plt.subplots(figsize=(max(6.5, len(cells) * 1.25), 4.4))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        xs, ys, lo, hi = [], [], [], []
        for i, c in enumerate(cells):
            s, base = ok_stats(c, name), ok_stats(c, "system")
            if not s or not base or not base["median"] or not s["median"]:
                continue
            if c.get("better") == "lower":
                rel = [s[q] / base["median"] for q in ("median", "q1", "q3")]
            else:
                rel = [base["median"] / s[q] if s[q] else float("nan") for q in ("median", "q1", "q3")]
            xs.append(i + (k - (len(names) - 1) / 2) * width)
            ys.append(rel[0])
            lo.append(max(0.0, rel[0] - min(rel[1], rel[2])))
            hi.append(max(0.0, max(rel[1], rel[2]) - rel[0]))
        if xs:
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=name)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(cells)))
    ax.set_xticklabels([c["label"] for c in cells], rotation=25, ha="right", fontsize="small")
    ax.set_ylabel("time relative to glibc (1.0 = system)")
    ax.set_title(chart["title"] + "\n" + chart["panels"][0][0], fontsize="medium")
    ax.legend(fontsize="small", ncol=len(names))
    return save(fig, out, chart["file"])


def save(fig, out, name):
    fig.tight_layout()
    path = os.path.join(out, name)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def read_plan(path, res):
    """The chart plan: [{file, kind, title, panels: [(title, [cell, ...])]}]."""
    by_id = {c["id"]: c for c in res["cells"]}
    charts = []
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "chart" and len(fields) == 4:
                charts.append({"file": fields[1], "kind": fields[2], "title": fields[3], "panels": []})
            elif fields[0] == "panel" and len(fields) >= 2 and charts:
                charts[-1]["panels"].append((fields[1], [by_id[i] for i in fields[2:] if i in by_id]))
            else:
                raise ValueError(f"bad chart plan line: {line!r}")
    return charts


DRAW = {"size_bars": size_bars, "threads": thread_charts, "peak_rss": peak_rss, "normalized": normalized}


def main(argv):
    if len(argv) != 4:
        print("usage: plot.py RESULTS_JSON CHART_PLAN OUT_DIR", file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            res = json.load(f)
        if res.get("format") != "hakbench-results" or res.get("version") != 1:
            raise ValueError("not a version 1 hakbench results file")
        charts = read_plan(argv[2], res)
    except (OSError, ValueError, KeyError) as e:
        print(f"plot.py: {e}", file=sys.stderr)
        return 2
    out = argv[3]
    os.makedirs(out, exist_ok=True)
    for chart in charts:
        p = DRAW[chart["kind"]](res, chart, out)
        if p:
            print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
