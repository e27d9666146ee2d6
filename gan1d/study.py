"""Studies: how often does a recipe work? Every run of the study (each preset, with and without
minibatch discrimination under --compare, each --sweep value, each seed) is a member of a
population; the runs that differ only in seed and per-member scalars train together in one graph
(gan1d/population.py). Finished populations are reused, interrupted ones resumed. The study writes
results.csv (a row per run), summary.md (rates with 95% Wilson intervals, medians with bootstrap
intervals, and which comparisons the intervals support) and study.png (plus sweep.png)."""

import itertools
import os
import time
from typing import NamedTuple

from . import cluster, files, folder, plan, search
from .figures import plot_gap_bound, plot_search, plot_study, plot_sweep
from .flags import EXIT_FAILED, EXIT_INTERRUPTED
from .metrics import (
    ACCURATE_STD_RATIO,
    ACCURATE_W1,
    CONVERGED_OUTSIDE,
    CONVERGED_W1,
    EVAL_POINTS,
    is_success,
)
from .monitor import StopRequest
from .names import study_dir
from .outputs import STUDY_METRICS
from .progress import StudyProgress
from .samplers import COST_COLUMNS
from .sources import reference_of
from .stats import Summaries, comparisons, configuration_table, ranking_table, sampler_table


class StudyRun(NamedTuple):
    """One run of a study: its full settings, and the swept values that set it apart."""

    settings: object  # a RunConfig (gan1d/settings.py)
    swept: dict


def study_runs(args, settings):
    """Every run of the study, preset x minibatch x target x configuration (the sweep's grid or
    the search's draws) x seed; settings(given, in_study=True) resolves a study run's flags as the
    command line would."""
    crossed = {"preset", "seed", "minibatch", "target"}
    given = {k: getattr(args, k) for k in args.given if k not in crossed}
    minibatch = [False, True] if args.compare else [args.minibatch if "minibatch" in args.given else None]
    targets = args.target or [None]
    runs = []
    for preset, mb, target, drawn in itertools.product(args.preset, minibatch, targets, search.configurations(args)):
        for seed in range(args.seed, args.seed + args.seeds):
            values = {**given, "preset": [preset], "seed": seed, **drawn}
            if mb is not None:
                values["minibatch"] = mb
            if target is not None:
                values["target"] = [target]
            run = settings(values, in_study=True)
            swept = {"target": target, **drawn} if len(targets) > 1 else drawn
            runs.append(StudyRun(run, swept))
    return runs


def study_keys(args):
    """The columns that name a configuration of the study: the sampler, then the target, last among them."""
    targets = ["target"] if len(args.target or []) > 1 else []
    samplers = ["sampler"] if len(args.sampler) > 1 else []
    return ["preset", "minibatch", *[dest for dest, _ in args.sweep], *samplers, *targets]


def run_study(args, settings, tutorial, stop_event=None):
    """Trains every population of the study (or reuses it), in this process or as tasks on a Dask
    cluster (--workers, --scheduler), then writes the study's files. settings(given, in_study=True)
    resolves a study run's flags; tutorial: what gan.py hands the run machinery (gan1d/runner.py)."""
    where = study_dir(args)
    with cluster.Engine(args) as engine:  # an address where no scheduler answers: refused now
        groups = plan.make(args, where, lambda: study_runs(args, settings), engine.memory, engine.workers)
        os.makedirs(where, exist_ok=True)
        started = time.time()
        bar = StudyProgress(sum(m[0].settings.num_steps for m in groups.values()))
        with StopRequest(stop_event) as stop, files.announcing_to(bar.say):
            outcomes = engine.train(tutorial, where, groups, stop, bar)
        bar.close()
    results = [row for outcome in outcomes.values() for row in outcome["results"]]
    targets = {name: reference_of(members[0].settings) for name, members in groups.items()}
    write_study(where, args, results, time.time() - started, lambda row: targets[row["population"]])
    failed = [name for name, outcome in outcomes.items() if outcome["status"] == "failed"]
    if failed:
        print(f"study incomplete: {len(failed)} population(s) failed ({', '.join(failed)}); the rest are kept")
        return EXIT_FAILED
    if any(outcome["status"] == "interrupted" for outcome in outcomes.values()):
        print("study interrupted: run the same command again to finish it (finished populations are kept)")
        return EXIT_INTERRUPTED
    return 0


