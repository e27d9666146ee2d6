"""The preset for data of any shape (docs/any.md): its flags read nothing of the target, it is the
selection that the kept search rows choose by the protocol's rule, and it is scale-free."""

import contextlib
import io
import os
import sys

import numpy as np
import pytest
from conftest import ROOT, gan, make_args

sys.path.insert(0, os.path.join(ROOT, "studies"))

import any_shape  # noqa: E402
import equal_budget  # noqa: E402
import protocol  # noqa: E402

from gan1d import files, folder, search  # noqa: E402
from gan1d.presets import NAMED_TARGETS, PRESETS  # noqa: E402
from gan1d.settings import TARGET_FLAGS  # noqa: E402

# what describes the data: its modes, weights, widths, place and scale, or a file of it
DATA_FLAGS = (TARGET_FLAGS - {"standardise"}) | {"data", "held_out", "split_seed"}


def test_the_any_preset_sets_no_flag_that_describes_the_data():
    assert not DATA_FLAGS & set(PRESETS["any"]), DATA_FLAGS & set(PRESETS["any"])
    assert PRESETS["any"]["standardise"] is True  # trained in the data's own mean and std


def test_the_any_preset_resolves_to_the_same_values_on_every_target():
    alone = vars(make_args("--preset", "any"))
    for target in NAMED_TARGETS:
        on = vars(make_args("--preset", "any", "--target", target))
        assert {k: on[k] for k in PRESETS["any"]} == {k: alone[k] for k in PRESETS["any"]}, target


def test_the_any_method_searches_with_dmwgan_s_budget_and_values():
    args = gan.parse_args(equal_budget.search_command("any", "/tmp/unused"))
    dmwgan = gan.parse_args(equal_budget.search_command("dmwgan", "/tmp/unused"))
    assert (args.search, args.seeds, args.target) == (
        protocol.SEARCH,
        protocol.TUNING_SEEDS[1],
        protocol.TUNING_TARGETS,
    )
    assert search.configurations(args) == search.configurations(dmwgan)  # the same 16 points
    assert (args.generators, args.noise, args.standardise) == (6, "normal", True)


def test_the_any_preset_is_the_selection_the_kept_results_choose():
    """The protocol's rules on the kept rows: the second round wins on the fresh targets (docs/any/),
    its selection is the best over both tuning targets by success, then median w1; --preset any is
    its held-out command's training, flag for flag."""
    method = any_shape.preset_method("/tmp/unused")  # no study there: the kept rows
    assert method == "any-anneal"
    rows = files.read_results(any_shape.kept(method, "search"))
    assert {r["target"] for r in rows} == set(protocol.TUNING_TARGETS) and len(rows) == 128
    best = any_shape.selection("/tmp/unused", method)
    rerun = vars(gan.parse_args(any_shape.held_out_command(best, "/tmp/unused", method)))
    preset = vars(gan.parse_args(["--preset", "any"]))
    where = {"preset", "target", "mu", "sigma", "weights", "shape", "stretch", "shift", "seed", "seeds", "sampler",
             "plot_seeds", "out_dir", "run_name", "given", "xla", "eval_every"}  # fmt: skip
    assert {k: v for k, v in rerun.items() if k not in where} == {k: v for k, v in preset.items() if k not in where}
    assert rerun["target"] == protocol.ANY_HELD_OUT_TARGETS + protocol.FRESH_TARGETS
    assert rerun["seed"] == protocol.HELD_OUT_SEEDS[0]


def test_the_second_round_s_rule_counts_successes_and_intervals():
    def rows(target, k, n=20):
        """k accurate runs of n on one mode (w1 0.01), the rest not (w1 1.0)."""
        return [{"target": target, "sampler": "plain", "status": "completed", "w1": 0.01 if i < k else 1.0,
                 "std_ratio": 1.0, "outside_fraction": 0.0, "unit": 0.5, "modes": 1} for i in range(n)]  # fmt: skip

    fresh = [r for t in protocol.FRESH_TARGETS for r in rows(t, 15)]
    level = [r for t in protocol.FRESH_TARGETS for r in rows(t, 15)]
    assert any_shape.second_round_wins(level, fresh)[0]  # as many, none below
    fewer = [r for t in protocol.FRESH_TARGETS for r in rows(t, 14)]
    assert not any_shape.second_round_wins(fewer, fresh)[0]  # fewer in all
    first, *rest = protocol.FRESH_TARGETS
    lopsided = rows(first, 3) + [r for t in rest for r in rows(t, 20)]
    assert not any_shape.second_round_wins(lopsided, fresh)[0]  # more in all, but 3/20 wholly below 15/20


@pytest.mark.slow
def test_a_copy_scaled_by_100_and_shifted_by_1000_trains_on_the_same_numbers(tmp_path):
    samples = {}
    for target in ("two-modes", "two-modes-x100"):
        args = make_args("--preset", "any", "--target", target, "--num-steps", "40", out_dir=tmp_path)
        with contextlib.redirect_stdout(io.StringIO()):
            gan.run(args)
        samples[target] = folder.read_samples(os.path.join(tmp_path, args.run_name)).astype(np.float64)
    # the same standardised numbers, to float32 rounding of values near 1,000 (ulp 6e-5), divided by 100
    np.testing.assert_allclose((samples["two-modes-x100"] - 1000.0) / 100.0, samples["two-modes"], atol=1e-5)


def test_a_data_run_without_a_preset_trains_with_the_any_preset():
    faithful = os.path.join(ROOT, "data", "faithful.csv") + ":eruptions"
    args = make_args("--data", faithful)
    assert args.preset == ["any"] and args.generators == 6 and args.noise == "normal"
    assert args.run_name.startswith("any_data-faithful.csv:eruptions")
    assert make_args("--data", faithful, "--preset", "modes").preset == ["modes"]  # a preset given wins
    assert make_args("--target", "two-modes").preset == ["2016"]  # a synthetic target keeps the 2016 defaults
