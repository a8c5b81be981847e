"""Ridge regression through prun.py against the closed form (numpy, LAPACK), the serial
reference, scikit-learn's Ridge (cholesky) and liblinear -s 11 -p 0, on generated data (a
planted model, tool/datagen) and on the diabetes study (442 x 10, unscaled).

The penalty: Paracel minimises 1/(2n) |y - Xw - b|^2 + lambda/2 |w|^2; scikit-learn's
alpha is n * lambda; liblinear's C is 1 / (2 n lambda) (and it has no unpenalised intercept).
"""

import json
import os
import subprocess

import numpy as np
import pytest

from alg_support import (datagen, read_libsvm, real_data, reference, run_failing_job, run_job,
                         run_killed_and_resumed)

REAL = pytest.mark.real_data


def closed_form(x, y, lam, intercept):
    """The minimiser from the centred normal equations, solved by LAPACK."""
    mx = x.mean(axis=0) if intercept else np.zeros(x.shape[1])
    my = y.mean() if intercept else 0.0
    xc, yc = x - mx, y - my
    w = np.linalg.solve(xc.T @ xc + len(y) * lam * np.eye(x.shape[1]), xc.T @ yc)
    return w, my - mx @ w


def data_set(name, tmp_path):
    """(train file, lambda): generated (3,000 x 40 sparse) or diabetes (unscaled)."""
    if name == "generated":
        return datagen(tmp_path, "libsvm", rows=3000, seed=3, features=40, nnz=8), 0.01
    return os.path.join(real_data("diabetes"), "regression", "diabetes.libsvm"), 0.1


def train(tmp_path, path, name, **config):
    out = tmp_path / name
    run_job("ridge", dict({"input": path, "output": str(out)}, **config), tmp_path)
    values = [float(v) for v in (out / "model").read_text().split()]
    return json.loads((out / "metrics.json").read_text()), np.array(values[:-1]), values[-1]


@pytest.mark.parametrize("name", ["generated", pytest.param("diabetes", marks=REAL)])
@pytest.mark.parametrize("method", ["normal", "cg"])
@pytest.mark.parametrize("intercept", [True, False])
def test_equals_the_closed_form(tmp_path, name, method, intercept):
    path, lam = data_set(name, tmp_path)
    metrics, w, b = train(tmp_path, path, method, method=method, intercept=intercept,
                          **{"lambda": lam, "tolerance": 1e-14})
    x, y = read_libsvm(path)
    want_w, want_b = closed_form(x, y, lam, intercept)
    # Normal equations: the same solve up to rounding; cg: to its (preconditioned) tolerance.
    tolerance = 1e-10 if method == "normal" else 1e-8
    assert np.linalg.norm(w - want_w) <= tolerance * np.linalg.norm(want_w), (w, want_w)
    assert b == pytest.approx(want_b, rel=tolerance, abs=tolerance * abs(y).mean())
    objective = ((x @ want_w + want_b - y) ** 2).mean() / 2 + lam / 2 * want_w @ want_w
    assert metrics["train_objective"] == pytest.approx(objective, rel=1e-10)
    serial = [float(v) for v in reference(
        "ridge_serial", path, lam, *([] if intercept else ["--no-intercept"])).split()]
    assert serial[0] == pytest.approx(objective, rel=1e-10)
    assert np.linalg.norm(np.array(serial[1:-1]) - want_w) <= 1e-10 * np.linalg.norm(want_w)
    if method == "cg":
        assert 0 < metrics["rounds"] <= 1000 and metrics["relative_residual"] <= 1e-14


def test_parameter_mixing_sgd_reaches_the_optimum(tmp_path):
    path, lam = data_set("generated", tmp_path)
    metrics, w, b = train(tmp_path, path, "ipm", method="ipm", learning_rate=0.2, decay=0.02,
                          rounds=40, batch_size=20, **{"lambda": lam})
    x, y = read_libsvm(path)
    want_w, want_b = closed_form(x, y, lam, True)
    best = ((x @ want_w + want_b - y) ** 2).mean() / 2 + lam / 2 * want_w @ want_w
    got = ((x @ w + b - y) ** 2).mean() / 2 + lam / 2 * w @ w
    assert metrics["train_objective"] == pytest.approx(got, rel=1e-10)
    assert best <= got <= 1.005 * best, (got, best)
    assert metrics["rounds"] == 40