def write_study(study, args, results, wall_seconds, target_of):
    swept = [dest for dest, _ in args.sweep]
    keys = study_keys(args)
    columns = [
        *keys,
        "seed",
        "status",
        "steps",
        "diverged_step",
        "verdict",
        "success",
        "verdict_free",
        "judged",
        "modes",
        "unit",
    ]
    for row in results:
        row["success"] = int(is_success(row))
    columns += [] if "sampler" in keys else ["sampler"]
    every = columns + STUDY_METRICS + list(COST_COLUMNS) + ["population", "member"]
    files.write_csv(os.path.join(study, "results.csv"), results, every)
    summaries = Summaries(results)  # each configuration summarised once, for every table and figure
    table = configuration_table(summaries, keys)
    drawn = [k for k in keys if k != "target"]  # a configuration pools its targets' runs
    ranked = ranking_table(summaries, drawn, args.score) if args.search else ""
    ranked += sampler_table(summaries, keys) if "sampler" in keys else ""
    text = (
        f"# Study: {len(results)} runs\n\nThis invocation: {wall_seconds:.0f} s.\n\n{ranked}{table}\n\n"
        f"{comparisons(summaries, keys)}\n\n{definitions()}"
    )
    files.write_text(os.path.join(study, "summary.md"), text)
    plot_study(os.path.join(study, "study.png"), summaries, keys, SavedSamples(study), target_of)
    if any(row.get("modes", 1) > 1 for row in results):
        plot_gap_bound(os.path.join(study, "gap.png"), [r for r in results if r["sampler"] == "plain"])
    if args.search:
        plot_search(os.path.join(study, "search.png"), summaries, drawn, args.sweep)
    elif 1 <= len(swept) <= 2:
        plot_sweep(os.path.join(study, "sweep.png"), summaries, keys)
    print(text)


class SavedSamples:
    """A run's final samples, read from its population's samples.npy (each file read once)."""

    def __init__(self, study):
        self.study, self.loaded = study, {}

    def __call__(self, row):
        name = (row["population"], row.get("sampler", "plain"))
        if name not in self.loaded:
            self.loaded[name] = folder.read_samples(os.path.join(self.study, name[0]), name[1])
        samples = self.loaded[name]
        return None if samples is None else samples[row["member"]]


def definitions():
    low, high = ACCURATE_STD_RATIO
    return (
        f"- converged: finished (not diverged), w1 <= {CONVERGED_W1} and outside_fraction <= {CONVERGED_OUTSIDE:.0%}"
        " (samples beyond mu +- 4 sigma)\n"
        f"- accurate: finished, w1 <= {ACCURATE_W1} and {low} <= std_ratio <= {high}\n"
        "- held-out verdict (docs/data.md): indistinguishable, two-sample W1 to the held-out sample within real "
        "data's own 95% spread, or close, one mode's w1 within 0.1 std of real data's and its std ratio within "
        "0.9-1.1, or every mode of the held-out data's KDE captured and its valleys empty; with --data, the "
        "success, converged and accurate read the held-out sample's quantiles, not the truth's\n"
        "- [a, b] after a count: its 95% Wilson interval (scipy.stats.binomtest(k, n).proportion_ci)\n"
        "- w1 median [a, b]: 95% percentile bootstrap interval of the median (scipy.stats.bootstrap, 2,000 "
        "resamples), a diverged run counting as infinitely far\n"
        f"- metrics on {EVAL_POINTS:,} generated samples, once, at the end of each run\n"
    )
