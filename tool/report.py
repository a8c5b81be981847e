#!/usr/bin/python3
"""tool/report.py OUTPUT_DIR: plots of a Paracel job, from the metrics it left behind.

Reads OUTPUT_DIR/metrics/worker-<k>.jsonl (one line per worker per clock) and server-<i>.json
(each server's statistics, saved by prun.py) as docs/observability.md describes them, and writes
OUTPUT_DIR/report/: report.md with a summary table and these pictures:

    values.png      each reported value (loss, rmse, ...) against time and against the clock
    clocks.png      each worker's clock against time: stragglers fall behind
    time_split.png  where each worker's time went: compute, SSP wait, network
    servers.png     requests and p99 service time per operation, per server

Needs matplotlib (Debian: python3-matplotlib), hence /usr/bin/python3.
"""

import argparse
import glob
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

SPLIT = [("compute_seconds", "compute", "#4c72b0"), ("wait_seconds", "SSP wait", "#dd8452"),
         ("network_seconds", "network", "#55a868")]


def read_workers(folder):
    """{worker: [line, ...]} in file order; a malformed line is an error naming it."""
    workers = {}
    paths = sorted(glob.glob(os.path.join(folder, "worker-*.jsonl")))
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for number, text in enumerate(f, 1):
                if not text.strip():
                    continue
                try:
                    line = json.loads(text)
                    workers.setdefault(int(line["worker"]), []).append(line)
                except (ValueError, KeyError, TypeError) as e:
                    raise SystemExit("report.py: %s:%d is not a metrics line (%s)"
                                     % (path, number, e))
    return workers


def read_servers(folder):
    servers = []
    for path in sorted(glob.glob(os.path.join(folder, "server-*.json")),
                       key=lambda p: int(os.path.basename(p)[7:-5])):
        with open(path, encoding="utf-8") as f:
            try:
                servers.append(json.load(f))
            except ValueError as e:
                raise SystemExit("report.py: %s is not server statistics (%s)" % (path, e))
    return servers


def iterations(lines):
    return [line for line in lines if not line.get("final")]


def job_start(workers):
    """The earliest moment any worker's first iteration began (unix seconds)."""
    starts = [lines[0]["time"] - lines[0].get("seconds", 0)
              for lines in workers.values() if lines]
    return min(starts) if starts else 0.0


def plot_values(workers, t0, path):
    names = []
    for lines in workers.values():
        for line in iterations(lines):
            names += [n for n in line.get("report", {}) if n not in names]
    if not names:
        return None
    names = names[:4]
    fig, axes = plt.subplots(len(names), 2, figsize=(11, 3.2 * len(names)), squeeze=False)
    for row, name in enumerate(names):
        for worker, lines in sorted(workers.items()):
            points = [(line["time"] - t0, line["clock"], line["report"][name])
                      for line in iterations(lines)
                      if isinstance(line.get("report", {}).get(name), (int, float))]
            if not points:
                continue
            times, clocks, values = zip(*points)
            label = "worker %d" % worker
            axes[row][0].plot(times, values, marker=".", label=label)
            axes[row][1].plot(clocks, values, marker=".", label=label)
        axes[row][0].set_xlabel("seconds since the first iteration began")
        axes[row][1].set_xlabel("clock")
        for ax in axes[row]:
            ax.set_ylabel(name)
            ax.grid(alpha=0.3)
        axes[row][0].set_title("%s against time" % name)
        axes[row][1].set_title("%s against the clock" % name)
    axes[0][1].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return names


def plot_clocks(workers, t0, path):
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for worker, lines in sorted(workers.items()):
        rows = iterations(lines)
        if rows:
            ax.step([line["time"] - t0 for line in rows], [line["clock"] for line in rows],
                    where="post", marker=".", label="worker %d" % worker)
    ax.set_xlabel("seconds since the first iteration began")
    ax.set_ylabel("clock (iterations committed)")
    ax.set_title("Each worker's clock: a straggler's line falls below the others")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def time_split(lines):
    return {key: sum(line.get(key, 0) for line in iterations(lines)) for key, _, _ in SPLIT}


def plot_time_split(workers, path):
    fig, ax = plt.subplots(figsize=(9, 1.8 + 0.5 * len(workers)))
    order = sorted(workers)
    left = [0.0] * len(order)
    for key, label, colour in SPLIT:
        widths = [time_split(workers[w])[key] for w in order]
        ax.barh(["worker %d" % w for w in order], widths, left=left, label=label, color=colour)
        left = [a + b for a, b in zip(left, widths)]
    ax.invert_yaxis()
    ax.set_xlabel("seconds over all iterations")
    ax.set_title("Where each worker's time went")
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def busy_ops(servers):
    names = []
    for server in servers:
        for name, op in server.get("ops", {}).items():
            if op.get("requests") and name not in names:
                names.append(name)
    return names


