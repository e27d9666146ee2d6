"""gan1d.monitor through whole runs in-process: outputs, determinism, early stopping, keep-best,
divergence, interruption and resume, checkpoints, TensorBoard, --xla."""

import csv
import json
import os

import numpy as np
import pytest
from conftest import StopAfter, build, gan, grid_of, make_args, read

from gan1d import files
from gan1d.loops import evaluate_grid
from gan1d.metrics import BOUND_METRICS, METRIC_NAMES, is_converged, metrics, verdict
from gan1d.monitor import Monitor


def load_summary(run_dir):
    with open(os.path.join(run_dir, "summary.json")) as f:
        return json.load(f)


def load_rows(run_dir):
    with open(os.path.join(run_dir, "metrics.csv")) as f:
        return list(csv.DictReader(f))


def test_a_run_writes_its_files_and_metrics_match_the_saved_samples(tiny):
    args = tiny()
    summary = gan.run(args)
    run_dir = os.path.join(args.out_dir, args.run_name)
    assert args.run_name == "2016_log-every-10_num-steps-40_pretrain-steps-20_seed-42"
    for name in ("config.json", "distributions.png", "training.png", "metrics.csv", "samples.npy", "summary.json"):
        assert os.path.getsize(os.path.join(run_dir, name)) > 0
    rows = load_rows(run_dir)
    assert [int(r["step"]) for r in rows] == [0, 10, 20, 30, 40]
    assert set(rows[0]) == {"step", "loss_d", "loss_g", "lr_d", "lr_g", *METRIC_NAMES}
    samples = np.load(os.path.join(run_dir, "samples.npy"))
    assert samples.shape == (10_000,)
    recomputed = metrics(samples, grid_of(args), with_kde=True)
    saved = load_summary(run_dir)
    assert saved["status"] == "completed" and saved["steps"] == 40 and saved["config"]["batch_size"] == 12
    assert saved["verdict"] in ("accurate", "converged", "failed") and saved["verdict_reason"].endswith(".")
    assert (saved["verdict"], saved["verdict_reason"]) == verdict("completed", recomputed, grid_of(args).reference)
    for name in METRIC_NAMES:
        if name not in BOUND_METRICS:  # G's slope is not in its samples: tests/test_gap.py checks it
            assert saved[name] == pytest.approx(recomputed[name], rel=1e-9), name
    assert float(rows[-1]["w1"]) == pytest.approx(summary["w1"], rel=1e-9)
    assert read(os.path.join(run_dir, "distributions.png"))[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_gives_identical_files_and_another_seed_does_not(tiny, tmp_path):
    outputs = []
    for seed, name in [(5, "a"), (5, "b"), (6, "c")]:
        args = tiny("--seed", str(seed), "--run-name", name)
        gan.run(args)
        run_dir = os.path.join(args.out_dir, name)
        outputs.append((read(os.path.join(run_dir, "metrics.csv")), read(os.path.join(run_dir, "samples.npy"))))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] != outputs[2][0] and outputs[0][1] != outputs[2][1]


def test_early_stopping_stops_after_patience_evaluations(tiny):
    args = tiny("--early-stop", "1000", "--patience", "2")
    summary = gan.run(args)
    assert summary["status"] == "early_stopped" and summary["steps"] == 10  # evaluations at 0 and 10
    assert len(load_rows(os.path.join(args.out_dir, args.run_name))) == 2


def test_early_stopping_needs_patience_evaluations_in_a_row(tiny):
    args = tiny("--run-name", "full")
    gan.run(args)
    w1 = [float(r["w1"]) for r in load_rows(os.path.join(args.out_dir, "full"))]
    threshold = min(w1)  # reached at one evaluation only (the run's w1 values are distinct)
    assert sorted(w1)[1] > threshold
    summary = gan.run(tiny("--early-stop", repr(threshold), "--patience", "2", "--run-name", "patient"))
    assert summary["status"] == "completed" and summary["steps"] == 40
    summary = gan.run(tiny("--early-stop", repr(threshold), "--patience", "1", "--run-name", "eager"))
    assert summary["status"] == "early_stopped" and summary["steps"] == 10 * w1.index(threshold)


def test_keep_best_ends_with_the_weights_of_the_lowest_w1(tiny):
    args = tiny("--keep-best", "--num-steps", "60")
    summary = gan.run(args)
    rows = load_rows(os.path.join(args.out_dir, args.run_name))
    best = min(rows, key=lambda r: float(r["w1"]))
    assert summary["best_step"] == int(best["step"])
    assert summary["w1"] == pytest.approx(float(best["w1"]), rel=1e-9)
    assert summary["w1"] <= min(float(r["w1"]) for r in rows)


def test_a_huge_learning_rate_diverges_and_keeps_what_was_finite(tiny):
    args = tiny("--learning-rate", "1e38", "--pretrain-steps", "0")
    summary = gan.run(args)
    run_dir = os.path.join(args.out_dir, args.run_name)
    assert summary["status"] == "diverged" and summary["diverged_step"] >= 1
    saved = load_summary(run_dir)
    assert saved["status"] == "diverged" and saved["w1"] is None  # NaN is written as null
    assert saved["verdict"] == "diverged" and f"at step {summary['diverged_step']}" in saved["verdict_reason"]
    assert np.all(np.isfinite(np.load(os.path.join(run_dir, "samples.npy"))))
    assert len(load_rows(run_dir)) >= 1 and os.path.getsize(os.path.join(run_dir, "distributions.png")) > 0


