"""ALS through prun.py (2 servers, 3 workers), against numpy's normal equations (each
half-step row), the serial reference als_serial (the trace of every iteration), a
popularity baseline (implicit feedback) and MovieLens (ml-latest-small, fixed 80/20 split)."""

import json
import os

import pytest

from alg_support import (datagen, read_named_vectors, real_data, reference, run_failing_job,
                         run_job, run_killed_and_resumed)

EXPLICIT = {"rank": 6, "iterations": 6, "lambda": 0.1, "block_rows": 16}
IMPLICIT = dict(EXPLICIT, feedback="implicit", alpha=2.0, **{"lambda": 0.5})


def split(lines, folder, keep=lambda value: True):
    """80/20 split of the ratings (the generated ones repeat some pairs: so be it)."""
    rows = [line for line in lines if line.strip() and keep(float(line.split()[2]))]
    train, test = folder / "train", folder / "test"
    train.write_text("".join(r for i, r in enumerate(rows) if i % 5 != 4))
    test.write_text("".join(r for i, r in enumerate(rows) if i % 5 == 4))
    return str(train), str(test)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    ratings = datagen(folder, "ratings", rows=12000, seed=3, users=300, items=150, rank=4)
    return split(open(ratings), folder)


@pytest.fixture(scope="module")
def movielens(tmp_path_factory):
    folder = tmp_path_factory.mktemp("movielens")
    path = os.path.join(real_data("movielens"), "ratings", "movielens_dslabs.txt")
    return split(open(path), folder)


def read_ratings(path):
    return [(u, i, float(v)) for u, i, v in (line.split() for line in open(path) if line.strip())]


def train(tmp_path, name, data, params, workers=3):
    out = tmp_path / name
    run_job("als", dict(params, input=data[0], test_input=data[1], output=str(out)), tmp_path,
            workers=workers)
    return json.loads((out / "metrics.json").read_text()), out


def serial_trace(data, params):
    args = [data[0], data[1], params["rank"], params["iterations"], params["lambda"]]
    if params.get("feedback") == "implicit":
        args += ["--implicit", params["alpha"]]
    if params.get("regularization") == "plain":
        args.append("--plain")
    if params.get("regularization") == "weighted":
        args.append("--weighted")
    if params.get("solver") == "cg":
        args += ["--cg", params.get("cg_steps", 3)]
    if "initial_item_factors" in params:
        args += ["--items", params["initial_item_factors"]]
    lines = reference("als_serial", *args).splitlines()
    return [[float(v) for v in line.split()] for line in lines]


def numpy_half_step(ratings, fixed, solved_of, fixed_of, params):
    """Every row of one side solved from the dense normal equations (numpy), given the other
    side's factors: explicit (Y_u' Y_u + reg I) x = Y_u' r_u; implicit with the full
    confidence matrix over every item, (Y' C_u Y + reg I) x = Y' C_u p_u."""
    import numpy as np
    names = sorted(fixed)
    index = {n: j for j, n in enumerate(names)}
    y = np.array([fixed[n] for n in names])
    rows = {}
    for r in ratings:
        rows.setdefault(solved_of(r), []).append((index[fixed_of(r)], r[2]))
    implicit = params.get("feedback") == "implicit"
    weighted = params.get("regularization", "plain" if implicit else "weighted") == "weighted"
    out = {}
    for row, rated in rows.items():
        reg = params["lambda"] * (len(rated) if weighted else 1)
        if implicit:
            c, p = np.ones(len(names)), np.zeros(len(names))
            for j, value in rated:  # repeated events add up
                c[j], p[j] = c[j] + params["alpha"] * value, 1
            a, b = y.T @ (c[:, None] * y), y.T @ (c * p)
        else:
            yu = y[[j for j, _ in rated]]
            a, b = yu.T @ yu, yu.T @ np.array([v for _, v in rated])
        out[row] = np.linalg.solve(a + reg * np.eye(y.shape[1]), b)
    return out


def assert_rows_equal(got, want, tolerance):
    import numpy as np
    assert set(got) == set(want)
    scale = max(np.abs(v).max() for v in want.values())
    worst = max(np.abs(np.array(got[n]) - want[n]).max() for n in want)
    assert worst <= tolerance * scale, (worst, scale)


@pytest.mark.parametrize("params", [EXPLICIT, dict(EXPLICIT, regularization="plain"), IMPLICIT],
                         ids=["als_wr", "plain", "implicit"])
