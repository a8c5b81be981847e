#!/usr/bin/python3
"""Does SSP pay against stragglers? Runs build/bin/ssp_bench through prun.py.

    /usr/bin/python3 tool/bench/ssp_bench.py [--reps 3] [--clocks 200] [--out DIR]

Four workers compute 10 ms per clock plus, with probability 0.1, 50 ms more (transient
stragglers); 200 clocks for staleness 0 (BSP), 1, 3, 10 and unbounded. The control has one
persistently slow worker (2x compute, no transient straggles), where SSP cannot help. Runs
are interleaved (every configuration once per repetition) and each figure is the median over
the repetitions of the wall time, and of its ratio to BSP in the same repetition.
Then logistic regression (downpour SGD, 2 workers, mini-batches of 3,000 rows, both workers
straggling 50 ms with probability 0.1 per clock) on the real fashion_mnist_tops set, for
staleness 0 and 3: wall time, final training objective (SSP's must be within 1% of BSP's)
and the time to reach BSP's final objective + 1%.
Writes DIR/ssp.md (tables), DIR/ssp_progress.png (slowest worker's clock vs time) and
DIR/ssp_lr_loss.png (training objective vs time).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STALENESS = [0, 1, 3, 10, -1]


def label(s):
    return "unbounded" if s < 0 else ("0 (BSP)" if s == 0 else str(s))


def run(args, staleness, control):
    cmd = [os.path.join(ROOT, "prun.py"), "-p", "1", "-w", str(args.workers), "--server_bin",
           os.path.join(args.build, "bin", "paracel_server"),
           os.path.join(args.build, "bin", "ssp_bench"), f"--staleness={staleness}",
           f"--clocks={args.clocks}", f"--seed={args.seed}"]
    if control:
        cmd += ["--straggle_prob=0", "--slow_worker=1", "--slow_factor=2"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        sys.exit(f"ssp_bench failed ({' '.join(cmd)}):\n{out.stderr}")
    for line in out.stdout.splitlines():
        if line.startswith("SSP_BENCH "):
            return json.loads(line[len("SSP_BENCH "):])
    sys.exit(f"no SSP_BENCH line in the output of {' '.join(cmd)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--clocks", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "bench"))
    parser.add_argument("--work", default="/tmp/paracel-ssp-bench",
                        help="folder for the runs' outputs")
    parser.add_argument("--skip_lr", action="store_true",
                        help="only the synthetic straggler runs")
    args = parser.parse_args()

    configs = [(s, False) for s in STALENESS] + [(0, True), (3, True), (-1, True)]
    walls = {c: [] for c in configs}
    ratios = {c: [] for c in configs}
    last = {}
    for rep in range(args.reps):
        base = {}
        for config in configs:
            result = run(args, *config)
            last[config] = result
            walls[config].append(result["wall_seconds"])
            base.setdefault(config[1], result["wall_seconds"])  # s = 0 runs first
            ratios[config].append(base[config[1]] / result["wall_seconds"])
            print(f"rep {rep + 1}: staleness {label(config[0])}"
                  f"{' (control)' if config[1] else ''}: {result['wall_seconds']:.2f} s",
                  flush=True)

    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)
    lines = [
        f"{args.workers} workers, {args.clocks} clocks, median of {args.reps} interleaved runs.",
        "",
        "| workload | staleness | wall time | speed-up vs BSP | waits per worker | time waiting |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for config in configs:
        s, control = config
        ssp = last[config]["ssp"]
        waits = statistics.mean(w["waits"] for w in ssp)
        waiting = statistics.mean(w["wait_seconds"] for w in ssp)
        workload = ("one worker 2x slower (control)" if control
                    else "10 ms + 10% x 50 ms stragglers")
        lines.append(f"| {workload} | {label(s)} | {statistics.median(walls[config]):.2f} s | "
                     f"{statistics.median(ratios[config]):.2f}x | {waits:.0f} | {waiting:.2f} s |")
    table = "\n".join(lines) + "\n"
    if not args.skip_lr:
        table += "\n" + lr_benchmark(args)
    with open(os.path.join(args.out, "ssp.md"), "w") as f:
        f.write(table)
    print(table)
    plot(args, last, os.path.join(args.out, "ssp_progress.png"))


def lr_run(args, data, staleness, out):
    config = {"input": os.path.join(data, "fashion_mnist_tops.train.libsvm"),
              "output": out, "method": "downpour", "rounds": 10, "batch_size": 3000,
              "learning_rate": 0.1, "l2": 0.001, "staleness": staleness, "eval_every": 5,
              "slow_workers": "all", "slow_ms": 50, "slow_prob": 0.1, "seed": args.seed}
    path = out + ".json"
    with open(path, "w") as f:
        json.dump(config, f)
    cmd = [os.path.join(ROOT, "prun.py"), "-p", "1", "-w", "2", "-c", path, "--server_bin",
           os.path.join(args.build, "bin", "paracel_server"),
           os.path.join(args.build, "bin", "logistic_regression")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        sys.exit(f"logistic_regression failed:\n{done.stderr}")
    with open(os.path.join(out, "metrics.json")) as f:
        return json.load(f)


def time_to(trace, target):
    return next((t for t, value in trace if value <= target), float("nan"))


def lr_benchmark(args):
    fetched = subprocess.run(["python3", os.path.join(ROOT, "tool", "data", "fetch.py"),
                              "fashion_mnist"], capture_output=True, text=True)
    if fetched.returncode != 0:
        return "Logistic regression part skipped: fashion_mnist unavailable (%s)\n" % (
            fetched.stderr.strip())
    data = os.path.join(fetched.stdout.strip().splitlines()[-1], "classification")
    runs = {0: [], 3: []}
    for rep in range(args.reps):
        for s in runs:
            m = lr_run(args, data, s, os.path.join(args.work, f"lr_s{s}"))
            runs[s].append(m)
            print(f"rep {rep + 1}: LR staleness {s}: {m['train_seconds']:.2f} s, "
                  f"objective {m['train_objective']:.5f}", flush=True)
    bsp_final = statistics.median(m["train_objective"] for m in runs[0])
    target = 1.01 * bsp_final
    lines = ["Logistic regression (downpour, fashion_mnist_tops, 60,000 x 784, 2 workers, "
             "batches of 3,000, 10 passes = 100 clocks, both workers straggle 50 ms with "
             "probability 0.1 per clock); median of %d interleaved runs." % args.reps, "",
             "| staleness | wall time | speed-up | final objective | vs BSP | "
             "time to BSP's final + 1% |", "|---|---:|---:|---:|---:|---:|"]
    base = statistics.median(m["train_seconds"] for m in runs[0])
    for s, ms in runs.items():
        wall = statistics.median(m["train_seconds"] for m in ms)
        final = statistics.median(m["train_objective"] for m in ms)
        reach = statistics.median(time_to(m["trace"], target) for m in ms)
        lines.append(f"| {label(s)} | {wall:.2f} s | {base / wall:.2f}x | {final:.5f} | "
                     f"{100 * (final / bsp_final - 1):+.3f}% | {reach:.2f} s |")
        if final > 1.01 * bsp_final:
            lines.append(f"\n**SSP's final objective is more than 1% above BSP's.**")
    plot_lr({s: ms[-1]["trace"] for s, ms in runs.items()},
            os.path.join(args.out, "ssp_lr_loss.png"))
    return "\n".join(lines) + "\n"


def plot_lr(traces, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for s, trace in traces.items():
        ax.plot([t for t, _ in trace], [v for _, v in trace], marker=".",
                label=f"s = {label(s)}")
    ax.set_yscale("log")
    ax.set_xlabel("seconds")
    ax.set_ylabel("training objective")
    ax.set_title("logistic regression, fashion_mnist_tops, 2 straggling workers")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def plot(args, last, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for s in STALENESS:
        times = last[(s, False)]["commit_seconds"]
        # The slowest worker's clock over time: the job's real progress.
        events = sorted(t for worker in times for t in worker)
        clocks = [min(sum(1 for t in worker if t <= when) for worker in times)
                  for when in events]
        ax.plot(events, clocks, label=f"s = {label(s)}")
    ax.set_xlabel("seconds")
    ax.set_ylabel("clock of the slowest worker")
    ax.set_title(f"{args.workers} workers, 10 ms/clock + 10% x 50 ms stragglers")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
