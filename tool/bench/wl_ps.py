"""Workloads 1-4: parameter-server operations against a raw ZeroMQ echo (build/bin/ps_bench)."""

import json

from bench_common import Row, log, run

# Goals from the benchmark issue, most specific first.
GOALS = [("KB dense vector", 0.5), ("pull, 1 key", 0.9), ("bupdate (add), 1 key", 0.9),
         ("async update", 10.0), ("pull_multi", 0.8), ("bupdate_multi", 0.8)]


def measure(ctx):
    log("ps: parameter-server operations vs raw ZeroMQ")
    # Many short interleaved measurements: on a 2-vCPU VM the loopback rate of either side
    # drifts by 2x from one second to the next, and medians of 3 one-second runs did too.
    out = run([ctx.bin("ps_bench"), "--format=json", "--reps=%d" % (5 * ctx.reps),
               "--seconds=%g" % (0.05 if ctx.smoke else 0.3)])
    for line in out.splitlines():
        r = json.loads(line)
        op = r["operation"]
        if op.startswith("secure"):  # CURVE against plain TCP, the same op
            goal = 0.2 if "dense vector" in op else None
            baseline = "the same op, plain TCP"
        else:
            goal = next((g for key, g in GOALS if key in op), None)
            baseline = "sync bupdate" if op.startswith("async") else "raw ZeroMQ echo, same bytes"
        ctx.rows.append(Row("PS: " + op, r["unit"], r["paracel"], r["baseline"], baseline,
                            goal=goal))
