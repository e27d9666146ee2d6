"""What a run or a population ends with (`Outcome`, one shape for both), each member's final
metrics and verdict, and the files they write with the same writers: samples.npy, metrics.csv,
summary.json and the distributions figure; a single run also its training figure, a population
its weights.npz and the figures of chosen seeds (docs/run-folder.md)."""

import math
import os
from typing import NamedTuple

import numpy as np

from . import baselines, folder, judge
from .figures import part_shares, plot_distributions, plot_generator, plot_memorisation, plot_training
from .gap import bound_metrics
from .metrics import EVAL_POINTS, METRIC_NAMES, TUTORIAL_UNIT, batch_metrics, metrics, verdict
from .samplers import costs, plain_drawn

ROW_COLUMNS = ["step", "loss_d", "loss_g", "lr_d", "lr_g", *METRIC_NAMES]  # "elapsed" stays out: it varies
# the KDE costs 0.1 s a run: single runs only
STUDY_METRICS = [m for m in METRIC_NAMES if m != "kde_nll"] + list(judge.FREE_METRICS)


class Outcome(NamedTuple):
    """The end of training, per member (N = 1 for a single run)."""

    statuses: list  # (status, step reached) each
    diverged_step: list  # the step each diverged at, or None
    kept_step: list  # the step whose weights each ends with under --keep-best, or None
    samples: np.ndarray  # (N, n): G on the grid's noise, with the weights each ends with
    slopes: np.ndarray  # (N, n): dG/dz there
    decision: np.ndarray  # (N, n): D on the grid's x
    last_finite: list  # (step, samples) of each member's last finite evaluation, or None
    rows: list  # every evaluation's row (a population's with member and seed)
    weights: dict  # {variable name: (N, ...)} the weights each ends with
    grid: object  # the evaluation grid (gan1d/metrics.py)
    training_seconds: float  # pretraining, training and evaluations
    sampled: dict = {}  # {sampler name: samplers.Drawn}, read after training (none if interrupted)
    index: object = None  # (N, n): a mixture's generator or latent component of each sample (gan1d/mixture.py)


class Judged(NamedTuple):
    """One member's end: its status, steps, divergence step, final samples (the sampler's) and
    decision boundary (None after divergence), final metrics and verdict (label, reason): the
    truth's, or without it the held-out data's; the sampler that drew the samples and its cost
    columns; and the held-out data's verdict, also where the truth is known."""

    status: str
    steps: int
    diverged_step: object
    samples: np.ndarray
    decision: object
    final: dict
    verdict: tuple
    sampler: str = "plain"
    costs: dict = {}
    free_verdict: tuple = (None, None)


def judged_by(grid):
    """What a run's verdict reads: the truth, or (a data file) the held-out data."""
    return "truth" if grid.reference.exact else "held-out"


def verdicts(status, final, grid, diverged=None):
    """(the run's verdict, the held-out data's): the first is the truth's where it is known."""
    free = judge.free_verdict(status, final, judge.calibration(grid, EVAL_POINTS))
    return (verdict(status, final, grid.reference, diverged) if grid.reference.exact else free), free


def final_metrics(samples, grid):
    """One run's metrics of its final samples (n = the grid's 10,000) against the grid's reference, with
    the truth-free ones against its held-out sample (without G's slope, the gap bound or the KDE)."""
    return {**metrics(samples, grid), **judge.row_metrics(samples, grid.held_out, judge.calibration(grid, EVAL_POINTS))}


def read_as(outcome, sampler):
    """The final samples (N, n) a sampler drew and its cost columns per member; plain's if it did not
    run (an interrupted run). G's slope and the gap bound stay those of G itself (plain)."""
    drawn = outcome.sampled.get(sampler)
    if drawn is None:
        return "plain", plain_drawn(outcome.samples)
    return sampler, drawn


def judged_scores(outcome, samples, with_kde=False):
    """{name: (N,)} of samples, with G's own slope and bound (gan1d/gap.py) and the truth-free
    metrics (gan1d/judge.py) beside them."""
    scores = batch_metrics(samples, outcome.grid)
    scores.update(judge.free_metrics(samples, outcome.grid))
    scores.update(bound_metrics(outcome.samples, outcome.slopes, outcome.grid, outcome.index))
    if with_kde:  # the truth's kde_nll is the held-out likelihood the truth-free metrics computed
        scores["kde_nll"] = np.where(np.isfinite(scores["w1"]), -scores["ho_loglik"], np.nan)
    return scores


