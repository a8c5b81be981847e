"""The Lasso through prun.py (2 servers, 3 workers) against glmnet (thresh 1e-14,
tool/reference/glmnet_lasso.R), scikit-learn's Lasso (tol 1e-12) and the serial reference
lasso_serial, with the optimality (KKT) conditions checked directly: on generated data (a
planted sparse model, tool/datagen: a tall dense set and a wide sparse one) and on real data
(the diabetes study, 442 x 10; Prostate, 97 x 8; mushroom, 8,124 x 112 sparse one-hot).

The objective: 1/(2n) |y - Xw - b|^2 + lambda |w|_1, glmnet's with alpha = 1 and
scikit-learn's with alpha = lambda.
"""

import json
import os
import subprocess

import numpy as np
import pytest

from alg_support import SOURCE, datagen, read_libsvm, real_data, reference, run_failing_job, run_job

REAL = pytest.mark.real_data
TOLERANCE = 1e-14  # the stopping rule of every fit here (Paracel's, glmnet's, the serial's)


def data_set(name, tmp_path):
    if name == "tall":  # 2,000 x 40 dense, 6 true features
        return datagen(tmp_path, "regression", rows=2000, seed=4, features=40, nnz=40, support=6)
    if name == "wide":  # 150 x 600 sparse (30 per row), 10 true features
        return datagen(tmp_path, "regression", rows=150, seed=5, features=600, nnz=30,
                       support=10)
    if name == "mushroom":
        return os.path.join(real_data("mushroom"), "classification", "mushroom_fann.libsvm")
    return os.path.join(real_data(name), "regression", name + ".libsvm")


def lambda_max(x, y, intercept=True):
    xc = x - x.mean(axis=0) if intercept else x
    yc = y - y.mean() if intercept else y
    return np.abs(xc.T @ yc).max() / len(y)


def objective(x, y, w, b, lam, scale=None):
    penalty = np.abs(w) if scale is None else np.abs(w) * scale
    return ((y - x @ w - b) ** 2).mean() / 2 + lam * penalty.sum()


def kkt_violations(x, y, w, b, lam, intercept=True):
    """Per coordinate: how far the optimality conditions are from holding, and the bound the
    stopping rule implies, 10 sqrt(v_j tol var(y)) (a last change of at most that size)."""
    xc = x - x.mean(axis=0) if intercept else x
    v = (xc ** 2).mean(axis=0)
    g = xc.T @ (y - x @ w - b) / len(y)
    violation = np.where(w == 0, np.maximum(np.abs(g) - lam, 0), np.abs(g - lam * np.sign(w)))
    var_y = ((y - (y.mean() if intercept else 0)) ** 2).mean()
    return violation, 10 * np.sqrt(v * TOLERANCE * var_y) + 1e-12 * lam


def support(x, y, w):
    """The coordinates whose term matters: |w_j| sd(x_j) above 1e-9 sd(y) (a rounding-level
    weight at the edge of the path is not a feature the model picked)."""
    return set(np.flatnonzero(np.abs(w) * x.std(axis=0) > 1e-9 * y.std()))


def glmnet(tmp_path, x, y, lambdas, intercept=True, standardize=False):
    """(intercept, weights) per penalty from glmnet."""
    data, grid = tmp_path / "glmnet_data.txt", tmp_path / "glmnet_lambdas.txt"
    np.savetxt(data, np.column_stack([y, x]), fmt="%.17g")
    grid.write_text("".join("%.17g\n" % v for v in lambdas))
    out = subprocess.run(["Rscript", os.path.join(SOURCE, "tool", "reference", "glmnet_lasso.R"),
                          str(data), str(grid), str(intercept).upper(), str(standardize).upper(),
                          repr(TOLERANCE)], capture_output=True, text=True, check=True)
    fits = [np.array([float(v) for v in line.split()]) for line in out.stdout.splitlines()]
    return [(f[0], f[1:]) for f in fits]


def train(tmp_path, path, name, workers=3, **config):
    out = tmp_path / name
    run_job("lasso", dict({"input": path, "output": str(out), "tolerance": TOLERANCE}, **config),
            tmp_path, workers=workers)
    model = np.array([float(v) for v in (out / "model").read_text().split()])
    return json.loads((out / "metrics.json").read_text()), model[:-1], model[-1], out


@pytest.mark.parametrize("name", ["tall", "wide", pytest.param("diabetes", marks=REAL),
                                  pytest.param("prostate", marks=REAL),
                                  pytest.param("mushroom", marks=REAL)])
