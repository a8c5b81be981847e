"""Workload 5: matrix factorisation. Ratings/s per worker and held-out RMSE against the serial
reference (build/bin/mf_serial: the same float, vectorised kernel and tiled order, with no
parameter server: the tight loop a user would otherwise run), and training time against that
loop on as many threads as Paracel has workers."""

import os

from bench_common import Row, datagen, interleaved, log, prun_job, run

PARAMS = {"learning_rate": 0.02, "decay": 0.95, "l2": 0.1}
WORKERS = 2


def split(ctx, path, name, every=10):
    train, test = ctx.scratch(name + ".train"), ctx.scratch(name + ".test")
    if not os.path.exists(test):
        with open(path) as f, open(train, "w") as tr, open(test, "w") as te:
            for i, line in enumerate(f):
                (te if i % every == every - 1 else tr).write(line)
    return train, test


def serial(ctx, train, test, rank, epochs, threads=1):
    """(held-out RMSE, training seconds) of the serial loop."""
    out = run([ctx.bin("mf_serial"), train, test, str(rank), str(epochs),
               str(PARAMS["learning_rate"]), str(PARAMS["decay"]), str(PARAMS["l2"]), "1",
               str(threads)])
    rmse, seconds = map(float, out.split()[:2])
    return rmse, seconds


def compare(ctx, name, train, test, rank, epochs, threads_row=False, goal=None):
    log("matrix factorisation: %s, rank %d" % (name, rank))
    config = dict(PARAMS, input=train, test_input=test, rank=rank, epochs=epochs)
    results = {}

    def paracel():
        _, m = prun_job(ctx, "matrix_factorization", config, workers=WORKERS)
        results["paracel"] = m
        return m["train_ratings"] * epochs / m["train_seconds"] / m["workers"]

    def one_thread():
        results["serial"], seconds = serial(ctx, train, test, rank, epochs)
        return results["paracel"]["train_ratings"] * epochs / seconds

    def threads():
        results["threads"], seconds = serial(ctx, train, test, rank, epochs, WORKERS)
        return seconds

    measures = [paracel, one_thread] + ([threads] if threads_row else [])
    figures = interleaved(ctx.reps, *measures)
    paracel_rmse = results["paracel"]["test_rmse"]
    note = "held-out RMSE %.4f (serial %.4f)" % (paracel_rmse, results["serial"])
    ctx.rows.append(Row("MF SGD rank %d, %s, %d workers" % (rank, name, WORKERS),
                        "ratings/s per worker", figures[0], figures[1],
                        "serial loop, same kernel and tiles (1 core)", True, goal=goal,
                        note=note))
    if threads_row:
        paracel_seconds = results["paracel"]["train_ratings"] * epochs / figures[0] / WORKERS
        ctx.rows.append(Row("MF SGD rank %d, %s: training time" % (rank, name), "seconds",
                            paracel_seconds, figures[2],
                            "serial loop on %d threads (DSGD rounds)" % WORKERS, False,
                            goal=0.5, note="held-out RMSE %.4f (threads %.4f)" % (
                                paracel_rmse, results["threads"])))
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
    label = "synthetic %s ratings" % f"{rows:,}"
    t_big = compare(ctx, label, train, test, 32, 3, threads_row=True, goal=0.5)
    compare(ctx, label, train, test, 100, 3, goal=0.5)
    small = datagen(ctx, "ratings", "ratings_%d.txt" % (rows // 10), rows // 10,
                    users=rows // 1000, items=rows // 5000, rank=5, seed=3)
    s_train, s_test = split(ctx, small, "ratings_%d" % (rows // 10), every=100)
    t_small = interleaved(ctx.reps, lambda: prun_job(
        ctx, "matrix_factorization", dict(PARAMS, input=s_train, rank=32, epochs=3),
        name="mf_small")[1]["train_seconds"])[0]
    ctx.rows.append(Row("scaling: MF 3 epochs, 10x ratings", "time ratio 10x / 1x",
                        t_big / t_small, 10.0, "linear (10)", False))
