"""Studies: how often does a recipe work? Every run of the study (each preset, with and without
minibatch discrimination under --compare, each --sweep value, each seed) is a member of a
population; the runs that differ only in seed and per-member scalars train together in one graph
(gan1d/population.py). Finished populations are reused, interrupted ones resumed. The study writes
results.csv (a row per run), summary.md (rates with 95% Wilson intervals, medians with bootstrap
intervals, and which comparisons the intervals support) and study.png (plus sweep.png)."""

import argparse
import itertools
import os
import sys
import time

import numpy as np

from . import files
from .figures import plot_distributions, plot_study, plot_sweep
from .flags import EXIT_INTERRUPTED, OUTPUT_FLAGS, resolve, run_name
from .lazy import tf
from .metrics import (
    ACCURATE_STD_RATIO,
    ACCURATE_W1,
    CONVERGED_OUTSIDE,
    CONVERGED_W1,
    EVAL_POINTS,
    METRIC_NAMES,
    EvalGrid,
    batch_metrics,
    is_accurate,
    is_converged,
    metrics,
    verdict,
)
from .monitor import StopRequest, evaluate_grid
from .population import PER_MEMBER, train_population
from .stats import comparisons, configuration_table
from .target import Target

STUDY_METRICS = [m for m in METRIC_NAMES if m != "kde_nll"]  # the KDE costs 0.1 s a run: single runs only


def study_runs(args):
    """Every run of the study, each a full set of settings: preset x minibatch x sweep values x seed."""
    minibatch = [False, True] if args.compare else [args._raw.minibatch]  # None: resolve takes each preset's
    swept = [[(dest, v) for v in values] for dest, values in args.sweep]
    runs = []
    for preset, mb, combo in itertools.product(args.preset, minibatch, itertools.product(*swept)):
        for seed in range(args.seed, args.seed + args.seeds):
            values = {**vars(args._raw), "preset": [preset], "minibatch": mb, "seed": seed, **dict(combo)}
            explicit = args._explicit | {"minibatch"} | {dest for dest, _ in combo}
            run_args = resolve(argparse.Namespace(**values), args._defaults)
            run_args.update(quiet=True, sweep=[], run_name=run_name(explicit, run_args))
            run = argparse.Namespace(**run_args)
            run._swept = dict(combo)
            runs.append(run)
    return runs


def study_dir(args):
    skip = {"minibatch"} if args.compare else set()
    base = run_name(args._explicit, vars(args), with_seed=False, skip=skip).replace(",", "+")
    swept = "".join(f"_{dest.replace('_', '-')}-{'+'.join(map(str, values))}" for dest, values in args.sweep)
    return os.path.join(args.out_dir, f"study_{base}{swept}_seeds-{args.seed}-{args.seed + args.seeds - 1}")


def shared_settings(run):
    """The settings a population's members share: all but the seed and the per-member scalars."""
    skip = set(PER_MEMBER) | OUTPUT_FLAGS | {"sweep", "run_name"}
    return {k: v for k, v in vars(run).items() if k not in skip and not k.startswith("_")}


def populations(runs, explicit):
    """{folder name: [runs]}: runs that share their settings train together; explicit: the flags given."""
    groups = {}
    for run in runs:
        key = repr(sorted(shared_settings(run).items()))
        groups.setdefault(key, []).append(run)
    named = {}
    for members in groups.values():
        first = members[0]
        graph_swept = {k for k in first._swept if k not in PER_MEMBER}
        named[run_name(explicit | {"minibatch"} | graph_swept, vars(first), with_seed=False)] = members
    return named


def settings_record(members):
    """What a population was trained with: compared before a finished one is reused."""
    shared = shared_settings(members[0])
    per_member = [[m.seed, *(getattr(m, k) for k in PER_MEMBER)] for m in members]
    return files.json_safe({"shared": shared, "members": per_member})


def run_study(args, tutorial, stop_event=None):
    """Trains every population of the study (or reuses it), then writes the study's files."""
    folder = study_dir(args)
    os.makedirs(folder, exist_ok=True)
    runs = study_runs(args)
    groups = populations(runs, args._explicit)
    print(f"study: {len(runs)} runs in {len(groups)} population(s), in {folder}")
    started, results, interrupted = time.time(), [], False
    bar = StudyProgress(sum(m[0].num_steps for m in groups.values()))
    with StopRequest(stop_event) as stop:
        for name, members in groups.items():
            bar.begin(name, len(members))
            outcome = population_outcome(args, tutorial, os.path.join(folder, name), members, stop, bar)
            results += outcome["results"]
            interrupted |= outcome["status"] == "interrupted"
            bar.end(name, outcome)
    bar.close()
    targets = {name: Target.of(members[0]) for name, members in groups.items()}
    write_study(folder, args, results, time.time() - started, lambda row: targets[row["population"]])
    if interrupted:
        print("study interrupted: run the same command again to finish it (finished populations are kept)")
        return EXIT_INTERRUPTED
    if args.plot_seeds:
        draw_seeds(tutorial, folder, groups, args.plot_seeds)
    return 0