def judge_run(outcome, sampler="plain"):
    """A single run's end: after divergence its last finite samples with NaN metrics, else the final
    samples' (its sampler's) metrics with the KDE."""
    (status, steps), diverged = outcome.statuses[0], outcome.diverged_step[0]
    sampler, drawn = read_as(outcome, sampler)
    if status == "diverged":
        _, samples = outcome.last_finite[0] or (0, np.full(EVAL_POINTS, np.nan))
        final, decision = {name: math.nan for name in (*METRIC_NAMES, *judge.FREE_METRICS)}, None
    else:
        samples, decision = drawn.samples[0], outcome.decision[0]
        final = {name: float(v[0]) for name, v in judged_scores(outcome, drawn.samples[:1], with_kde=True).items()}
    judged, free = verdicts(status, final, outcome.grid, diverged)
    return Judged(status, steps, diverged, samples, decision, final, judged, sampler, costs(drawn, 0), free)


def judge_members(outcome, sampler="plain"):
    """Each member of a population on its final samples (its sampler's, without the KDE); a member
    whose losses stayed finite but whose final samples did not diverged at its last step."""
    sampler, drawn = read_as(outcome, sampler)
    scores = judged_scores(outcome, drawn.samples)
    judged = []
    for i, (status, steps) in enumerate(outcome.statuses):
        diverged = outcome.diverged_step[i] if status == "diverged" else None
        if diverged is None and not np.all(np.isfinite(outcome.samples[i])):
            status, diverged = "diverged", steps
        final = {name: float(scores[name][i]) for name in STUDY_METRICS}
        main, free = verdicts(status, final, outcome.grid, diverged)
        judged.append(
            Judged(status, steps, diverged, drawn.samples[i], outcome.decision[i], final, main, sampler, costs(drawn, i), free)
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


def write_run(run_dir, outcome, config, wall_seconds):
    """A single run's files; returns its summary."""
    j = judge_run(outcome, config["sampler"][0])
    kept = outcome.kept_step[0]
    last_step = (outcome.last_finite[0] or (0, None))[0]
    note = f"best w1 kept: step {kept}" if kept is not None else ""
    if j.sampler != "plain":
        note = "\n".join(filter(None, [note, f"{j.sampler}: {j.costs['sampler_draws']:.2f} drawn per kept"]))
    path = folder.figure(run_dir, "distributions")
    plain = outcome.samples[0] if j.sampler != "plain" and j.status != "diverged" else None
    note = distributions_note(j, last_step, note)
    index = None if outcome.index is None or j.status == "diverged" else outcome.index[0]
    plot_distributions(path, j.samples, j.decision, outcome.grid, note, j.verdict, plain, j.sampler, index)
    own = j.final  # G's own samples' metrics: the verdict's, or computed beside a sampler's
    if j.sampler != "plain":
        own = {name: float(v[0]) for name, v in judged_scores(outcome, outcome.samples[:1]).items()}
    if j.status != "diverged":
        path = folder.figure(run_dir, "generator")
        plot_generator(path, outcome.grid, outcome.samples[0], outcome.slopes[0], own, index)
    if outcome.rows:
        plot_training(folder.figure(run_dir, "training"), outcome.rows)
    table, j = against_baselines(run_dir, outcome.grid, j)
    summary = {
        "status": j.status,
        "steps": j.steps,
        "diverged_step": j.diverged_step,
        "best_step": kept,
        "wall_seconds": round(wall_seconds, 3),
        "training_seconds": round(outcome.training_seconds, 3),
        "verdict": j.verdict[0],
        "verdict_reason": j.verdict[1],
        "judged": judged_by(outcome.grid),
        "verdict_free": j.free_verdict[0],
        "verdict_free_reason": j.free_verdict[1],
        "held_out_size": len(outcome.grid.held_out),
        **j.final,
        "sampler": j.sampler,
        "samples": folder.samples_file(j.sampler),  # what the verdict and the metrics above judged
        **j.costs,
        "plain": None if j.sampler == "plain" else {m: own[m] for m in STUDY_METRICS},
        "parts": None if index is None else parts_summary(outcome.samples[0], index),
        **table,
        "config": config,
    }
    folder.write_outputs(
        run_dir,
        outcome.samples[0] if j.status != "diverged" else j.samples,
        outcome.rows,
        ROW_COLUMNS,
        summary,
        outcome.weights,  # every run keeps its final weights (N = 1), as a population does
        sampled={name: drawn._replace(samples=drawn.samples[0]) for name, drawn in outcome.sampled.items()},  # (n,)
    )
    return summary


def against_baselines(run_dir, grid, j):
    """Where training saw a finite sample (a data file's training part): the baselines' table and
    which of them the run is as close as, said in its verdict, and the memorisation figure."""
    training = grid.reference.training
    if training is None or j.status == "diverged":
        return {}, j
    drawn, parts = baselines.draws(training, len(j.samples))
    table, beaten = baselines.compare(j.final, grid, drawn, parts)
    others = [name for name in baselines.NAMES if name not in beaten]
    said = f" At least as close to the held-out data (two-sample W1) as: {', '.join(beaten) or 'no baseline'}"
    said += f"; not as: {', '.join(others)}." if others else "."
    j = j._replace(verdict=(j.verdict[0], j.verdict[1] + said))
    near = {
        "generated": baselines.nearest(j.samples, training),
        "held-out data": baselines.nearest(grid.held_out, training),
    }
    near["kde baseline"] = baselines.nearest(drawn["kde"], training)
    near["bootstrap"] = np.zeros(len(j.samples))
    plot_memorisation(folder.figure(run_dir, "memorisation"), near)
    memorised = {k: float(np.median(v)) for k, v in near.items()}
    return {"baselines": table, "closer_than": beaten, "nearest_training_median": memorised}, j


def parts_summary(samples, index):
    """A mixture's parts on the grid (gan1d/mixture.py): each one's share, mean and std."""
    return [{"part": int(k), "share": share, "mean": float(np.mean(x)), "std": float(np.std(x))} for k, share, x in part_shares(samples, index)]  # fmt: skip


def unit_of(reference):
    """The w1 limits' unit of a reference (gan1d/metrics.py): a target's own; a data file's, the tutorial's."""
    return reference.unit if reference.exact else TUTORIAL_UNIT


def population_results(outcome, runs, population, samplers=("plain",)):
    """A row per member of a population and sampler: the settings that vary, the sampler and its
    cost, status, final metrics and verdict; of the samplers that read it (only plain's, G's own, if
    training was interrupted before they could)."""
    rows = []
    for sampler in [s for s in samplers if s in outcome.sampled] or ["plain"]:
        for i, (run, j) in enumerate(zip(runs, judge_members(outcome, sampler), strict=True)):
            member = run.settings
            row = {"preset": member.preset[0], "minibatch": member.minibatch, **run.swept, "seed": member.seed}
            row.update(status=j.status, steps=j.steps, diverged_step=j.diverged_step, population=population, member=i)
            row.update(modes=outcome.grid.reference.modes, unit=unit_of(outcome.grid.reference), sampler=j.sampler)
            row.update(**j.costs, **j.final)
            row["verdict"], row["verdict_reason"] = j.verdict
            row["verdict_free"], row["judged"] = j.free_verdict[0], judged_by(outcome.grid)
            rows.append(row)
    return rows


def write_population(path, outcome, results, record, seconds, parameters):
    """A finished population's files: those of every run folder, and its members' weights; parameters:
    {sampler: its flags' values}, under which its rows in results were read."""
    summary = {"status": "completed", "seconds": seconds, "settings": record, "samplers": parameters}
    summary["results"] = results
    columns = ["member", "seed", *ROW_COLUMNS]
    folder.write_outputs(path, outcome.samples, outcome.rows, columns, summary, outcome.weights, outcome.sampled)


def add_samplers(path, sampled, results, parameters):
    """A finished population read with more samplers: their samples beside the others, and its
    summary's rows and sampler flags replaced by results and parameters."""
    folder.write_samples(path, sampled)
    folder.update_summary(path, samplers=parameters, results=results)


def draw_seeds(path, runs, outcome, seeds):
    """The distributions figure of chosen seeds of a population, from its own final evaluation."""
    for i, run in enumerate(runs):
        seed = run.settings.seed
        if seed not in seeds:
            continue
        samples = outcome.samples[i]
        final = final_metrics(samples, outcome.grid)
        judged = verdicts("completed", final, outcome.grid)[0]
        figure = folder.seed_figure(path, seed)
        os.makedirs(os.path.dirname(figure), exist_ok=True)
        note = f"seed {seed}, step {run.settings.num_steps}\nw1 {final['w1']:.3f}  std ratio {final['std_ratio']:.2f}"
        index = None if outcome.index is None else outcome.index[i]
        plot_distributions(figure, samples, outcome.decision[i], outcome.grid, note, judged, index=index)
