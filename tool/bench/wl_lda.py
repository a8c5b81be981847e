"""Workload 13: LDA sampling speed, tokens per second per worker core, against the tight
serial O(K) collapsed Gibbs sampler (tool/reference/lda_serial) in the same run, at K = 100
and K = 1000, for the O(K) sampler and the O(1) alias (Metropolis-Hastings) one, on
generated Zipf text (20,000 documents of 100 tokens, 20,000 words)."""

import statistics

from bench_common import Row, datagen, interleaved, log, prun_job, run

SWEEPS = 5


def measure(ctx):
    docs = 2000 if ctx.smoke else 20000
    data = datagen(ctx, "text", "lda_%d.txt" % docs, docs, words_per_line=100,
                   vocabulary=20000, seed=8)
    for topics in (100, 1000):
        found = {}

        def serial():
            out = run([ctx.bin("lda_serial"), data, str(topics), "0.1", "0.01", str(SWEEPS)])
            rates = [float(line.split()[2]) for line in out.splitlines()[1:]]
            found["serial"] = statistics.median(rates)
            return found["serial"]

        for sampler in ("cgs", "alias"):
            log("lda %s, K = %d" % (sampler, topics))

            def paracel():
                _, metrics = prun_job(ctx, "lda", {"input": data, "topics": topics,
                                                   "sweeps": SWEEPS, "sampler": sampler},
                                      name="lda_%s_%d" % (sampler, topics))
                return metrics["tokens_per_second_per_worker"]

            rate, baseline = interleaved(ctx.reps, paracel, serial)
            goal = 0.5 if sampler == "cgs" and topics == 100 else (1.0 if topics == 1000 else None)
            ctx.rows.append(Row("lda %s, K = %d, %s x 100 tokens, 2 workers" % (
                sampler, topics, f"{docs:,}"), "tokens/s per worker", rate, baseline,
                "serial O(K) Gibbs (lda_serial)", True, goal=goal))
