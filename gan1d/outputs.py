"""What a run or a population ends with (`Outcome`, one shape for both), each member's final
metrics and verdict, and the files they write with the same writers: samples.npy, metrics.csv,
summary.json and the distributions figure; a single run also its training figure, a population
its weights.npz and the figures of chosen seeds (docs/run-folder.md)."""

import math
import os
from typing import NamedTuple

import numpy as np

from . import files
from .figures import plot_distributions, plot_training
from .metrics import EVAL_POINTS, METRIC_NAMES, batch_metrics, metrics, verdict

ROW_COLUMNS = ["step", "loss_d", "loss_g", "lr_d", "lr_g", *METRIC_NAMES]  # "elapsed" stays out: it varies
STUDY_METRICS = [m for m in METRIC_NAMES if m != "kde_nll"]  # the KDE costs 0.1 s a run: single runs only


class Outcome(NamedTuple):
    """The end of training, per member (N = 1 for a single run)."""

    statuses: list  # (status, step reached) each
    diverged_step: list  # the step each diverged at, or None
    kept_step: list  # the step whose weights each ends with under --keep-best, or None
    samples: np.ndarray  # (N, n): G on the grid's noise, with the weights each ends with
    decision: np.ndarray  # (N, n): D on the grid's x
    last_finite: list  # (step, samples) of each member's last finite evaluation, or None
    rows: list  # every evaluation's row (a population's with member and seed)
    weights: dict  # {variable name: (N, ...)} the weights each ends with
    grid: object  # the evaluation grid (gan1d/metrics.py)
    training_seconds: float  # pretraining, training and evaluations


class Judged(NamedTuple):
    """One member's end: its status, steps, divergence step, final samples and decision boundary
    (None after divergence), final metrics and verdict (label, reason)."""

    status: str
    steps: int
    diverged_step: object
    samples: np.ndarray
    decision: object
    final: dict
    verdict: tuple


def judge_run(outcome):
    """A single run's end: after divergence its last finite samples with NaN metrics, else its
    final samples' metrics with the KDE."""
    (status, steps), diverged = outcome.statuses[0], outcome.diverged_step[0]
    if status == "diverged":
        _, samples = outcome.last_finite[0] or (0, np.full(EVAL_POINTS, np.nan))
        final, decision = {name: math.nan for name in METRIC_NAMES}, None
    else:
        samples, decision = outcome.samples[0], outcome.decision[0]
        final = metrics(samples, outcome.grid, with_kde=True)
    return Judged(
        status, steps, diverged, samples, decision, final, verdict(status, final, outcome.grid.target, diverged)
    )


def judge_members(outcome):
    """Each member of a population on its final samples (without the KDE); a member whose losses
    stayed finite but whose final samples did not diverged at its last step."""
    scores = batch_metrics(outcome.samples, outcome.grid)
    judged = []
    for i, (status, steps) in enumerate(outcome.statuses):
        diverged = outcome.diverged_step[i] if status == "diverged" else None
        if diverged is None and not np.all(np.isfinite(outcome.samples[i])):
            status, diverged = "diverged", steps
        final = {name: float(scores[name][i]) for name in STUDY_METRICS}
        judged.append(
            Judged(status, steps, diverged, outcome.samples[i], outcome.decision[i], final,
                   verdict(status, final, outcome.grid.target, diverged))
        )  # fmt: skip
    return judged


def distributions_note(j, last_finite_step, note=""):
    """The figure's note: where the samples come from, and their w1 and std ratio."""
    if j.status == "diverged":
        text = f"diverged at step {j.diverged_step}; last finite: step {last_finite_step}"
    else:
        text = note or f"step {j.steps}, {j.status}"
    if math.isfinite(j.final["w1"]):
        text += f"\nw1 {j.final['w1']:.3f}  std ratio {j.final['std_ratio']:.2f}"
    return text


def write_common(folder, samples, rows, columns, summary, weights=None):
    """What every run folder holds: its final samples, its evaluations and its summary; and a
    population's, its members' weights."""
    if weights is not None:
        files.write_atomic(os.path.join(folder, "weights.npz"), lambda f: np.savez(f, **weights))
    files.write_csv(os.path.join(folder, "metrics.csv"), rows, columns)
    files.write_npy(os.path.join(folder, "samples.npy"), np.asarray(samples).astype(np.float32))
    files.write_json(os.path.join(folder, "summary.json"), summary)


def write_run(run_dir, outcome, config, wall_seconds):
    """A single run's files; returns its summary."""
    j = judge_run(outcome)
    kept = outcome.kept_step[0]
    last_step = (outcome.last_finite[0] or (0, None))[0]
    note = f"best w1 kept: step {kept}" if kept is not None else ""
    path = os.path.join(run_dir, "distributions.png")
    plot_distributions(path, j.samples, j.decision, outcome.grid, distributions_note(j, last_step, note), j.verdict)
    if outcome.rows:
        plot_training(os.path.join(run_dir, "training.png"), outcome.rows)
    summary = {
        "status": j.status,
        "steps": j.steps,
        "diverged_step": j.diverged_step,
        "best_step": kept,
        "wall_seconds": round(wall_seconds, 3),
        "training_seconds": round(outcome.training_seconds, 3),
        "verdict": j.verdict[0],
        "verdict_reason": j.verdict[1],
        **j.final,
        "config": config,
    }
    write_common(run_dir, j.samples, outcome.rows, ROW_COLUMNS, summary)
    return summary


def population_results(outcome, runs, population):
    """A row per member of a population: the settings that vary, status, final metrics and verdict."""
    rows = []
    for i, (run, j) in enumerate(zip(runs, judge_members(outcome), strict=True)):
        member = run.settings
        row = {"preset": member.preset[0], "minibatch": member.minibatch, **run.swept, "seed": member.seed}
        row.update(status=j.status, steps=j.steps, diverged_step=j.diverged_step, population=population, member=i)
        row["modes"] = outcome.grid.target.modes
        row.update(j.final)
        row["verdict"], row["verdict_reason"] = j.verdict
        rows.append(row)
    return rows


def write_population(folder, outcome, results, record, seconds):
    """A finished population's files: those of every run folder, and its members' weights."""
    summary = {"status": "completed", "seconds": seconds, "settings": record, "results": results}
    write_common(folder, outcome.samples, outcome.rows, ["member", "seed", *ROW_COLUMNS], summary, outcome.weights)


def seed_figure(folder, seed):
    return os.path.join(folder, f"seed-{seed}", "distributions.png")


def draw_seeds(folder, runs, outcome, seeds):
    """The distributions figure of chosen seeds of a population, from its own final evaluation."""
    for i, run in enumerate(runs):
        seed = run.settings.seed
        if seed not in seeds:
            continue
        samples = outcome.samples[i]
        final = metrics(samples, outcome.grid)
        judged = verdict("completed", final, outcome.grid.target)
        os.makedirs(os.path.dirname(seed_figure(folder, seed)), exist_ok=True)
        note = f"seed {seed}, step {run.settings.num_steps}\nw1 {final['w1']:.3f}  std ratio {final['std_ratio']:.2f}"
        plot_distributions(seed_figure(folder, seed), samples, outcome.decision[i], outcome.grid, note, judged)
