"""Workload 10 (part): SSP against BSP with stragglers (tool/bench/ssp_bench.py)."""

import os

from bench_common import ROOT, Row, log, run


def measure(ctx):
    log("ssp: staleness vs stragglers")
    clocks = 20 if ctx.smoke else 200
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "tool", "bench", "ssp_bench.py"),
           "--reps", str(ctx.reps), "--clocks", str(clocks), "--build", ctx.build,
           "--out", ctx.out, "--work", ctx.scratch("ssp")]
    if ctx.smoke:
        cmd.append("--skip_lr")
    run(cmd)
    ctx.plots += [("SSP: slowest worker's clock vs time", "ssp_progress.png")]
    if not ctx.smoke:
        ctx.plots += [("SSP: logistic regression objective vs time", "ssp_lr_loss.png")]
    # The headline rows; the full tables are in ssp.md.
    table = open(os.path.join(ctx.out, "ssp.md")).read()
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("10 ms") and cells[1] in ("3", "unbounded"):
            seconds = float(cells[2].split()[0])
            speedup = float(cells[3].rstrip("x"))
            ctx.rows.append(Row("SSP s = %s vs BSP, 4 workers, transient stragglers" % cells[1],
                                "seconds for %d clocks" % clocks, seconds, seconds * speedup,
                                "BSP (s = 0)", False, note="model: 1.8x when fully absorbed"))