def population_outcome(args, tutorial, folder, members, stop, bar):
    """A finished population's results read back if its settings match, else trained (or resumed)."""
    record = settings_record(members)
    summary = files.read_summary(folder, STUDY_METRICS)
    if summary is not None and summary.get("settings") == record and not args.overwrite:
        bar.update(members[0].num_steps)
        return {"status": "completed", "results": summary["results"], "reused": True}
    files.prepare_run_dir(folder, resume=True, overwrite=args.overwrite)  # a checkpoint left is resumed
    started = time.time()
    trained = train_population(tutorial, members[0], members, folder, stop, bar.update, args.jobs)
    results = member_results(members, trained, os.path.basename(folder))
    seconds = round(time.time() - started, 3)
    if trained["status"] == "completed":
        files.write_npy(os.path.join(folder, "samples.npy"), trained["samples"].astype(np.float32))
        files.write_atomic(os.path.join(folder, "weights.npz"), lambda f: np.savez(f, **trained["weights"]))
        summary = {"status": "completed", "seconds": seconds, "settings": record, "results": results}
        files.write_json(os.path.join(folder, "summary.json"), summary)
    return {"status": trained["status"], "results": results, "seconds": seconds}


def member_results(members, trained, population):
    """A row per member: its settings that vary, status, final metrics and verdict."""
    samples = trained["samples"]
    finite = np.all(np.isfinite(samples), axis=1)
    m0 = members[0]
    target = Target.of(m0)
    scores = batch_metrics(samples, EvalGrid(target, m0.noise_range, m0.minibatch_group))
    rows = []
    for i, member in enumerate(members):
        diverged = trained["diverged"][i]
        if diverged is None and not finite[i]:  # the losses stayed finite, the final samples did not
            diverged = trained["step"]
        status = "diverged" if diverged is not None else trained["status"]
        row = {"preset": member.preset[0], "minibatch": member.minibatch, **member._swept, "seed": member.seed}
        row.update(status=status, steps=trained["step"], diverged_step=diverged, population=population, member=i)
        row["modes"] = target.modes
        row.update({name: float(scores[name][i]) for name in STUDY_METRICS})
        row["verdict"], row["verdict_reason"] = verdict(status, row, target, diverged)
        rows.append(row)
    return rows


class StudyProgress:
    """One bar for the whole study on a terminal (steps of every population); elsewhere a line per population."""

    def __init__(self, total):
        self.bar = None
        if sys.stdout.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", dynamic_ncols=True)

    def begin(self, name, size):
        if self.bar is not None:
            self.bar.set_description_str(f"{name} ({size} seeds)")
        self.started = time.time()

    def update(self, steps):
        if self.bar is not None:
            self.bar.update(steps)

    def end(self, name, outcome):
        rs = outcome["results"]
        converged = sum(is_converged(r) for r in rs)
        how = "from disk" if outcome.get("reused") else f"{time.time() - self.started:.1f} s"
        line = f"{name}: {len(rs)} runs, {converged} converged, {sum(is_accurate(r) for r in rs)} accurate ({how})"
        if outcome["status"] == "interrupted":
            line = f"{name}: interrupted at step {rs[0]['steps'] if rs else 0}"
        if self.bar is not None:
            self.bar.write(line)
        else:
            print(line, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def write_study(folder, args, results, wall_seconds, target_of):
    swept = [dest for dest, _ in args.sweep]
    columns = ["preset", "minibatch", *swept, "seed", "status", "steps", "diverged_step", "verdict"]
    files.write_csv(os.path.join(folder, "results.csv"), results, columns + STUDY_METRICS + ["population"])
    keys = ["preset", "minibatch", *swept]
    table, groups = configuration_table(results, keys)
    text = (
        f"# Study: {len(results)} runs\n\nThis invocation: {wall_seconds:.0f} s.\n\n{table}\n\n"
        f"{comparisons(groups, keys)}\n\n{definitions()}"
    )
    files.write_text(os.path.join(folder, "summary.md"), text)
    plot_study(os.path.join(folder, "study.png"), groups, keys, SavedSamples(folder), target_of)
    if 1 <= len(swept) <= 2:
        plot_sweep(os.path.join(folder, "sweep.png"), groups, keys)
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


def draw_seeds(tutorial, folder, groups, seeds):
    """The distributions figure of chosen seeds, from each population's saved final weights: no retraining."""
    for name, members in groups.items():
        saved = np.load(os.path.join(folder, name, "weights.npz"))
        for i, member in enumerate(members):
            if member.seed not in seeds:
                continue
            with tf.Graph().as_default():
                tf.set_random_seed(member.seed)  # the initial weights are replaced, but determinism wants a seed
                model = tutorial.GAN(member)
                grid = EvalGrid(Target.of(member), member.noise_range, member.minibatch_group)
                with tf.Session(config=tutorial.session_config()) as session:
                    session.run(model.init)
                    for v in model.d_params + model.g_params + list(model.ema.values()):
                        v.load(saved[v.op.name][i].reshape(v.shape), session)
                    samples, decision, _ = evaluate_grid(session, model, grid)
            final = metrics(samples, grid)
            judged = verdict("completed", final, grid.target)
            out = os.path.join(folder, name, f"seed-{member.seed}")
            os.makedirs(out, exist_ok=True)
            note = (
                f"seed {member.seed}, step {member.num_steps}\nw1 {final['w1']:.3f}  std ratio {final['std_ratio']:.2f}"
            )
            plot_distributions(os.path.join(out, "distributions.png"), samples, decision, grid, note, judged)
