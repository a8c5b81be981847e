"""Workload 11: ridge regression, the whole job (parsing included) against scikit-learn's
Ridge on the same rows (load_svmlight_file + fit, intercept, solver "auto"), same objective
(alpha = n * lambda); the two models' objectives are compared in the note."""

from bench_common import Row, datagen, interleaved, log, prun_job, run

LAMBDA = 0.01
SKLEARN = r"""
import sys, time
import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import Ridge
start = time.perf_counter()
x, y = load_svmlight_file(sys.argv[1])
lam = float(sys.argv[2])
model = Ridge(alpha=len(y) * lam, fit_intercept=True).fit(x, y)
seconds = time.perf_counter() - start
residual = x @ model.coef_ + model.intercept_ - y
print(seconds, (residual @ residual) / (2 * len(y)) + lam / 2 * model.coef_ @ model.coef_)
"""


def measure(ctx):
    rows, features = (20000, 1000) if ctx.smoke else (1000000, 1000)
    script = ctx.scratch("ridge_sklearn.py")
    open(script, "w").write(SKLEARN)
    data = datagen(ctx, "libsvm", "ridge_%d.libsvm" % rows, rows, features=features, nnz=20,
                   seed=4)
    for method in ("normal", "cg"):
        log("ridge (%s): %d x %d" % (method, rows, features))
        found = {}

        def paracel():
            seconds, metrics = prun_job(ctx, "ridge", {"input": data, "lambda": LAMBDA,
                                                       "method": method}, name="ridge_" + method)
            found["paracel"] = metrics["train_objective"]
            return seconds

        def sklearn():
            seconds, objective = map(float, run(["/usr/bin/python3", script, data,
                                                 repr(LAMBDA)]).split())
            found["sklearn"] = objective
            return seconds

        t_paracel, t_sklearn = interleaved(ctx.reps, paracel, sklearn)
        note = "objective %.12g vs scikit-learn's %.12g" % (found["paracel"], found["sklearn"])
        ctx.rows.append(Row("ridge (%s), %s x %d sparse (20 per row), 2 workers"
                            % (method, f"{rows:,}", features), "seconds, whole job",
                            t_paracel, t_sklearn, "scikit-learn Ridge (load + fit)", False,
                            note=note))
