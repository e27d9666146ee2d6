"""Studies: how often does a recipe work? Every run of the study (each preset, with and without
minibatch discrimination under --compare, each --sweep value, each seed) is a member of a
population; the runs that differ only in seed and per-member scalars train together in one graph
(gan1d/population.py). Finished populations are reused, interrupted ones resumed. The study writes
results.csv (a row per run), summary.md (rates with 95% Wilson intervals, medians with bootstrap
intervals, and which comparisons the intervals support) and study.png (plus sweep.png)."""

import itertools
import os
import sys
import time
import zipfile
from typing import NamedTuple

import numpy as np

from . import files, outputs, plan, runner, search
from .figures import plot_search, plot_study, plot_sweep
from .flags import EXIT_INTERRUPTED, OUTPUT_FLAGS, PER_MEMBER, STUDY_ONLY
from .metrics import (
    ACCURATE_STD_RATIO,
    ACCURATE_W1,
    CONVERGED_OUTSIDE,
    CONVERGED_W1,
    EVAL_POINTS,
    is_accurate,
    is_converged,
    is_success,
)
from .monitor import StopRequest
from .names import run_name, study_dir
from .outputs import STUDY_METRICS
from .stats import Summaries, comparisons, configuration_table, ranking_table
from .target import Target


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
    """The columns that name a configuration of the study: the target last among them."""
    targets = ["target"] if len(args.target or []) > 1 else []
    return ["preset", "minibatch", *[dest for dest, _ in args.sweep], *targets]


def shared_settings(run):
    """The settings a population's members share: all but the seed and the per-member scalars."""
    skip = set(PER_MEMBER) | OUTPUT_FLAGS | STUDY_ONLY | {"run_name", "given", "in_study"}
    return {k: v for k, v in vars(run).items() if k not in skip}


def populations(runs, given):
    """{folder name: [StudyRun]}: runs that share their settings train together; given: the flags given."""
    groups = {}
    for run in runs:
        key = repr(sorted(shared_settings(run.settings).items()))
        groups.setdefault(key, []).append(run)
    named = {}
    for members in groups.values():
        first = members[0]
        graph_swept = {k for k in first.swept if k not in PER_MEMBER}
        named[run_name(set(given) | {"minibatch"} | graph_swept, vars(first.settings), with_seed=False)] = members
    return named


def settings_record(members):
    """What a population was trained with: compared before a finished one is reused."""
    shared = shared_settings(members[0])
    per_member = [[m.seed, *(getattr(m, k) for k in PER_MEMBER)] for m in members]
    return files.json_safe({"shared": shared, "members": per_member})


def run_study(args, settings, tutorial, stop_event=None):
    """Trains every population of the study (or reuses it), then writes the study's files.
    settings(given, in_study=True) resolves a study run's flags; tutorial: what gan.py hands the
    run machinery (gan1d/runner.py)."""
    folder = study_dir(args)
    count = plan.configurations(args) * args.seeds
    print(f"study: {count} runs ({plan.configurations(args)} configurations x {args.seeds} seeds), in {folder}")
    plan.check_size(args)
    os.makedirs(folder, exist_ok=True)
    groups = plan.split(populations(study_runs(args, settings), args.given))
    print(f"{len(groups)} population(s), trained one after another:\n{plan.describe(groups)}", flush=True)
    started, results, interrupted = time.time(), [], False
    bar = StudyProgress(sum(m[0].settings.num_steps for m in groups.values()))
    with StopRequest(stop_event) as stop, files.announcing_to(bar.say):
        for name, members in groups.items():
            bar.begin(name, len(members))
            outcome = population_outcome(args, tutorial, os.path.join(folder, name), members, stop, bar)
            results += outcome["results"]
            interrupted |= outcome["status"] == "interrupted"
            bar.done(name, outcome)
    bar.close()
    targets = {name: Target.of(members[0].settings) for name, members in groups.items()}
    write_study(folder, args, results, time.time() - started, lambda row: targets[row["population"]])
    if interrupted:
        print("study interrupted: run the same command again to finish it (finished populations are kept)")
        return EXIT_INTERRUPTED
    return 0


def population_outcome(args, tutorial, folder, runs, stop, bar):
    """A finished population's results read back if its settings match, else trained (or resumed);
    the chosen seeds' figures drawn from its final weights."""
    members = [r.settings for r in runs]
    record = settings_record(members)
    name = os.path.basename(folder)
    saved = None if args.overwrite else saved_population(folder, record)
    if saved is not None:
        bar.update(members[0].num_steps)
        drawn = [m for m in members if m.seed in args.plot_seeds]
        if drawn and not all(os.path.exists(outputs.seed_figure(folder, m.seed)) for m in drawn):
            evaluated = runner.train_in(folder, members, tutorial, stop, bar, saved["weights"])
            outputs.draw_seeds(folder, runs, evaluated, args.plot_seeds)
        return {"status": "completed", "results": saved["results"], "reused": True}
    files.prepare_run_dir(folder, resume=True, overwrite=args.overwrite)  # a checkpoint left is resumed
    started = time.time()
    trained = runner.train_in(folder, members, tutorial, stop, bar)
    results = outputs.population_results(trained, runs, name)
    seconds = round(time.time() - started, 3)
    status = "interrupted" if any(s == "interrupted" for s, _ in trained.statuses) else "completed"
    if status == "completed":
        outputs.write_population(folder, trained, results, record, seconds)
        outputs.draw_seeds(folder, runs, trained, args.plot_seeds)
    return {"status": status, "results": results, "seconds": seconds}


