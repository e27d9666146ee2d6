"""Random search in a study (gan1d.search, --search, --sweep ranges, --score): the draws, their
ranges and reproducibility, the flag checks, and the ranking against a hand count."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, make_args, run_study

from gan1d import files, search, stats, study

SHORT = ("--num-steps", "20", "--pretrain-steps", "0")


def test_a_log_range_spans_its_ends_evenly_in_log_and_rounds_to_three_digits():
    r = search.Range(1e-4, 1e-2, log=True, whole=False)
    assert r.at(0.0) == 1e-4 and r.at(0.5) == 0.001 and r.at(0.999999) == 0.01
    assert r.at(0.25) == float(f"{10**-3.5:.3g}") == 0.000316
    uniform = search.Range(0.0, 0.9, log=False, whole=False)
    assert uniform.at(0.5) == 0.45 and uniform.at(1 / 3) == 0.3
    whole = search.Range(1, 5, log=False, whole=True)
    assert [whole.at(u) for u in (0.0, 0.3, 0.5, 0.99)] == [1, 2, 3, 5]
    near_top = search.Range(0.0, 0.999, log=False, whole=False)
    assert near_top.at(0.9999999) == 0.999  # rounding never leaves the range ([0, 1) for --beta1)


def test_draws_are_reproducible_stratified_and_within_their_ranges():
    sweeps = [("learning_rate", search.Range(1e-4, 1e-2, True, False)), ("d_steps", [1, 3, 5])]
    a, b = search.draw(sweeps, 16, seed=0), search.draw(sweeps, 16, seed=0)
    assert a == b and a != search.draw(sweeps, 16, seed=1)
    rates = np.array([c["learning_rate"] for c in a])
    assert np.all((rates >= 1e-4) & (rates <= 1e-2))
    # Halton's first dimension is base 2: 16 points put one in each sixteenth of the log range
    bins = np.floor((np.log10(rates) + 4) / 2 * 16).astype(int)
    assert sorted(np.clip(bins, 0, 15)) == list(range(16))
    steps = [c["d_steps"] for c in a]
    assert set(steps) == {1, 3, 5} and max(map(steps.count, (1, 3, 5))) - min(map(steps.count, (1, 3, 5))) <= 1


@pytest.mark.parametrize(
    ("sweep", "extra", "message"),
    [
        ("learning-rate=0.01:0.001", ["--search", "4"], "argument --sweep: learning-rate: '0.01:0.001': LOW must be below HIGH"),
        ("beta1=0:0.5:log", ["--search", "4"], "argument --sweep: beta1: '0:0.5:log': a log range needs LOW > 0"),
        ("learning-rate=0.001:0.01:lin", ["--search", "4"], "is not LOW:HIGH or LOW:HIGH:log"),
        ("beta1=0:1", ["--search", "4"], "argument --sweep: beta1: '1' is not a number in [0, 1)"),
        ("loss=ls:hinge", ["--search", "4"], "argument --sweep: loss takes a list of values, not a range 'ls:hinge'"),
        ("learning-rate=0.001:0.01", [], "learning-rate's range is drawn from by a random search: add --search N"),
    ],
)  # fmt: skip
def test_bad_ranges_get_one_line_naming_the_flag(sweep, extra, message, capsys):
    with pytest.raises(SystemExit) as stop:
        make_args("--seeds", "2", "--sweep", sweep, *extra)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and err.count("\n") == 1


def test_a_search_without_sweeps_and_several_targets_outside_a_study_are_refused():
    for argv, message in [
        (["--seeds", "2", "--search", "4"], "argument --search: draws configurations from the sweeps"),
        (["--target", "one-mode,two-modes"], "argument --target: 'one-mode,two-modes' names several targets"),
    ]:
        done = subprocess.run([sys.executable, os.path.join(ROOT, "gan.py"), *argv], capture_output=True, text=True)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def rows(success_by_config):
    """Result rows for configurations {lr: [(success, w1), ...]} on one mode."""
    out = []
    for lr, runs in success_by_config.items():
        for ok, w1 in runs:
            std = 1.0 if ok else 0.3
            metrics = {
                "w1": w1,
                "std_ratio": std,
                "outside_fraction": 0.0,
                "ks": w1,
                **dict.fromkeys(stats.MODE_MEDIANS, 0),
            }
            out.append({"learning_rate": lr, "status": "completed", **metrics})
    return out


def test_the_ranking_orders_by_success_then_median_w1_and_by_w1_alone():
    results = rows({
        0.1: [(True, 0.01), (True, 0.02), (False, 0.4), (False, 0.5)],  # 2/4, median w1 0.21
        0.2: [(True, 0.03), (True, 0.04), (True, 0.04), (False, 0.2)],  # 3/4, median 0.04
        0.3: [(True, 0.02), (True, 0.03), (True, 0.02), (False, 0.6)],  # 3/4, median 0.025
    })  # fmt: skip
    order = stats.ranked(stats.Summaries(results), ["learning_rate"], "success")
    assert [key for key, _ in order] == [(0.3,), (0.2,), (0.1,)]
    assert [s["success"] for _, s in order] == [3, 3, 2]
    assert math.isclose(order[0][1]["w1"][0], 0.025)
    by_w1 = stats.ranked(stats.Summaries(results), ["learning_rate"], "w1")
    assert [key for key, _ in by_w1] == [(0.3,), (0.2,), (0.1,)]
    table = stats.ranking_table(stats.Summaries(results), ["learning_rate"], "success")
    assert "| 1 | 0.3 | 4 | 3/4 [0.30, 0.95] | 0.025 [" in table and "| 3 | 0.1 | 4 | 2/4 [" in table


def test_a_search_study_writes_a_row_per_run_with_its_drawn_values_and_ranks_them(tmp_path):
    argv = ["--seeds", "2", *SHORT, "--search", "3", "--sweep", "learning-rate=0.001:0.1:log",
            "--sweep", "d-init=0.5,1", "--target", "one-mode,two-modes"]  # fmt: skip
    args = make_args(*argv, out_dir=tmp_path)
    drawn = search.draw(args.sweep, 3, seed=42)
    assert run_study(args) == 0
    folder = study.study_dir(args)
    results = files.read_results(os.path.join(folder, "results.csv"))
    expected = [(t, c["learning_rate"], c["d_init"], s) for t in ("one-mode", "two-modes") for c in drawn for s in (42, 43)]  # fmt: skip
    assert [(r["target"], r["learning_rate"], r["d_init"], r["seed"]) for r in results] == expected
    assert {r["modes"] for r in results if r["target"] == "two-modes"} == {2.0}
    populations = {r["population"] for r in results}
    assert len(populations) == 2  # the drawn numbers are per member: one population per target
    summary = open(os.path.join(folder, "summary.md")).read()
    assert "## Configurations ranked by success" in summary
    for c in drawn:
        assert f"| {c['learning_rate']} | {c['d_init']} | 4 | " in summary
    assert os.path.getsize(os.path.join(folder, "search.png")) > 10_000
