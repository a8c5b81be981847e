"""Workload 8: word count top-k of a generated text against mawk and sort | uniq -c."""

import os

from bench_common import Row, datagen, interleaved, log, prun_job, timed

AWK = ("mawk '{for (i = 1; i <= NF; i++) c[$i]++} END {for (w in c) print c[w], w}' %s "
       "| LC_ALL=C sort -k1,1nr -k2,2 | head -n 10")
SORT = "tr -s ' ' '\\n' < %s | LC_ALL=C sort | uniq -c | LC_ALL=C sort -k1,1nr -k2,2 | head -n 10"


def text(ctx, megabytes):
    lines = int(megabytes * 1e6 / 85)  # about 85 bytes per generated line
    return datagen(ctx, "text", "text_%dmb.txt" % megabytes, lines, seed=1)


def measure(ctx):
    size = 2 if ctx.smoke else 200
    path = text(ctx, size)
    log("word count: %d MB" % size)
    config = {"input": path, "top_k": 10}
    paracel = lambda: prun_job(ctx, "word_count", config)[0]
    awk = lambda: timed(AWK % path)[0]
    sort = lambda: timed(SORT % path)[0]
    t_paracel, t_awk, t_sort = interleaved(ctx.reps, paracel, awk, sort)
    # The same top 10 as mawk's, or the comparison is void.
    top = open(os.path.join(ctx.scratch("out_word_count"), "top_words")).read().split()
    mawk_top = timed(AWK % path)[1].split()
    same = sorted(zip(top[0::2], top[1::2])) == sorted(zip(mawk_top[1::2], mawk_top[0::2]))
    note = "" if same else "top 10 differs from mawk's"
    name = "word count top-10, %d MB text, 2 workers" % size
    ctx.rows.append(Row(name, "seconds", t_paracel, t_awk, "mawk", False, note=note))
    ctx.rows.append(Row(name, "seconds", t_paracel, t_sort, "LC_ALL=C sort | uniq -c", False))
    small = text(ctx, size / 10 if ctx.smoke else 20)
    t_small = interleaved(ctx.reps, lambda: prun_job(ctx, "word_count",
                                                     {"input": small, "top_k": 10})[0])[0]
    ctx.rows.append(Row("scaling: word count, 10x text", "time ratio 10x / 1x",
                        t_paracel / t_small, 10.0, "linear (10)", False,
                        note="includes ~0.7 s job start-up at both sizes"))