def test_matches_glmnet_scikit_learn_and_the_kkt_conditions(tmp_path, name):
    from sklearn.linear_model import Lasso
    path = data_set(name, tmp_path)
    x, y = read_libsvm(path)
    lam = 0.05 * lambda_max(x, y)
    metrics, w, b, _ = train(tmp_path, path, name, **{"lambda": lam})
    ours = objective(x, y, w, b, lam)
    assert metrics["objective"] == pytest.approx(ours, rel=1e-10)
    assert metrics["converged"] and metrics["lambda"] == lam

    (gb, gw), = glmnet(tmp_path, x, y, [lam])
    fitted = Lasso(alpha=lam, tol=1e-12, max_iter=10 ** 7).fit(x, y)
    for other in (objective(x, y, gw, gb, lam),
                  objective(x, y, fitted.coef_, fitted.intercept_, lam)):
        assert ours <= other * (1 + 1e-8), (ours, other)
    violation, bound = kkt_violations(x, y, w, b, lam)
    assert np.all(violation <= bound), (violation, bound)
    assert metrics["kkt_violation"] <= bound.max()
    picked = support(x, y, w)
    assert picked == support(x, y, gw) and metrics["nonzeros"] == np.count_nonzero(w)
    assert 0 < len(picked) < x.shape[1] or name == "prostate"


