"""Workloads 1-4: parameter-server operations against a raw ZeroMQ echo (build/bin/ps_bench)."""

import json

from bench_common import Row, log, run

# Goals from the benchmark issue, most specific first.
GOALS = [("KB dense vector", 0.5), ("pull, 1 key", 0.9), ("bupdate (add), 1 key", 0.9),
         ("async update", 10.0)]


def measure(ctx):
    log("ps: parameter-server operations vs raw ZeroMQ")
    out = run([ctx.bin("ps_bench"), "--format=json", "--reps=%d" % ctx.reps,
               "--seconds=%g" % (0.2 if ctx.smoke else 1.0)])
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