def plot_servers(servers, path):
    names = busy_ops(servers)
    if not names:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.9 + 0.45 * len(names) + 1.5))
    height = 0.8 / len(servers)
    for index, server in enumerate(servers):
        ops = server["ops"]
        positions = [i + index * height for i in range(len(names))]
        label = "server %d" % index
        axes[0].barh(positions, [ops.get(n, {}).get("requests", 0) for n in names], height,
                     label=label)
        axes[1].barh(positions, [ops.get(n, {}).get("p99_us", 0) for n in names], height,
                     label=label)
    for ax in axes:
        ax.set_yticks([i + 0.4 - height / 2 for i in range(len(names))], names)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_xscale("log")
    axes[0].set_xlabel("requests (log scale)")
    axes[0].set_title("Requests per operation")
    axes[1].set_xlabel("microseconds")
    axes[1].set_title("p99 service time per operation")
    axes[1].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def summary_table(workers):
    rows = ["| worker | clocks | seconds | compute | SSP wait | network | waits | requests "
            "| MB sent | MB received | final values |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for worker, lines in sorted(workers.items()):
        its = iterations(lines)
        final = [line for line in lines if line.get("final")]
        split = time_split(lines)
        total = sum(line.get("seconds", 0) for line in its)
        values = ", ".join("%s %.6g" % (k, v) for k, v in
                           (final[-1].get("report", {}) if final else {}).items()
                           if isinstance(v, (int, float)))
        rows.append("| %d | %d | %.3f | %.3f | %.3f | %.3f | %d | %d | %.2f | %.2f | %s |" % (
            worker, its[-1]["clock"] if its else 0, total, split["compute_seconds"],
            split["wait_seconds"], split["network_seconds"],
            sum(line.get("waits", 0) for line in its), sum(line.get("requests", 0) for line in its),
            sum(line.get("bytes_sent", 0) for line in its) / 1e6,
            sum(line.get("bytes_received", 0) for line in its) / 1e6, values or "-"))
    return rows


def server_table(servers):
    rows = ["| server | endpoint | requests | errors | keys | MB held | resident MB "
            "| queue mean / max | busiest op (p50 / p99 us) |", "|---|---|---|---|---|---|---|---|---|"]
    for index, s in enumerate(servers):
        ops = {n: op for n, op in s.get("ops", {}).items() if op.get("requests")}
        busiest = max(ops, key=lambda n: ops[n]["requests"], default=None)
        rows.append("| %d | %s | %d | %d | %d | %.2f | %.1f | %.2f / %d | %s |" % (
            index, s.get("endpoint", "?"), s.get("requests", 0), s.get("errors", 0),
            s.get("keys", 0), s.get("bytes", 0) / 1e6, s.get("resident_bytes", 0) / 1e6,
            s.get("queue", {}).get("mean", 0), s.get("queue", {}).get("max", 0),
            "%s (%.0f / %.0f)" % (busiest, ops[busiest]["p50_us"], ops[busiest]["p99_us"])
            if busiest else "-"))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", help="the job's output folder (its metrics/ subfolder is read)")
    parser.add_argument("--out", help="where to write the report (default OUTPUT/report)")
    args = parser.parse_args(argv)
    folder = os.path.join(args.output, "metrics")
    workers = read_workers(folder)
    if not workers:
        raise SystemExit("report.py: no worker-<k>.jsonl in %s: was the job run with an output "
                         "folder and iteration metrics on?" % folder)
    servers = read_servers(folder)
    out = args.out or os.path.join(args.output, "report")
    os.makedirs(out, exist_ok=True)
    t0 = job_start(workers)

    page = ["# Paracel job report", "",
            "From `%s`: %d worker(s), %d server(s)." % (folder, len(workers), len(servers)), "",
            "## Workers", ""] + summary_table(workers) + [""]
    names = plot_values(workers, t0, os.path.join(out, "values.png"))
    if names:
        page += ["## Reported values (%s)" % ", ".join(names), "", "![values](values.png)", ""]
    plot_clocks(workers, t0, os.path.join(out, "clocks.png"))
    page += ["## Clocks", "", "![clocks](clocks.png)", ""]
    plot_time_split(workers, os.path.join(out, "time_split.png"))
    page += ["## Time split", "", "![time split](time_split.png)", ""]
    if servers:
        page += ["## Servers", ""] + server_table(servers) + [""]
        if plot_servers(servers, os.path.join(out, "servers.png")):
            page += ["![servers](servers.png)", ""]
    with open(os.path.join(out, "report.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(page))
    print("report.py: wrote %s" % os.path.join(out, "report.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
