"""Logistic regression through prun.py on generated LIBSVM data (a planted model, tool/datagen)
and on real LIBSVM data, against liblinear (-s 0) and the serial reference.

Both minimise the same objective: liblinear's C * sum(loss) + |w|^2 / 2 with C = 1 / (l2 * n)
is n * C times Paracel's mean(loss) + l2 / 2 * |w|^2, and -B 1 is Paracel's bias (a constant
feature, regularised). So the optimum is the same model, and a right algorithm must reach
it: same test accuracy (within 1 point) and test log-loss (within 2%).
"""

import json
import math
import os
import subprocess

import pytest

from alg_support import (datagen, real_data, reference, run_failing_job, run_job,
                         run_killed_and_resumed)

L2 = 1e-3
REAL = pytest.mark.real_data


def real(name):
    return pytest.param(name, marks=REAL)


def read_libsvm(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts:
                feats = {int(k): float(v) for k, v in (p.split(":") for p in parts[1:])}
                rows.append((1 if float(parts[0]) > 0 else -1, feats))
    return rows


def split(path, tmp_path, name):
    """A fixed 80/20 split: every fifth line is held out."""
    lines = [l for l in open(path) if l.strip()]
    train, test = tmp_path / (name + ".train"), tmp_path / (name + ".test")
    train.write_text("".join(l for i, l in enumerate(lines) if i % 5 != 0))
    test.write_text("".join(l for i, l in enumerate(lines) if i % 5 == 0))
    return str(train), str(test)


def data_set(name, tmp_path):
    """(train, test) files of a data set: "generated" (4,000 rows, 60 features from a planted
    model) or a real one."""
    if name == "generated":
        return split(datagen(tmp_path, "libsvm", rows=4000, seed=3, features=60, nnz=8),
                     tmp_path, name)
    folder = os.path.join(real_data({"heart_scale": "heart_scale", "mushroom_fann": "mushroom",
                                     "fashion_mnist_tops": "fashion_mnist"}[name]),
                          "classification")
    if name == "fashion_mnist_tops":
        return (os.path.join(folder, name + ".train.libsvm"),
                os.path.join(folder, name + ".test.libsvm"))
    return split(os.path.join(folder, name + ".libsvm"), tmp_path, name)


def liblinear(train, test, tmp_path, eps):
    """liblinear-train -s 0 on the same objective: (weights with bias last, test metrics)."""
    n = sum(1 for line in open(train) if line.strip())
    model, pred = tmp_path / "ll.model", tmp_path / "ll.pred"
    subprocess.run(["liblinear-train", "-q", "-s", "0", "-c", repr(1 / (L2 * n)), "-B", "1",
                    "-e", str(eps), train, str(model)], check=True)
    subprocess.run(["liblinear-predict", "-b", "1", test, str(model), str(pred)], check=True,
                   capture_output=True)
    lines = open(model).read().split("\n")
    first_label = int(lines[[l.split()[0] for l in lines if l].index("label")].split()[1])
    w = [float(v) for v in lines[lines.index("w") + 1:] if v.strip()]
    if first_label != 1:  # liblinear's w scores its first label
        w = [-v for v in w]
    labels = [r[0] for r in read_libsvm(test)]
    out = open(pred).read().split("\n")
    order = [int(x) for x in out[0].split()[1:]]
    loss, correct = 0.0, 0
    for y, line in zip(labels, out[1:]):
        parts = line.split()
        probs = dict(zip(order, map(float, parts[1:])))
        loss -= math.log(max(probs[y], 1e-300))
        correct += int(parts[0]) == y
    return w, loss / len(labels), correct / len(labels)


def objective(rows, w):
    """Paracel's training objective of the model w (bias last)."""
    total = 0.0
    for y, feats in rows:
        m = y * (sum(w[k - 1] * v for k, v in feats.items() if k <= len(w) - 1) + w[-1])
        total += math.log1p(math.exp(-m)) if m > 0 else -m + math.log1p(math.exp(m))
    return total / len(rows) + L2 / 2 * sum(v * v for v in w)


def train(tmp_path, train_file, test_file, **config):
    out = tmp_path / ("out_" + config.get("method", "dgd") + str(config.get("staleness", 0)))
    cfg = {"input": train_file, "test_input": test_file, "output": str(out), "l2": L2}
    cfg.update(config)
    run_job("logistic_regression", cfg, tmp_path, workers=config.pop("workers", 3))
    metrics = json.loads((out / "metrics.json").read_text())
    weights = [float(v) for v in (out / "model").read_text().split()]
    return metrics, weights, out


@pytest.mark.parametrize("name,rounds,eps", [("generated", 300, 1e-6),
                                             pytest.param("heart_scale", 300, 1e-6, marks=REAL),
                                             pytest.param("mushroom_fann", 400, 1e-6, marks=REAL),
                                             pytest.param("fashion_mnist_tops", 300, 1e-4,
                                                          marks=REAL)])
def test_dgd_reaches_liblinears_model(tmp_path, name, rounds, eps):
    train_file, test_file = data_set(name, tmp_path)
    _, ll_loss, ll_acc = liblinear(train_file, test_file, tmp_path, eps)
    metrics, _, _ = train(tmp_path, train_file, test_file, method="dgd", rounds=rounds)
    assert abs(metrics["test_accuracy"] - ll_acc) <= 0.01, (metrics, ll_acc)
    assert abs(metrics["test_logloss"] - ll_loss) <= 0.02 * ll_loss, (metrics, ll_loss)


@pytest.mark.parametrize("name", ["generated", real("heart_scale"), real("mushroom_fann")])
def test_lbfgs_reaches_liblinears_optimum(tmp_path, name):
    """L-BFGS converges: its objective equals the optimum liblinear finds at a tight tolerance
    (to 1e-6), and it stops on its own well before the iteration limit."""
    train_file, test_file = data_set(name, tmp_path)
    ll_w, ll_loss, ll_acc = liblinear(train_file, test_file, tmp_path, 1e-8)
    best = objective(read_libsvm(train_file), ll_w)
    metrics, weights, _ = train(tmp_path, train_file, test_file, method="lbfgs", rounds=1000,
                                eval_every=1)
    assert metrics["train_objective"] == pytest.approx(best, rel=1e-6), (metrics, best)
    assert objective(read_libsvm(train_file), weights) == pytest.approx(best, rel=1e-6)
    assert len(metrics["trace"]) < 1000
    assert abs(metrics["test_logloss"] - ll_loss) <= 0.005 * ll_loss, (metrics, ll_loss)


@pytest.mark.parametrize("name", ["generated", real("mushroom_fann")])
def test_dgd_equals_the_serial_reference_step_for_step(tmp_path, name):
    """Under BSP the distributed dgd is the serial algorithm: the same model after 60 rounds
    (up to the order of floating-point additions)."""
    train_file, test_file = data_set(name, tmp_path)
    metrics, weights, _ = train(tmp_path, train_file, test_file, method="dgd", rounds=60)
    serial = [float(v) for v in reference("lr_serial", train_file, 60,
                                          repr(metrics["learning_rate"]), L2).split()]
    assert metrics["train_objective"] == pytest.approx(serial[0], rel=1e-9)
    assert weights == pytest.approx(serial[1:], rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("method,staleness,intervals", [
    ("dgd", 0, {}), ("lbfgs", 0, {}), ("downpour", 2, {}),
    ("downpour", 2, {"fetch_every": 3, "push_every": 2})])
def test_a_run_killed_and_resumed_from_its_checkpoint_ends_where_an_uninterrupted_one_does(
        tmp_path, method, staleness, intervals):
    train_file, test_file = data_set("generated", tmp_path)
    config = dict(method=method, staleness=staleness, rounds=40, learning_rate=2.0,
                  batch_size=200, slow_workers="all", slow_ms=20, slow_prob=1.0, **intervals)
    metrics, weights, _ = train(tmp_path, train_file, test_file, **config)
    out = tmp_path / "resumed"
    cfg = {"input": train_file, "test_input": test_file, "output": str(out), "l2": L2, **config}
    run_killed_and_resumed("logistic_regression", cfg, tmp_path,
                           every=40 if method == "downpour" else 5)
    resumed = [float(v) for v in (out / "model").read_text().split()]
    resumed_metrics = json.loads((out / "metrics.json").read_text())
    if staleness == 0:  # the same rounds: equal up to the order of floating-point additions
        assert resumed == pytest.approx(weights, rel=1e-9, abs=1e-12)
    else:  # SSP runs differ in the order of their updates: the same objective within 1%
        assert resumed_metrics["train_objective"] == pytest.approx(metrics["train_objective"],
                                                                   rel=0.01)


@pytest.mark.parametrize("name", ["generated", real("heart_scale")])
@pytest.mark.parametrize("method,staleness,intervals", [
    ("ipm", 0, {}), ("downpour", 0, {}), ("agd", 0, {}), ("downpour", 3, {}),
    # Downpour's n_fetch / n_push: the model read every 5 mini-batches, steps added every 3.
    ("downpour", 1, {"fetch_every": 5, "push_every": 3})])
def test_stochastic_methods_reach_the_optimum(tmp_path, name, method, staleness, intervals):
    train_file, test_file = data_set(name, tmp_path)
    ll_w, ll_loss, ll_acc = liblinear(train_file, test_file, tmp_path, 1e-6)
    best = objective(read_libsvm(train_file), ll_w)
    metrics, weights, _ = train(tmp_path, train_file, test_file, method=method, rounds=200,
                                learning_rate=2.0, decay=0.02, batch_size=20,
                                staleness=staleness, **intervals)
    for key, value in intervals.items():
        assert metrics[key] == value
    assert len(weights) == len(ll_w)
    # The training objective, which the optimiser minimises, within 1% of the optimum.
    assert best <= metrics["train_objective"] * (1 + 1e-9)
    assert metrics["train_objective"] <= 1.01 * best, (metrics, best)
    assert abs(metrics["test_accuracy"] - ll_acc) <= 2.5 / metrics["test_rows"]
    assert abs(metrics["test_logloss"] - ll_loss) <= 0.03 * ll_loss, (metrics, ll_loss)


@pytest.mark.parametrize("name", ["generated", real("heart_scale")])
def test_csv_input_and_predict_mode(tmp_path, name):
    train_file, test_file = data_set(name, tmp_path)
    dims = max(max(feats, default=0) for path in (train_file, test_file)
               for _, feats in read_libsvm(path))

    def to_csv(path):
        out = path + ".csv"
        with open(out, "w") as f:
            for y, feats in read_libsvm(path):
                f.write(",".join(repr(feats.get(k, 0.0)) for k in range(1, dims + 1)))
                f.write(",%d\n" % (1 if y > 0 else 0))
        return out

    libsvm_metrics, weights, out = train(tmp_path, train_file, test_file, rounds=100)
    csv_metrics, _, _ = train(tmp_path, to_csv(train_file), to_csv(test_file), rounds=100,
                              format="csv", method="dgd", staleness=0, seed=2)
    for key in ("train_objective", "test_logloss", "test_accuracy"):
        assert csv_metrics[key] == pytest.approx(libsvm_metrics[key], rel=1e-9), key

    predicted = tmp_path / "predicted"
    run_job("logistic_regression", {"mode": "predict", "input": test_file,
                                    "model_input": str(out / "model"),
                                    "output": str(predicted)}, tmp_path, workers=2)
    probs = [float(p) for p in (predicted / "predictions").read_text().split()]
    rows = read_libsvm(test_file)
    assert len(probs) == len(rows)
    for p, (y, feats) in zip(probs, rows):
        margin = sum(weights[k - 1] * v for k, v in feats.items()) + weights[-1]
        assert p == pytest.approx(1 / (1 + math.exp(-margin)), rel=1e-8)
    loss = -sum(math.log(p if y > 0 else 1 - p) for p, (y, _) in zip(probs, rows)) / len(rows)
    assert loss == pytest.approx(libsvm_metrics["test_logloss"], rel=1e-6)


def test_bad_config_and_bad_input_are_named(tmp_path):
    status, err = run_failing_job("logistic_regression",
                                  {"input": "x", "output": str(tmp_path), "method": "newton"},
                                  tmp_path)
    assert status != 0 and "method must be one of dgd, ipm, downpour, agd" in err
    status, err = run_failing_job("logistic_regression",
                                  {"input": "x", "output": str(tmp_path), "method": "downpour"},
                                  tmp_path)
    assert status != 0 and "downpour needs a learning_rate" in err
    status, err = run_failing_job("logistic_regression",
                                  {"input": "x", "output": str(tmp_path), "method": "agd",
                                   "learning_rate": 1, "push_every": 4}, tmp_path)
    assert status != 0 and "fetch_every and push_every apply to method downpour only" in err
    status, err = run_failing_job("logistic_regression",
                                  {"input": "x", "output": str(tmp_path), "method": "downpour",
                                   "learning_rate": 1, "fetch_every": 0}, tmp_path)
    assert status != 0 and "fetch_every and push_every must be > 0" in err
    bad = tmp_path / "bad.libsvm"
    bad.write_text("+1 1:0.5 2:1\n-1 1:oops\n")
    status, err = run_failing_job("logistic_regression", {"input": str(bad),
                                                          "output": str(tmp_path)}, tmp_path)
    assert status != 0 and "bad.libsvm:2" in err