def saved_population(folder, record):
    """A finished population's summary and weights, if both read back whole and match record; a
    damaged file is reported, and the population trained again."""
    summary = files.read_summary(folder, STUDY_METRICS)
    if summary is None or summary.get("settings") != record or summary.get("status") != "completed":
        if os.path.exists(os.path.join(folder, "summary.json")) and summary is None:
            print(f"{os.path.join(folder, 'summary.json')} is damaged: training this population again")
        return None
    try:
        with np.load(os.path.join(folder, "weights.npz"), allow_pickle=False) as npz:
            weights = [npz[name] for name in npz.files]
        results = summary["results"]
        if len(results) != len(record["members"]) or not all(isinstance(r, dict) and "w1" in r for r in results):
            raise ValueError("results")
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as error:
        print(f"{folder} holds a damaged finished population ({type(error).__name__}): training it again")
        return None
    return {"results": results, "weights": weights}


class StudyProgress:
    """One bar for the whole study on a terminal (steps of every population); elsewhere a line per
    population. Each population's monitor reports to it as a single run's reports to its Progress."""

    clock = None

    def __init__(self, total):
        self.bar, self.offset, self.reached = None, 0, 0
        if sys.stdout.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", dynamic_ncols=True)

    def begin(self, name, size):
        if self.bar is not None:
            self.bar.set_description_str(f"{name} ({size} seeds)")
        self.started, self.offset, self.reached = time.time(), self.offset + self.reached, 0

    def start(self, step):
        self.update(step)

    def update(self, step):
        """The population in hand has reached step."""
        if self.bar is not None:
            self.bar.update(step - self.reached)
        self.reached = step

    def say(self, message):
        if self.bar is not None:
            self.bar.write(message)
        else:
            print(message, flush=True)

    def end(self):
        """A population's training is over; done() reports it."""

    def done(self, name, outcome):
        rs = outcome["results"]
        converged = sum(is_converged(r) for r in rs)
        how = "from disk" if outcome.get("reused") else f"{time.time() - self.started:.1f} s"
        line = f"{name}: {len(rs)} runs, {converged} converged, {sum(is_accurate(r) for r in rs)} accurate ({how})"
        if outcome["status"] == "interrupted":
            line = f"{name}: interrupted at step {rs[0]['steps'] if rs else 0}"
        self.say(line)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def write_study(folder, args, results, wall_seconds, target_of):
    swept = [dest for dest, _ in args.sweep]
    keys = study_keys(args)
    columns = [*keys, "seed", "status", "steps", "diverged_step", "verdict", "success", "modes"]
    for row in results:
        row["success"] = int(is_success(row))
    files.write_csv(os.path.join(folder, "results.csv"), results, columns + STUDY_METRICS + ["population", "member"])
    summaries = Summaries(results)  # each configuration summarised once, for every table and figure
    table = configuration_table(summaries, keys)
    drawn = [k for k in keys if k != "target"]  # a configuration pools its targets' runs
    ranked = ranking_table(summaries, drawn, args.score) if args.search else ""
    text = (
        f"# Study: {len(results)} runs\n\nThis invocation: {wall_seconds:.0f} s.\n\n{ranked}{table}\n\n"
        f"{comparisons(summaries, keys)}\n\n{definitions()}"
    )
    files.write_text(os.path.join(folder, "summary.md"), text)
    plot_study(os.path.join(folder, "study.png"), summaries, keys, SavedSamples(folder), target_of)
    if args.search:
        plot_search(os.path.join(folder, "search.png"), summaries, drawn, args.sweep)
    elif 1 <= len(swept) <= 2:
        plot_sweep(os.path.join(folder, "sweep.png"), summaries, keys)
    print(text)


class SavedSamples:
    """A run's final samples, read from its population's samples.npy (each file read once)."""

    def __init__(self, folder):
        self.folder, self.loaded = folder, {}

    def __call__(self, row):
        name = row["population"]
        if name not in self.loaded:
            path = os.path.join(self.folder, name, "samples.npy")
            self.loaded[name] = np.load(path) if os.path.exists(path) else None
        samples = self.loaded[name]
        return None if samples is None else samples[row["member"]]


def definitions():
    low, high = ACCURATE_STD_RATIO
    return (
        f"- converged: finished (not diverged), w1 <= {CONVERGED_W1} and outside_fraction <= {CONVERGED_OUTSIDE:.0%}"
        " (samples beyond mu +- 4 sigma)\n"
        f"- accurate: finished, w1 <= {ACCURATE_W1} and {low} <= std_ratio <= {high}\n"
        "- [a, b] after a count: its 95% Wilson interval (scipy.stats.binomtest(k, n).proportion_ci)\n"
        "- w1 median [a, b]: 95% percentile bootstrap interval of the median (scipy.stats.bootstrap, 2,000 "
        "resamples), a diverged run counting as infinitely far\n"
        f"- metrics on {EVAL_POINTS:,} generated samples, once, at the end of each run\n"
    )
