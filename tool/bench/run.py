#!/usr/bin/python3
"""Paracel's benchmarks: every figure against a baseline measured in the same run.

    /usr/bin/python3 tool/bench/run.py [--only ps,wordcount,...] [--reps 3] [--out DIR]
    /usr/bin/python3 tool/bench/run.py --smoke      # tiny sizes, 1 repetition: a check

Builds what it needs (Release), installs the baselines (tool/install_deps.sh --bench), runs
the workloads (all, or those named in --only: ps, ssp, wordcount, kmeans, pagerank, lr,
ridge, lasso, lda, mf, als, similarity, svd, components, ssp, metrics, checkpoint), and writes DIR/results.md (the table, with the machine and this command) and the
plots. Baselines run interleaved with Paracel, and each figure is the median of --reps runs.
Real data sets come from tool/data/fetch.py; without them those rows are left out.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_common as common  # noqa: E402
import wl_als, wl_kmeans, wl_lasso, wl_lda, wl_lr, wl_mf, wl_pagerank, wl_ps, wl_ridge, wl_ssp  # noqa: E402,E401,E501
import wl_checkpoint, wl_metrics, wl_similarity, wl_svd, wl_vertex, wl_wordcount  # noqa: E402,E401

WORKLOADS = ["ps", "wordcount", "kmeans", "pagerank", "lr", "ridge", "lasso", "lda", "mf", "als",
             "similarity", "svd", "components", "ssp", "metrics", "checkpoint"]


def build(build_dir):
    common.log("building (Release) in " + build_dir)
    subprocess.run(["bash", os.path.join(common.ROOT, "tool", "install_deps.sh"), "--bench"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "-S", common.ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                    "-DPARACEL_BUILD_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build_dir, "-j", str(os.cpu_count() or 2)], check=True,
                   stdout=subprocess.DEVNULL)


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")))
    return "%d x %s, %.0f GiB, %s" % (os.cpu_count(), cpu, mem / 2**20, platform.platform())


def fmt(v):
    return "%.3g" % v if abs(v) < 1000 else f"{v:,.0f}"


def plot_ratios(ctx):
    """A bar per comparison: how many times better (> 1) or worse (< 1) Paracel is."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = [r for r in ctx.rows if not r.workload.startswith("scaling")]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(9, 0.38 * len(rows) + 1.2))
    labels = ["%s (vs %s)" % (r.workload[:55], r.baseline_name[:28]) for r in rows]
    ratios = [r.ratio for r in rows]
    # Bars grow from 1 (par): right when Paracel is better, left when it is slower.
    ax.barh(range(len(rows)), [x - 1 for x in ratios], left=1,
            color=["tab:green" if x >= 1 else "tab:red" for x in ratios])
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1, color="black", linewidth=0.8)
    ax.set_xlabel("times better than the baseline (log scale; < 1: slower)")
    fig.tight_layout()
    fig.savefig(os.path.join(ctx.out, "ratios.png"), dpi=110)
    ctx.plots.insert(0, ("Paracel against each baseline", "ratios.png"))


def write(ctx, args, seconds):
    lines = ["# Paracel benchmark results", "",
             "Machine: %s. Date: %s. Total time: %.0f s." % (
                 machine(), datetime.date.today(), seconds),
             "Command: `/usr/bin/python3 tool/bench/run.py %s`" % " ".join(sys.argv[1:]), "",
             "Each row: Paracel and its baseline measured in the same run, interleaved, median "
             "of %d. *Ratio* is how many times better Paracel is (higher rates, or shorter "
             "times); below 1 it is slower. Scaling rows compare the time at 10x data with "
             "10 (linear)." % ctx.reps, "",
             "| workload | measure | Paracel | baseline | baseline is | ratio | goal | note |",
             "|---|---|---:|---:|---|---:|---:|---|"]
    for r in ctx.rows:
        goal = "" if r.goal is None else (">= %gx %s" % (r.goal, "met" if r.ratio >= r.goal
                                                          else "**NOT MET**"))
        if r.workload.startswith("scaling"):
            ratio = "%.2f" % r.paracel
        else:
            ratio = "%.2fx" % r.ratio
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r.workload, r.measure, fmt(r.paracel), fmt(r.baseline), r.baseline_name, ratio,
            goal, r.note))
    for title, png in ctx.plots:
        lines += ["", "![%s](%s)" % (title, png)]
    if os.path.exists(os.path.join(ctx.out, "ssp.md")):
        lines += ["", "SSP details: [ssp.md](ssp.md)."]
    text = "\n".join(lines) + "\n"
    open(os.path.join(ctx.out, "results.md"), "w").write(text)
    with open(os.path.join(ctx.out, "results.json"), "w") as f:
        json.dump([dict(vars(r), ratio=r.ratio) for r in ctx.rows], f, indent=1)
    print(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", default=os.path.join(common.ROOT, "bench-results"))
    parser.add_argument("--build", default=os.path.join(common.ROOT, "build-bench"))
    parser.add_argument("--work", default="/tmp/paracel-bench")
    parser.add_argument("--no_build", action="store_true")
    args = parser.parse_args()
    chosen = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = sorted(set(chosen) - set(WORKLOADS))
    if unknown:
        sys.exit("run.py: unknown workload(s) %s; choose from %s" % (
            ", ".join(unknown), ", ".join(WORKLOADS)))
    if not args.no_build:
        build(args.build)
    os.makedirs(args.out, exist_ok=True)
    ctx = common.Context(build=args.build, work=args.work, out=args.out,
                         reps=args.reps or (1 if args.smoke else 3), smoke=args.smoke)
    start = time.monotonic()
    data = None
    if {"lr", "mf", "als", "similarity", "svd"} & set(chosen):
        data = common.real_data("fashion_mnist", "movielens")
    graphs = common.real_data("wordnet") if "components" in chosen else None
    steps = {"ps": lambda: wl_ps.measure(ctx), "wordcount": lambda: wl_wordcount.measure(ctx),
             "kmeans": lambda: wl_kmeans.measure(ctx),
             "pagerank": lambda: wl_pagerank.measure(ctx),
             "lr": lambda: wl_lr.measure(ctx, None if args.smoke else data),
             "ridge": lambda: wl_ridge.measure(ctx), "lasso": lambda: wl_lasso.measure(ctx),
             "lda": lambda: wl_lda.measure(ctx),
             "mf": lambda: wl_mf.measure(ctx, data), "als": lambda: wl_als.measure(ctx, data),
             "similarity": lambda: wl_similarity.measure(ctx, data),
             "svd": lambda: wl_svd.measure(ctx, data),
             "components": lambda: wl_vertex.measure(ctx, graphs), "ssp": lambda: wl_ssp.measure(ctx),
             "metrics": lambda: wl_metrics.measure(ctx),
             "checkpoint": lambda: wl_checkpoint.measure(ctx)}
    for name in WORKLOADS:
        if name in chosen:
            began = time.monotonic()
            steps[name]()
            common.log("%s: %.0f s" % (name, time.monotonic() - began))
    plot_ratios(ctx)
    write(ctx, args, time.monotonic() - start)


if __name__ == "__main__":
    main()