def test_matches_scikit_learn_and_liblinear(tmp_path):
    from sklearn.linear_model import Ridge
    path, lam = data_set("generated", tmp_path)
    x, y = read_libsvm(path)
    n = len(y)
    _, w, b = train(tmp_path, path, "with_b", **{"lambda": lam})
    fitted = Ridge(alpha=n * lam, solver="cholesky", fit_intercept=True).fit(x, y)
    assert np.linalg.norm(w - fitted.coef_) <= 1e-9 * np.linalg.norm(fitted.coef_)
    assert b == pytest.approx(fitted.intercept_, rel=1e-9, abs=1e-12)

    _, w0, b0 = train(tmp_path, path, "no_b", intercept=False, **{"lambda": lam})
    assert b0 == 0
    model = tmp_path / "ll.model"
    subprocess.run(["liblinear-train", "-q", "-s", "11", "-p", "0", "-e", "1e-10",
                    "-c", repr(1 / (2 * n * lam)), path, str(model)], check=True)
    lines = model.read_text().split("\n")
    ll_w = np.array([float(v) for v in lines[lines.index("w") + 1:] if v.strip()])
    assert np.linalg.norm(w0 - ll_w) <= 1e-6 * np.linalg.norm(ll_w), (w0, ll_w)


def test_held_out_rmse_and_degenerate_columns(tmp_path):
    x_rows = ["%g 1:1 2:%g 3:%g 4:0.5" % (2 * i + 1, i, 2 * i) for i in range(60)]
    # Column 1 constant, column 3 twice column 2, column 4 constant too: with lambda > 0 and
    # an intercept the solution is finite and unique.
    train_file, test_file = tmp_path / "train.libsvm", tmp_path / "test.libsvm"
    train_file.write_text("\n".join(x_rows[:50]) + "\n")
    test_file.write_text("\n".join(x_rows[50:]) + "\n")
    metrics, w, b = train(tmp_path, str(train_file), "degenerate", test_input=str(test_file),
                          **{"lambda": 0.1})
    assert np.all(np.isfinite(w)) and np.isfinite(b)
    x, y = read_libsvm(str(train_file))
    want_w, want_b = closed_form(x, y, 0.1, True)
    assert np.linalg.norm(w - want_w) <= 1e-9 * np.linalg.norm(want_w)
    xt, yt = read_libsvm(str(test_file), x.shape[1])
    rmse = np.sqrt(((xt @ want_w + want_b - yt) ** 2).mean())
    assert metrics["test_rmse"] == pytest.approx(rmse, rel=1e-9)
    assert metrics["test_rows"] == 10

    status, err = run_failing_job("ridge", {"input": str(train_file), "output": str(tmp_path),
                                            "intercept": False, "lambda": 0}, tmp_path)
    assert status != 0 and "singular" in err and "lambda > 0" in err


@pytest.mark.parametrize("method", ["cg"])  # ipm keeps one vector, as LR's ipm does
def test_a_run_killed_and_resumed_from_its_checkpoint_ends_where_an_uninterrupted_one_does(
        tmp_path, method):
    path = datagen(tmp_path, "libsvm", rows=300000, seed=3, features=3000, nnz=30)
    config = {"method": method, "lambda": 1e-4, "tolerance": 1e-14, "max_rounds": 200,
              "rounds": 30, "learning_rate": 0.1}
    metrics, w, b = train(tmp_path, path, "whole", **config)
    out = tmp_path / "resumed"
    run_killed_and_resumed("ridge", dict(config, input=path, output=str(out)), tmp_path,
                           every=2 if method == "cg" else 3)
    values = [float(v) for v in (out / "model").read_text().split()]
    resumed = json.loads((out / "metrics.json").read_text())
    assert resumed["rounds"] == metrics["rounds"]
    # The same iterations, up to the order in which the servers add the workers' sums.
    assert values == pytest.approx(list(w) + [b], rel=1e-9, abs=1e-12)


def test_bad_config_and_bad_input_are_named(tmp_path):
    good = tmp_path / "good.libsvm"
    good.write_text("1 1:1\n2 1:2\n")
    status, err = run_failing_job("ridge", {"input": str(good), "output": str(tmp_path),
                                            "lambda": -1}, tmp_path)
    assert status != 0 and "lambda must not be negative" in err
    status, err = run_failing_job("ridge", {"input": str(good), "output": str(tmp_path),
                                            "method": "lsqr"}, tmp_path)
    assert status != 0 and "method must be \"normal\", \"cg\" or \"ipm\"" in err
    status, err = run_failing_job("ridge", {"input": str(good), "output": str(tmp_path),
                                            "method": "ipm"}, tmp_path)
    assert status != 0 and "ipm needs a learning_rate" in err
    bad = tmp_path / "bad.libsvm"
    bad.write_text("1.5 1:0.5 2:1\n2.5 1:oops\n")
    status, err = run_failing_job("ridge", {"input": str(bad), "output": str(tmp_path)},
                                  tmp_path)
    assert status != 0 and "bad.libsvm:2" in err
