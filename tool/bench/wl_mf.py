"""Workload 5: matrix factorisation, ratings/s per worker and held-out RMSE against the
serial reference loop (build/bin/mf_serial)."""

import os

from bench_common import Row, datagen, interleaved, log, prun_job, run

PARAMS = {"learning_rate": 0.02, "decay": 0.95, "l2": 0.1}


def split(ctx, path, name, every=10):
    train, test = ctx.scratch(name + ".train"), ctx.scratch(name + ".test")
    if not os.path.exists(test):
        with open(path) as f, open(train, "w") as tr, open(test, "w") as te:
            for i, line in enumerate(f):
                (te if i % every == every - 1 else tr).write(line)
    return train, test


def compare(ctx, name, train, test, rank, epochs):
    log("matrix factorisation: " + name)
    config = dict(PARAMS, input=train, test_input=test, rank=rank, epochs=epochs)
    results = {}

    def paracel():
        _, m = prun_job(ctx, "matrix_factorization", config)
        results["paracel"] = m
        return m["train_ratings"] * epochs / m["train_seconds"] / m["workers"]

    def serial():
        out = run([ctx.bin("mf_serial"), train, test, str(rank), str(epochs),
                   str(PARAMS["learning_rate"]), str(PARAMS["decay"]), str(PARAMS["l2"])])
        rmse, seconds = map(float, out.split()[:2])
        results["serial"] = rmse
        return results["paracel"]["train_ratings"] * epochs / seconds

    r_paracel, r_serial = interleaved(ctx.reps, paracel, serial)
    note = "held-out RMSE %.4f (serial %.4f)" % (results["paracel"]["test_rmse"],
                                                 results["serial"])
    ctx.rows.append(Row("MF SGD rank %d, %s, 2 workers" % (rank, name), "ratings/s per worker",
                        r_paracel, r_serial, "serial reference loop (1 core)", True, note=note))
    return results["paracel"]["train_seconds"]


def measure(ctx, data_folder):
    if data_folder:
        ratings = os.path.join(data_folder, "ratings", "movielens_dslabs.txt")
        train, test = split(ctx, ratings, "movielens")
        compare(ctx, "MovieLens 100k (90/10)", train, test, 20, 50)
    rows = 250000 if ctx.smoke else 25000000
    big = datagen(ctx, "ratings", "ratings_%d.txt" % rows, rows, users=rows // 100,
                  items=rows // 500, rank=5, seed=3)
    train, test = split(ctx, big, "ratings_%d" % rows, every=100)
    t_big = compare(ctx, "synthetic %s ratings" % f"{rows:,}", train, test, 32, 3)
    small = datagen(ctx, "ratings", "ratings_%d.txt" % (rows // 10), rows // 10,
                    users=rows // 1000, items=rows // 5000, rank=5, seed=3)
    s_train, s_test = split(ctx, small, "ratings_%d" % (rows // 10), every=100)
    t_small = interleaved(ctx.reps, lambda: prun_job(
        ctx, "matrix_factorization", dict(PARAMS, input=s_train, rank=32, epochs=3),
        name="mf_small")[1]["train_seconds"])[0]
    ctx.rows.append(Row("scaling: MF 3 epochs, 10x ratings", "time ratio 10x / 1x",
                        t_big / t_small, 10.0, "linear (10)", False))
