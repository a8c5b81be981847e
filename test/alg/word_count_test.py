"""Word count through prun.py on generated Zipf text and on the King James Bible, against the
serial reference."""

import os

import pytest

from alg_support import (datagen, real_data, reference, run_failing_job, run_job,
                         run_killed_and_resumed, tab_rows)


def test_counts_equal_the_serial_count_on_generated_text(tmp_path):
    text = datagen(tmp_path, "text", rows=20000, vocabulary=5000, seed=4)
    out = tmp_path / "out"
    run_job("word_count", {"input": text, "output": str(out), "top_k": 30, "dump_all": True},
            tmp_path)
    every = tab_rows(reference("word_count_serial", text))
    assert len(every) > 4000  # Zipf over 5,000 words: nearly all of them occur
    assert tab_rows((out / "word_counts").read_text()) == every
    assert tab_rows((out / "top_words").read_text()) == tab_rows(
        reference("word_count_serial", "--top", 30, text))



def test_a_run_killed_and_resumed_from_its_checkpoint_counts_every_line_once(tmp_path):
    """A clock per chunk of 2,000 lines: the checkpoint holds the chunks' counts and each
    worker's cursor, and the resumed job skips exactly the lines already counted."""
    text = datagen(tmp_path, "text", rows=600000, vocabulary=50000, seed=4)
    out = tmp_path / "out"
    run_killed_and_resumed("word_count", {"input": text, "output": str(out), "dump_all": True,
                                          "chunk_lines": 2000}, tmp_path, every=10)
    assert tab_rows((out / "word_counts").read_text()) == \
        tab_rows(reference("word_count_serial", text))


@pytest.mark.real_data
def test_counts_equal_the_serial_count_on_kjv(tmp_path):
    text = os.path.join(real_data("kjv"), "text", "kjv_verses.txt")
    out = tmp_path / "out"
    run_job("word_count", {"input": text, "output": str(out), "top_k": 50, "dump_all": True},
            tmp_path)
    every = tab_rows(reference("word_count_serial", text))
    assert len(every) > 12000  # the KJV has about 12.8 k distinct lower-cased words
    assert tab_rows((out / "word_counts").read_text()) == every
    top = tab_rows(reference("word_count_serial", "--top", 50, text))
    assert tab_rows((out / "top_words").read_text()) == top
    assert top[0][0] == "the"


@pytest.mark.real_data
def test_case_is_kept_when_asked(tmp_path):
    text = os.path.join(real_data("kjv"), "text", "kjv_chapters.txt")
    out = tmp_path / "out"
    run_job("word_count", {"input": text, "output": str(out), "top_k": 20, "lowercase": False},
            tmp_path, workers=2)
    assert tab_rows((out / "top_words").read_text()) == tab_rows(
        reference("word_count_serial", "--keep-case", "--top", 20, text))


def test_config_errors_are_named(tmp_path):
    status, err = run_failing_job("word_count", {"input": "/x", "outptu": "/tmp/y"}, tmp_path)
    assert status != 0
    assert "missing key 'output'" in err
    status, err = run_failing_job(
        "word_count", {"input": "/x", "output": str(tmp_path), "topk": 3}, tmp_path)
    assert status != 0
    assert "unknown key(s) 'topk'" in err
    status, err = run_failing_job(
        "word_count", {"input": str(tmp_path / "missing.txt"), "output": str(tmp_path)},
        tmp_path)
    assert status != 0
    assert "missing.txt" in err