def test_each_half_step_solves_the_normal_equations(tmp_path, generated, params):
    import numpy as np
    ratings = read_ratings(generated[0])
    rng = np.random.default_rng(5)
    start = {i: list(rng.normal(0, 0.3, params["rank"])) for i in sorted({r[1] for r in ratings})}
    initial = tmp_path / "initial_items"
    initial.write_text("".join("%s\t%s\n" % (n, " ".join(repr(v) for v in f))
                               for n, f in start.items()))
    _, out = train(tmp_path, "one", generated,
                   dict(params, iterations=1, initial_item_factors=str(initial)))
    users = read_named_vectors(out / "user_factors")
    items = read_named_vectors(out / "item_factors")
    # Users from the initial items, then items from those users: 1e-10 of the largest factor.
    assert_rows_equal(users, numpy_half_step(ratings, start, lambda r: r[0], lambda r: r[1],
                                             params), 1e-10)
    assert_rows_equal(items, numpy_half_step(ratings, users, lambda r: r[1], lambda r: r[0],
                                             params), 1e-10)


VARIANTS = {"als_wr": EXPLICIT, "plain": dict(EXPLICIT, regularization="plain"),
            "cg": dict(EXPLICIT, solver="cg", cg_steps=2), "implicit": IMPLICIT,
            "implicit_cg": dict(IMPLICIT, solver="cg")}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_iteration_equals_the_serial_reference(tmp_path, generated, variant):
    params = VARIANTS[variant]
    metrics, _ = train(tmp_path, variant, generated, params)
    serial = serial_trace(generated, params)
    assert metrics["iterations"] == params["iterations"] == len(serial)
    for got, want in zip(metrics["trace"], serial):
        assert got[0] == want[0]
        for g, w in zip(got[1:4], want[1:4]):  # objective, train RMSE, test RMSE
            assert g == pytest.approx(w, rel=1e-6), (variant, got, want)
    objectives = [row[1] for row in metrics["trace"]]
    if params.get("solver") != "cg":  # exact ALS never increases its objective
        assert all(b <= a * (1 + 1e-12) for a, b in zip(objectives, objectives[1:]))
    assert metrics["train_ratings"] == sum(1 for _ in open(generated[0]))
    assert metrics["test_ratings"] == sum(1 for _ in open(generated[1]))


def test_one_worker_equals_three_and_predict_mode(tmp_path, generated):
    three, out = train(tmp_path, "three", generated, EXPLICIT)
    one, _ = train(tmp_path, "one", generated, EXPLICIT, workers=1)
    for a, b in zip(three["trace"], one["trace"]):
        assert a[1:4] == pytest.approx(b[1:4], rel=1e-9)
    predicted = tmp_path / "predicted"
    run_job("als", {"mode": "predict", "input": generated[1], "model_input": str(out),
                    "output": str(predicted)}, tmp_path, workers=2)
    values = (predicted / "predictions").read_text().split()
    assert len(values) == sum(1 for _ in open(generated[1]))
    scored = json.loads((predicted / "metrics.json").read_text())
    assert scored["rmse"] == pytest.approx(three["test_rmse"], rel=1e-9)


def test_tolerance_stops_when_the_objective_settles(tmp_path, generated):
    metrics, _ = train(tmp_path, "tol", generated, dict(EXPLICIT, iterations=50, tolerance=1e-3))
    trace = metrics["trace"]
    assert 2 <= metrics["iterations"] == len(trace) < 50
    assert trace[-2][1] - trace[-1][1] < 1e-3 * trace[-2][1]
    assert all(a[1] - b[1] >= 1e-3 * a[1] for a, b in zip(trace[:-2], trace[1:-1]))


@pytest.mark.parametrize("feedback", ["implicit"])  # its state is explicit's, plus the Gram path
def test_a_run_killed_and_resumed_from_its_checkpoint_ends_where_an_uninterrupted_one_does(
        tmp_path, feedback):
    folder = tmp_path / "data"
    folder.mkdir()
    ratings = datagen(folder, "ratings", rows=300000, seed=3, users=4000, items=2000, rank=4)
    data = split(open(ratings), folder)
    params = dict(EXPLICIT if feedback == "explicit" else IMPLICIT, rank=10, iterations=20,
                  block_rows=64, tolerance=1e-9)
    metrics, _ = train(tmp_path, "whole", data, params)
    out = tmp_path / "resumed"
    run_killed_and_resumed("als", dict(params, input=data[0], test_input=data[1], output=str(out)),
                           tmp_path, every=2)
    resumed = json.loads((out / "metrics.json").read_text())
    assert resumed["iterations"] == metrics["iterations"]
    # Equal up to the order of floating-point sums (the implicit Gram matrix adds the
    # workers' parts on the servers in arrival order).
    for got, want in zip(resumed["trace"], metrics["trace"]):
        assert got[:4] == pytest.approx(want[:4], rel=1e-9)


