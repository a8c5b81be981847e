"""Workload: what a checkpoint of a 1 GiB model costs (docs/checkpoints.md), from
build/bin/checkpoint_bench: writing the shards (2 servers x 2 threads, in parallel) against
as many plain writers of the same sizes with fsync (dd conv=fsync per file; the faster of a
run before and one after the checkpoint), and resuming them (read, checksum, decode, push
back) against pushing the model in the first place. Both run in the same process and folder,
repeated; the medians are reported. This VM's virtual disk varies by 2x from one write to the
next, so the write ratio is indicative. And what checkpoints cost a training run: matrix
factorisation (2 workers, 40 clocks) with a checkpoint every 4 clocks against none,
interleaved."""

import json
import statistics

from bench_common import Row, datagen, interleaved, log, prun_job, run


def measure(ctx):
    megabytes = 64 if ctx.smoke else 1024
    log("checkpoint: %d MiB model, write and resume" % megabytes)
    runs = []
    for _ in range(ctx.reps):
        out = run([ctx.bin("checkpoint_bench"), "--megabytes=%d" % megabytes,
                   "--dir=" + ctx.scratch("checkpoint")])
        line = next(l for l in out.splitlines() if l.startswith("CHECKPOINT_BENCH "))
        runs.append(json.loads(line[len("CHECKPOINT_BENCH "):]))
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    ctx.rows.append(Row("checkpoint write, %d MiB model in %d shard files" % (
        megabytes, runs[0]["files"]), "MiB/s (write + fsync + rename)", median["write_mib_s"],
        median["dd_mib_s"], "as many dd writers, fsync", True, goal=0.8,
        note="peak RSS growth %.0f MiB" % median["peak_rss_growth_mib"]))
    ctx.rows.append(Row("resume from a checkpoint, %d MiB model" % megabytes,
                        "seconds (read, verify, decode, push)", median["restore_seconds"],
                        median["push_seconds"], "pushing the model first", False, goal=0.5))

    log("checkpoint: matrix factorisation with a checkpoint every 4 clocks vs none")
    rows = 100000 if ctx.smoke else 2000000
    ratings = datagen(ctx, "ratings", "ckpt_mf_%d.txt" % rows, rows, users=40000, items=10000,
                      rank=10, seed=5)
    config = {"input": ratings, "rank": 32, "epochs": 20, "learning_rate": 0.01}
    folder = ctx.scratch("checkpoint_mf")

    def train_seconds(every):
        extra = ("--checkpoint_dir", folder, "--checkpoint_every", str(every)) if every else ()
        _, metrics = prun_job(ctx, "matrix_factorization", config, prun_args=extra,
                              name="mf_ckpt_%d" % every)
        return metrics["train_seconds"]

    with_checkpoints, without = interleaved(ctx.reps, lambda: train_seconds(4),
                                            lambda: train_seconds(0))
    ctx.rows.append(Row("matrix factorisation, %d ratings, rank 32, 2 workers, 40 clocks: a "
                        "checkpoint every 4" % rows, "training seconds", with_checkpoints, without,
                        "no checkpoints", False, goal=0.9))
