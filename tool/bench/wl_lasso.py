"""Workload 12: the Lasso's whole path of penalties (100 from lambda_max down, warm starts,
glmnet's stopping rule at 1e-7) against glmnet on the same rows and penalties, on one thread
(glmnet's fit time, reading excluded, against Paracel's solve time, loading excluded), on
three generated shapes; and Paracel's speed-up from 1 to 2 workers on the tallest."""

import os

import numpy as np

from bench_common import ROOT, Row, datagen, interleaved, log, prun_job, run

GLMNET = os.path.join(ROOT, "tool", "reference", "glmnet_lasso.R")


def dense_copy(ctx, path, name):
    """The rows as the dense text glmnet_lasso.R reads (label first)."""
    out = ctx.scratch(name + ".dense")
    if not os.path.exists(out):
        rows = [line.split() for line in open(path)]
        width = max(int(item.split(":")[0]) for r in rows for item in r[1:])
        x = np.zeros((len(rows), width + 1))
        for i, r in enumerate(rows):
            x[i, 0] = float(r[0])
            for item in r[1:]:
                j, v = item.split(":")
                x[i, int(j)] = float(v)
        np.savetxt(out, x, fmt="%.17g")
    return out


def glmnet_seconds(ctx, dense, lambdas):
    grid = ctx.scratch("lasso_lambdas.txt")
    open(grid, "w").write("".join("%.17g\n" % v for v in lambdas))
    out = run("Rscript %s %s %s TRUE FALSE 1e-7 2>&1 >/dev/null" % (GLMNET, dense, grid))
    return float(out.split("glmnet seconds")[1].split()[0])


def measure(ctx):
    shapes = [(5000, 100), (100, 5000), (100000, 200)]
    if ctx.smoke:
        shapes = [(500, 20), (50, 300), (2000, 30)]
    for rows, features in shapes:
        data = datagen(ctx, "regression", "lasso_%dx%d.libsvm" % (rows, features), rows,
                       features=features, nnz=features, support=min(20, features // 5), seed=6)
        dense = dense_copy(ctx, data, "lasso_%dx%d" % (rows, features))
        log("lasso path: %d x %d" % (rows, features))
        found = {}

        def paracel(workers=2):
            _, metrics = prun_job(ctx, "lasso", {"input": data}, workers=workers,
                                  name="lasso_%d" % workers)
            path = os.path.join(ctx.scratch("out_lasso_%d" % workers), "path")
            found["lambdas"] = [float(l.split()[0]) for l in open(path)]
            found[workers] = metrics
            return metrics["train_seconds"]

        def glmnet():
            return glmnet_seconds(ctx, dense, found["lambdas"])

        t_paracel, t_glmnet = interleaved(ctx.reps, paracel, glmnet)
        m = found[2]
        note = "%d penalties, %d passes, %d rounds; last: %d nonzeros, objective %.10g" % (
            m["path_length"], m["passes"], m["rounds"], m["nonzeros"], m["objective"])
        ctx.rows.append(Row("lasso path, %s x %s dense, 2 workers" % (f"{rows:,}", f"{features:,}"),
                            "seconds, path solve", t_paracel, t_glmnet, "glmnet (R, 1 thread)",
                            False, note=note))
        if (rows, features) == shapes[-1]:
            one, two = interleaved(ctx.reps, lambda: paracel(1), lambda: paracel(2))
            ctx.rows.append(Row("lasso path %s x %d: 2 workers against 1" % (f"{rows:,}", features),
                                "seconds, path solve", two, one, "Paracel, 1 worker", False,
                                note="speed-up %.2fx" % (one / two)))