@pytest.mark.parametrize("name", ["wide", pytest.param("diabetes", marks=REAL)])
def test_a_path_with_warm_starts_equals_glmnet_and_the_serial_reference(tmp_path, name):
    path = data_set(name, tmp_path)
    x, y = read_libsvm(path)
    metrics, _, _, out = train(tmp_path, path, "path", path_length=12, min_lambda_ratio=0.01)
    rows = [list(map(float, l.split())) for l in (out / "path").read_text().splitlines()]
    fits = [np.array(list(map(float, l.split())))
            for l in (out / "path_coefficients").read_text().splitlines()]
    lambdas = [r[0] for r in rows]
    assert len(rows) == len(fits) == 12 == metrics["path_length"]
    top = lambda_max(x, y)
    assert lambdas[0] == pytest.approx(top, rel=1e-12) and lambdas[-1] == pytest.approx(0.01 * top)
    assert np.all(np.diff(lambdas) < 0) and np.all(fits[0][1:] == 0)  # w = 0 at lambda_max
    serial = [list(map(float, l.split())) for l in
              reference("lasso_serial", path, TOLERANCE, *map(repr, lambdas)).splitlines()]
    for (lam, obj, nonzeros, passes, converged), fit, (gb, gw), s in zip(
            rows, fits, glmnet(tmp_path, x, y, lambdas), serial):
        assert converged == 1 and passes >= 0
        assert obj == pytest.approx(objective(x, y, fit[1:], fit[0], lam), rel=1e-10)
        assert obj <= objective(x, y, gw, gb, lam) * (1 + 1e-8)
        assert obj <= s[0] * (1 + 1e-8) and s[0] <= obj * (1 + 1e-8)
        assert nonzeros == np.count_nonzero(fit[1:])
        assert support(x, y, fit[1:]) == support(x, y, gw)
    assert metrics["nonzeros"] == rows[-1][2] > rows[len(rows) // 2][2] > 0


@pytest.mark.parametrize("staleness,schedule,size", [(3, "cyclic", 4), (2, "priority", 3)])
def test_ssp_pipelined_rounds_converge_monotonically_to_the_optimum(tmp_path, staleness,
                                                                     schedule, size):
    path = data_set("tall", tmp_path)
    x, y = read_libsvm(path)
    lam = 0.02 * lambda_max(x, y)
    bsp, w0, b0, _ = train(tmp_path, path, "bsp", **{"lambda": lam, "schedule_size": size})
    metrics, w, b, out = train(tmp_path, path, "ssp", staleness=staleness, schedule=schedule,
                               schedule_size=size, **{"lambda": lam})
    assert metrics["staleness"] == staleness and metrics["converged"]
    best = min(objective(x, y, w0, b0, lam), bsp["objective"])
    assert objective(x, y, w, b, lam) <= best * (1 + 1e-6)
    assert np.linalg.norm(w - w0) <= 1e-5 * np.linalg.norm(w0)
    # Pipelined rounds (s in flight): more clocks than BSP for the same passes, no more passes.
    trace = [float(l.split()[1]) for l in (out / "objective_trace").read_text().splitlines()]
    assert len(trace) == metrics["passes"] >= 2
    assert all(later <= earlier * (1 + 1e-12) for earlier, later in zip(trace, trace[1:]))
    assert trace[-1] == pytest.approx(metrics["objective"], rel=1e-9)
    if schedule == "cyclic":
        assert metrics["passes"] == bsp["passes"] and metrics["rounds"] > bsp["rounds"]


def test_standardized_and_without_intercept_match_glmnet_and_scikit_learn(tmp_path):
    from sklearn.linear_model import Lasso
    path = data_set("tall", tmp_path)
    x, y = read_libsvm(path)
    x = x * np.linspace(0.5, 4, x.shape[1])  # columns of unequal scale
    scaled = tmp_path / "scaled.libsvm"
    scaled.write_text("".join("%.17g %s\n" % (label, " ".join(
        "%d:%.17g" % (j + 1, v) for j, v in enumerate(row) if v != 0)) for row, label in zip(x, y)))
    lam = 0.05 * lambda_max(x, y)
    metrics, w, b, _ = train(tmp_path, str(scaled), "std", standardize=True, **{"lambda": lam})
    scale = x.std(axis=0)
    (gb, gw), = glmnet(tmp_path, x, y, [lam], standardize=True)
    ours = objective(x, y, w, b, lam, scale)
    assert ours == pytest.approx(metrics["objective"], rel=1e-10)
    assert ours <= objective(x, y, gw, gb, lam, scale) * (1 + 1e-8)

    lam0 = 0.05 * lambda_max(x, y, intercept=False)
    metrics, w, b, _ = train(tmp_path, str(scaled), "no_b", intercept=False, **{"lambda": lam0})
    assert b == 0
    fitted = Lasso(alpha=lam0, fit_intercept=False, tol=1e-12, max_iter=10 ** 7).fit(x, y)
    (_, gw0), = glmnet(tmp_path, x, y, [lam0], intercept=False)
    ours = objective(x, y, w, 0, lam0)
    assert ours <= objective(x, y, fitted.coef_, 0, lam0) * (1 + 1e-8)
    assert ours <= objective(x, y, gw0, 0, lam0) * (1 + 1e-8)
    violation, bound = kkt_violations(x, y, w, 0, lam0, intercept=False)
    assert np.all(violation <= bound)


def test_degenerate_columns_held_out_rmse_and_a_constant_label(tmp_path):
    # Column 2 empty, column 3 constant, column 5 a copy of column 1: no NaN, the copies
    # share the weight as cyclic descent leaves it (the objective is what is unique).
    rng = np.random.default_rng(7)
    a, c = rng.normal(size=80), rng.normal(size=80)
    y = 3 * a - 2 * c + 0.1 * rng.normal(size=80)
    lines = ["%.17g 1:%.17g 3:1.5 4:%.17g 5:%.17g" % (y[i], a[i], c[i], a[i]) for i in range(80)]
    train_file, test_file = tmp_path / "train.libsvm", tmp_path / "test.libsvm"
    train_file.write_text("\n".join(lines[:60]) + "\n")
    test_file.write_text("\n".join(lines[60:]) + "\n")
    metrics, w, b, _ = train(tmp_path, str(train_file), "degenerate", test_input=str(test_file),
                             **{"lambda": 0.01})
    assert np.all(np.isfinite(w)) and np.isfinite(b) and w[1] == 0 and w[2] == 0
    x, yt = read_libsvm(str(train_file))
    (gb, gw), = glmnet(tmp_path, x, yt, [0.01])
    assert objective(x, yt, w, b, 0.01) <= objective(x, yt, gw, gb, 0.01) * (1 + 1e-8)
    xt, ytest = read_libsvm(str(test_file))
    rmse = np.sqrt(((xt @ w + b - ytest) ** 2).mean())
    assert metrics["test_rmse"] == pytest.approx(rmse, rel=1e-9) and metrics["test_rows"] == 20

    constant = tmp_path / "constant.libsvm"
    constant.write_text("".join("4 1:%g 2:%g\n" % (i, i * i) for i in range(30)))
    metrics, w, b, _ = train(tmp_path, str(constant), "constant", workers=2)
    assert metrics["lambda_max"] == 0 and np.all(w == 0) and b == 4 and metrics["objective"] == 0


def test_checkpoints_are_refused_not_taken_uselessly(tmp_path):
    """The Lasso does not support checkpoints yet (docs/checkpoints.md): asked for them, it
    says so at its first clock instead of writing checkpoints nothing could resume from."""
    path = datagen(tmp_path, "libsvm", rows=2000, seed=3, features=40, nnz=8)
    folder = tmp_path / "checkpoints"
    status, err = run_failing_job("lasso", {"input": path, "output": str(tmp_path / "out")},
                                  tmp_path, extra=("--checkpoint_dir", str(folder),
                                                   "--checkpoint_every", "5"))
    assert status != 0
    assert "--checkpoint_every: this program does not support checkpoints" in err, err
    assert not list(folder.glob("ckpt-*"))


def test_bad_config_and_bad_input_are_named(tmp_path):
    good = tmp_path / "good.libsvm"
    good.write_text("1 1:1\n2 1:2\n")
    for config, message in [({"lambda": -1}, "lambda must not be negative"),
                            ({"schedule": "random"}, 'schedule must be "cyclic" or "priority"'),
                            ({"staleness": -1}, "staleness must be >= 0"),
                            ({"schedule_size": 0}, "schedule_size must be > 0"),
                            ({"lambda": 1, "min_lambda_ratio": 0.1}, "not both"),
                            ({"lamda": 1}, "lamda")]:
        status, err = run_failing_job("lasso", dict({"input": str(good), "output": str(tmp_path)},
                                                    **config), tmp_path)
        assert status != 0 and message in err, (config, err)
    bad = tmp_path / "bad.libsvm"
    bad.write_text("1 1:1\n2 1:2\n3 1:x\n4 1:4\n")
    status, err = run_failing_job("lasso", {"input": str(bad), "output": str(tmp_path)}, tmp_path)
    assert status != 0 and "bad.libsvm:3" in err
