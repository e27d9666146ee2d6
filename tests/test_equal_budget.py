"""The equal-budget study's protocol (studies/protocol.py) and report: every command it runs
parses as gan.py would parse it and draws the same budget for every method; the best
configuration is the ranking's first; the report's tables count what its rows hold."""

import os
import sys

from conftest import ROOT, gan

sys.path.insert(0, os.path.join(ROOT, "studies"))

import equal_budget  # noqa: E402
import protocol  # noqa: E402
import report  # noqa: E402

from gan1d import files, plan, search, study  # noqa: E402


def test_every_method_gets_the_same_search_over_the_shared_ranges_first():
    shared = None
    for method in protocol.METHODS:
        args = gan.parse_args(equal_budget.search_command(method, "/tmp/unused"))
        assert args.search == protocol.SEARCH and args.seeds == protocol.TUNING_SEEDS[1]
        assert args.target == protocol.TUNING_TARGETS and args.r1 == 0.0 and args.preset == ["robust"]
        assert plan.configurations(args) == protocol.SEARCH * len(protocol.TUNING_TARGETS)
        draws = search.configurations(args)
        first = [{k: c[k] for k in ("learning_rate", "beta1", "g_input_scale", "d_steps", "batch_size")} for c in draws]
        shared = shared or first
        assert first == shared, method  # the same shared values for every method: one sequence, one seed
        assert len(study.study_runs(args, gan.flag_parser().settings)) == 128


def test_a_held_out_command_runs_the_chosen_values_on_every_target_and_held_out_seed():
    best = {
        "learning_rate": 0.00821,
        "beta1": 0.122,
        "g_input_scale": 0.219,
        "d_steps": 5,
        "batch_size": 64,
        "gp": 12.5,
    }
    args = gan.parse_args(equal_budget.held_out_command("wgan-gp", best, "/tmp/unused"))
    assert (args.learning_rate, args.beta1, args.g_input_scale, args.d_steps, args.batch_size, args.gp) == (
        0.00821, 0.122, 0.219, 5, 64, 12.5)  # fmt: skip
    assert args.loss == "wgan" and args.beta2 == 0.9
    assert args.sampler == protocol.SAMPLERS  # every sampler reads every held-out population
    if equal_budget.kept("wgan-gp", "held-out"):  # the first protocol's rows are kept: the added targets alone
        assert args.target == protocol.ADDED_TARGETS and "held-out-added" in args.out_dir
        args = gan.parse_args(
            equal_budget.held_out_command("dmwgan", {**best, "classifier_weight": 1.0}, "/tmp/unused")
        )
        assert args.generators == 6 and args.classifier_weight == 1.0 and args.loss == "logits"
        return
    assert args.target == protocol.TUNING_TARGETS + protocol.HELD_OUT_TARGETS
    first, count = protocol.HELD_OUT_SEEDS
    assert (args.seed, args.seeds) == (first, count) and first >= sum(protocol.TUNING_SEEDS)
    assert set(protocol.HELD_OUT_TARGETS).isdisjoint(protocol.TUNING_TARGETS)


def search_rows(successes):
    """A finished search's rows: per configuration (learning rate, successes on one mode, on two
    modes), 4 seeds on each tuning target."""
    rows = []
    for i, (lr, ok_one, ok_two) in enumerate(successes):
        for target, ok in (("one-mode", ok_one), ("two-modes", ok_two)):
            for seed in range(4):
                good = seed < ok
                rows.append({"learning_rate": lr, "beta1": 0.5, "g_input_scale": 0.25, "d_steps": 1, "batch_size": 64,
                             "target": target, "seed": seed, "status": "completed", "w1": 0.02 if good else 0.4 + i,
                             "std_ratio": 1.0, "outside_fraction": 0.0, "ks": 0.1, "modes": 1 if target == "one-mode" else 2,
                             "separated": float(good), "modes_captured": 2, "high_quality": 1, "gap_mass": 0,
                             "success": int(good)})  # fmt: skip
    return rows


def write_search(folder, method):
    """A finished search of two configurations: the first succeeds 5 times of 8, the second 4 times,
    3 of them on two modes."""
    rows = search_rows([(0.001, 4, 1), (0.002, 1, 3)])
    path = os.path.join(folder, "search", method, "study_x", "results.csv")
    os.makedirs(os.path.dirname(path))
    files.write_csv(path, rows, list(rows[0]))


def test_the_best_overall_and_the_best_for_mixtures_are_the_rankings_first(tmp_path):
    write_search(tmp_path, "non-saturating")
    overall = equal_budget.best_configuration("non-saturating", str(tmp_path), protocol.TUNING_TARGETS)
    mixtures = equal_budget.best_configuration("non-saturating", str(tmp_path), ["two-modes"])
    assert overall["learning_rate"] == 0.001
    assert mixtures["learning_rate"] == 0.002 and mixtures["d_steps"] == 1 and isinstance(mixtures["d_steps"], int)
    assert protocol.separates(equal_budget.search_rows("non-saturating", str(tmp_path)))