@pytest.mark.parametrize(
    "flags", [(), pytest.param(("--preset", "robust", "--num-steps", "60"), marks=pytest.mark.slow)]
)
def test_an_interrupted_run_resumed_ends_as_if_never_interrupted(tiny, flags):
    whole = tiny(*flags, "--run-name", "whole")
    gan.run(whole)
    parts = tiny(*flags, "--run-name", "parts")
    summary = gan.run(parts, stop_event=StopAfter(2))
    assert summary["status"] == "interrupted" and 0 < summary["steps"] < whole.num_steps
    with pytest.raises(files.RunError, match="--resume.*--overwrite"):
        gan.run(parts)
    parts = parts.replace(resume=True)
    assert gan.run(parts)["status"] == "completed"
    for name in ("metrics.csv", "samples.npy"):
        assert read(os.path.join(whole.out_dir, "whole", name)) == read(os.path.join(parts.out_dir, "parts", name))


def test_tensorboard_events_are_written(tiny, tmp_path):
    logdir = tmp_path / "tb"
    gan.run(tiny("--logdir", str(logdir)))
    events = [f for f in os.listdir(logdir) if f.startswith("events.out.tfevents")]
    assert events and os.path.getsize(logdir / events[0]) > 1000
    tags = set()
    for event in gan.tf.train.summary_iterator(str(logdir / events[0])):
        tags |= {v.tag for v in event.summary.value}
    assert {"losses/d", "losses/g", "eval/w1", "eval/std_ratio", "eval/generated"} <= tags


def test_checkpoints_are_written_every_n_steps_and_only_the_last_three_kept(tiny):
    args = tiny("--checkpoint-every", "10", "--num-steps", "60")
    assert gan.run(args)["status"] == "completed"
    files = sorted(os.listdir(os.path.join(args.out_dir, args.run_name, "checkpoints")))
    assert [f for f in files if f.startswith("state-")] == [
        f"state-{s}.{e}" for s in (40, 50, 60) for e in ("json", "npz")
    ]
    assert {"model-40.index", "model-50.index", "model-60.index", "checkpoint"} <= set(files)
    assert not any(f.startswith("model-30") for f in files)
    args = args.replace(resume=False)
    assert gan.run(args)["status"] == "completed"  # a finished run's folder is simply rerun


@pytest.mark.slow
def test_xla_reaches_the_same_outcomes(tmp_path):
    """--xla is not bit-identical (XLA rounds differently), so compare outcomes: on a short robust
    run, the same converged verdict and w1 within 5%."""
    outcomes = {}
    for xla in (False, True):
        for seed in (1,):
            flags = ["--preset", "robust", "--num-steps", "300", "--log-every", "150", "--seed", str(seed)]
            summary = gan.run(make_args(*flags, *(["--xla"] if xla else []), out_dir=tmp_path))
            outcomes[xla, seed] = (is_converged(summary), summary["w1"])
    for seed in (1,):
        assert outcomes[True, seed][0] == outcomes[False, seed][0]
        assert outcomes[True, seed][1] == pytest.approx(outcomes[False, seed][1], rel=0.05)


@pytest.mark.parametrize("flags", [(), pytest.param(("--preset", "any", "--num-steps", "30"), marks=pytest.mark.slow)])
def test_an_overlapped_evaluation_writes_what_a_synchronous_one_writes(tiny, monkeypatch, flags):
    """A single run's evaluations measured on a thread while training goes on: the same rows,
    samples and weights as when each is measured at its pause (a mixture's prior read too)."""
    overlapped = tiny(*flags, "--run-name", "overlapped")
    assert Monitor.overlaps(FakeMonitor(overlapped))
    gan.run(overlapped)
    monkeypatch.setattr(Monitor, "overlaps", lambda self: False)
    synchronous = tiny(*flags, "--run-name", "synchronous")
    gan.run(synchronous)
    for name in ("metrics.csv", "samples.npy", "weights.npz"):
        paths = [os.path.join(a.out_dir, a.run_name, name) for a in (overlapped, synchronous)]
        assert read(paths[0]) == read(paths[1]), name


class FakeMonitor:
    """What Monitor.overlaps reads of a monitor."""

    def __init__(self, args):
        self.args, self.single, self.frames, self.summaries = args, True, None, None
        self.model = type("Model", (), {"evaluation": type("Ops", (), {"reads": []})})


def test_an_evaluation_fed_the_taken_weights_ignores_later_updates():
    args = make_args("--preset", "any", "--decay-rate", "0.9")  # a rate that moves with the step
    graph, model, session = build(args)
    grid = grid_of(args)
    with graph.as_default():
        reads = model.evaluation.reads
        weights = [r for r in reads if r.name.startswith("eval/")]
        # each part's two layers' weights and biases, and the prior's logits, read by G's choice of part
        # and by the index the bound reads; beside them, the step behind each learning rate
        assert len(weights) == 6 * 4 + 2 and sum(r.shape.as_list() == [1, 6] for r in weights) == 2
        assert len(reads) == len(weights) + 2 and all(r.dtype.is_integer for r in reads if r not in weights)
        rates = [model.lr_d, model.lr_g]
        before, _, before_rates = evaluate_grid(session, model, grid, rates, decision=False)
        taken = dict(zip(reads, session.run(reads), strict=True))
        for v in model.weights():  # every weight moved, as training would move it
            v.load(session.run(v) + 0.25, session)
        for optimizer in (model.d_optimizer, model.g_optimizer):  # and the steps, far along the decay
            optimizer.step.load(5_000, session)
        moved, _, moved_rates = evaluate_grid(session, model, grid, rates, decision=False)
        fed, _, fed_rates = evaluate_grid(session, model, grid, rates, decision=False, weights=taken)
    assert np.abs(moved - before).max() > 0.1 and moved_rates != before_rates
    np.testing.assert_array_equal(fed, before)
    assert fed_rates == before_rates
