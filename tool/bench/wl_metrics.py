"""Workload: what the per-iteration metrics cost (docs/observability.md). The SSP benchmark's
program (build/bin/ssp_bench, s = 3, no stragglers) with the metrics on (prun's default: one
line per worker per clock, read by the progress line) and off (PARACEL_METRICS=off),
interleaved: 4 workers at 10 ms of compute per clock (the SSP benchmark's setting), and 1
worker with no compute at all, where a clock is only its commit round trip and a per-clock
cost shows most. Wall times on this 2-core VM vary by 10-30% between runs of one
configuration, so each figure is the best of at least 7 runs: the overhead is what remains
when scheduling noise is least."""

import json
import os

from bench_common import ROOT, Row, log, run



def wall_seconds(ctx, workers, compute_ms, clocks, metrics_on):
    cmd = [os.path.join(ROOT, "prun.py"), "-p", "1", "-w", str(workers), "--quiet",
           "--server_bin", os.path.join(ctx.build, "bin", "paracel_server"),
           os.path.join(ctx.build, "bin", "ssp_bench"), "--staleness=3", "--straggle_prob=0",
           "--compute_ms=%g" % compute_ms, "--clocks=%d" % clocks]
    env = dict(os.environ, PARACEL_METRICS="on" if metrics_on else "off")
    for line in run(cmd, env=env).splitlines():
        if line.startswith("SSP_BENCH "):
            return json.loads(line[len("SSP_BENCH "):])["wall_seconds"]
    raise RuntimeError("no SSP_BENCH line from " + " ".join(cmd))


def measure(ctx):
    log("metrics: iteration metrics on vs off")
    for workers, compute_ms, clocks in [(4, 10, 40 if ctx.smoke else 200),
                                        (1, 0, 200 if ctx.smoke else 5000)]:
        on, off = [], []
        for _ in range(max(ctx.reps, 7)):
            off.append(wall_seconds(ctx, workers, compute_ms, clocks, False))
            on.append(wall_seconds(ctx, workers, compute_ms, clocks, True))
        ctx.rows.append(Row("iteration metrics on vs off: SSP s = 3, %d worker(s), %g ms per clock"
                            % (workers, compute_ms), "seconds for %d clocks (best run)" % clocks,
                            min(on), min(off), "metrics off", False, goal=0.99,
                            note="medians: %.3g s on, %.3g s off" % (
                                sorted(on)[len(on) // 2], sorted(off)[len(off) // 2])))