def test_the_report_counts_successes_and_picks_the_mixture_recipe_on_the_tuning_target_only():
    def rows(k_two, k_near):
        out = []
        for target, k in (("two-modes", k_two), ("near-modes", k_near)):
            out += [{"target": target, "status": "completed", "w1": 0.03 if s < k else 0.5, "std_ratio": 1.0,
                     "outside_fraction": 0.0, "ks": 0.1, "modes": 2, "separated": float(s < k), "modes_captured": 2,
                     "high_quality": 1.0, "gap_mass": 0.0} for s in range(20)]  # fmt: skip
        return out

    cells = {m: {t: report.cell([r for r in rows(a, b) if r["target"] == t]) for t in ("two-modes", "near-modes")}
             for m, (a, b) in {"non-saturating": (2, 20), "minibatch": (15, 0), "r1": (14, 20)}.items()}  # fmt: skip
    assert (cells["minibatch"]["two-modes"]["k"], cells["minibatch"]["two-modes"]["n"]) == (15, 20)
    assert cells["minibatch"]["two-modes"]["ci"][0] > cells["non-saturating"]["two-modes"]["ci"][1]
    assert report.mixture_recipe(cells) == "minibatch"  # near-modes, held out, does not count
    lines = report.against(cells, ["two-modes", "near-modes"]).splitlines()
    assert "above it, intervals apart: minibatch, r1; below it: none" in lines[0]
    assert "below it: minibatch." in lines[1]
    assert "Median w1 below its 0.030, intervals apart: none; above it: minibatch." in lines[1]


def test_a_method_whose_best_on_two_modes_is_its_best_overall_is_a_mixture_selection_without_a_rerun(tmp_path):
    os.makedirs(tmp_path / "search")
    searches = {"dmwgan": [(0.001, 4, 3), (0.002, 1, 1)], "mgan": [(0.001, 4, 1), (0.002, 1, 3)],
                "minimax": [(0.001, 4, 0), (0.002, 1, 0)]}  # fmt: skip
    for method, successes in searches.items():
        rows = search_rows(successes)
        files.write_csv(str(tmp_path / "search" / f"{method}.csv"), rows, list(rows[0]))
    held_out = {m: {"two-modes": {"k": 18, "n": 20, "w1": 0.1}} for m in searches}
    mixtures = {"modes-before": {"two-modes": {"k": 18, "n": 20, "w1": 0.2}}}
    chosen = report.mixture_selections(mixtures, held_out, str(tmp_path))
    # dmwgan: one best for both, rerun once; mgan: another best on two modes (its own rerun, not
    # here); minimax separated no tuning run
    assert list(chosen) == ["modes-before", "dmwgan"] and chosen["dmwgan"] is held_out["dmwgan"]
    assert report.mixture_recipe(chosen) == "dmwgan"  # 18/20 each, the lower median w1


def test_the_incumbent_is_the_modes_preset_as_it_was_and_runs_on_every_held_out_target():
    args = gan.parse_args(equal_budget.held_out_command("modes-before", None, "/tmp/unused", "held-out-mixtures"))
    assert (args.minibatch, args.minibatch_group, args.d_init, args.d_steps, args.batch_size, args.r1) == (
        True, 16, 0.3, 3, 256, 0.1)  # fmt: skip
    assert (args.g_input_scale, args.g_start_slope, args.learning_rate, args.decay_rate) == (1.0, 1.0, 0.012, 0.9)
    assert (args.num_steps, args.decay_steps, args.optimizer, args.g_start) == (3000, 300, "adam", "spread")
    assert args.target == protocol.ADDED_TARGETS  # its rows on the first targets are kept in docs/equal-budget/
    assert args.out_dir.endswith(os.path.join("held-out-mixtures-added", "modes-before"))
    robust = gan.parse_args(equal_budget.held_out_command("robust", None, "/tmp/unused", "held-out"))
    assert robust.preset == ["robust"] and robust.r1 == 0.1 and robust.seed == protocol.HELD_OUT_SEEDS[0]


def test_the_modes_preset_is_the_mixture_recipe_the_kept_results_choose():
    """The rule of docs/equal-budget.md on the results files kept in docs/equal-budget/: the mixture
    selection that separates the two-mode target's held-out seeds most often is deligan's, and
    --preset modes is its held-out command's training, flag for flag."""
    targets = protocol.TUNING_TARGETS + protocol.HELD_OUT_TARGETS
    mixtures = report.held_out_cells([*protocol.METHODS, "modes-before"], targets, protocol.DOCS, "held-out-mixtures")
    held_out = report.held_out_cells(list(protocol.METHODS), targets, protocol.DOCS)
    assert report.mixture_recipe(report.mixture_selections(mixtures, held_out, protocol.DOCS)) == "deligan"
    best = equal_budget.best_configuration("deligan", "/tmp/unused", ["two-modes"])  # from the kept search rows
    rerun = vars(gan.parse_args(equal_budget.held_out_command("deligan", best, "/tmp/unused", "held-out-mixtures")))
    preset = vars(gan.parse_args(["--preset", "modes"]))
    # what is trained on, where it is written, and how a study runs it (compiled, evaluated at its end)
    shown = ["preset", "target", "mu", "sigma", "weights", "seed", "seeds", "sampler", "plot_seeds", "out_dir"]
    where = {*shown, "run_name", "given", "xla", "eval_every"}
    assert {k: v for k, v in rerun.items() if k not in where} == {k: v for k, v in preset.items() if k not in where}