def precision_at(n, users, items, train, test):
    """Mean precision@n over the test users: top-n unrated items by x_u . y_i."""
    import numpy as np
    names = sorted(items)
    y = np.array([items[i] for i in names])
    seen, relevant = {}, {}
    for u, i, _ in train:
        seen.setdefault(u, set()).add(i)
    for u, i, _ in test:
        relevant.setdefault(u, set()).add(i)
    popularity = {}
    for _, i, _ in train:
        popularity[i] = popularity.get(i, 0) + 1
    popular = sorted(popularity, key=lambda i: -popularity[i])
    model = baseline = 0.0
    users_scored = [u for u in relevant if u in users]
    for u in users_scored:
        scores = y @ np.array(users[u])
        ranked = [names[j] for j in np.argsort(-scores, kind="stable") if names[j] not in seen[u]]
        model += len(set(ranked[:n]) & relevant[u]) / n
        top = [i for i in popular if i not in seen[u]][:n]
        baseline += len(set(top) & relevant[u]) / n
    return model / len(users_scored), baseline / len(users_scored)


@pytest.mark.real_data
def test_movielens_explicit(tmp_path, movielens):
    params = {"rank": 10, "iterations": 20, "lambda": 0.1}
    metrics, _ = train(tmp_path, "movielens", movielens, params)
    serial = serial_trace(movielens, params)
    for got, want in zip(metrics["trace"], serial):
        assert got[2:4] == pytest.approx(want[2:4], rel=1e-6)
    ratings = read_ratings(movielens[0])
    mean = sum(r[2] for r in ratings) / len(ratings)
    test = read_ratings(movielens[1])
    mean_rmse = (sum((r[2] - mean) ** 2 for r in test) / len(test)) ** 0.5
    # 0.926 measured here (a numpy ALS-WR reaches 0.918 on a random split); the mean 1.06.
    assert metrics["test_rmse"] < 0.935 and mean_rmse > 1.05, (metrics["test_rmse"], mean_rmse)


@pytest.mark.real_data
def test_movielens_implicit_beats_popularity(tmp_path_factory, tmp_path):
    folder = tmp_path_factory.mktemp("liked")
    path = os.path.join(real_data("movielens"), "ratings", "movielens_dslabs.txt")
    liked = split(open(path), folder, keep=lambda v: v >= 4)
    # Measured: precision@10 0.179 against popularity's 0.104.
    params = {"feedback": "implicit", "rank": 20, "iterations": 10, "lambda": 5.0, "alpha": 0.5}
    _, out = train(tmp_path, "implicit", liked, params)
    model, popular = precision_at(10, read_named_vectors(out / "user_factors"),
                                  read_named_vectors(out / "item_factors"),
                                  read_ratings(liked[0]), read_ratings(liked[1]))
    assert model >= popular + 0.05, (model, popular)


def test_bad_input_is_named(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("u1 i1 4\nu2 i2 four\n")
    status, err = run_failing_job("als", {"input": str(bad), "output": str(tmp_path / "o")},
                                  tmp_path)
    assert status != 0 and "bad.txt:2" in err and "not a number" in err
    status, err = run_failing_job("als", {"input": str(bad), "output": str(tmp_path / "o"),
                                          "lamda": 1}, tmp_path)
    assert status != 0 and "unknown key(s) 'lamda'" in err
    negative = tmp_path / "negative.txt"
    negative.write_text("u1 i1 4\nu2 i1 -3\n")
    status, err = run_failing_job("als", {"input": str(negative), "output": str(tmp_path / "o"),
                                          "feedback": "implicit"}, tmp_path)
    assert status != 0 and "must not be negative" in err
    good = tmp_path / "good.txt"
    good.write_text("u1 i1 4\nu2 i2 3\n")
    initial = tmp_path / "initial.txt"
    initial.write_text("i1\t0.1 0.2\ni2\t0.3\n")
    status, err = run_failing_job("als", {"input": str(good), "output": str(tmp_path / "o"),
                                          "rank": 2, "initial_item_factors": str(initial)},
                                  tmp_path)
    assert status != 0 and "initial.txt:2" in err and "expected a name and 2 factors" in err


def test_repeated_implicit_events_add_up(tmp_path):
    once = tmp_path / "once.txt"
    once.write_text("u1 i1 3\nu1 i2 1\nu2 i1 1\nu2 i3 2\nu3 i2 1\nu3 i3 1\n")
    split_events = tmp_path / "split.txt"
    split_events.write_text("u1 i1 1\nu1 i2 1\nu1 i1 2\nu2 i1 1\nu2 i3 1\nu3 i2 1\nu2 i3 1\n"
                            "u3 i3 1\n")
    params = {"feedback": "implicit", "rank": 2, "iterations": 3, "alpha": 1.5}
    a, out_a = train(tmp_path, "once", (str(once), ""), params)
    b, out_b = train(tmp_path, "split", (str(split_events), ""), params)
    assert a["trace"][-1][1] == pytest.approx(b["trace"][-1][1], rel=1e-12)
    users_a = read_named_vectors(out_a / "user_factors")
    users_b = read_named_vectors(out_b / "user_factors")
    assert sorted(users_a) == sorted(users_b) == ["u1", "u2", "u3"]
    for user in users_a:
        assert users_a[user] == pytest.approx(users_b[user], rel=1e-12)
