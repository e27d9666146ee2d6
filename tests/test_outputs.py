"""gan1d.outputs: one Outcome for a run and a population, each member judged on its final samples,
and the files both write through the same writers."""

import json
import os

import numpy as np
from conftest import N_4_05

from gan1d import outputs
from gan1d.metrics import EvalGrid, metrics
from gan1d.sources import SyntheticReference


def outcome_of(samples, statuses, diverged_step, last_finite=None, rows=()):
    grid = EvalGrid(SyntheticReference(N_4_05, 1000), 8.0, 12)
    n = len(samples)
    return outputs.Outcome(
        statuses=statuses, diverged_step=diverged_step, kept_step=[None] * n, samples=np.array(samples),
            slopes=np.ones((n, len(samples[0]))),
        decision=np.full((n, len(samples[0])), 0.5), last_finite=last_finite or [None] * n, rows=list(rows),
        weights={"G/g0/w": np.zeros((n, 1, 4))}, grid=grid, training_seconds=1.0,
    )  # fmt: skip


def test_a_member_whose_final_samples_are_not_finite_diverged_at_its_last_step():
    grid = EvalGrid(SyntheticReference(N_4_05, 1000), 8.0, 12)
    exact, broken = grid.quantiles, np.full(10_000, np.nan)
    judged = outputs.judge_members(outcome_of([exact, broken], [("completed", 50)] * 2, [None, None]))
    assert [(j.status, j.diverged_step) for j in judged] == [("completed", None), ("diverged", 50)]
    assert judged[0].verdict[0] == "accurate" and judged[0].final["w1"] == metrics(exact, grid)["w1"]
    assert np.isnan(judged[1].final["w1"]) and judged[1].verdict[0] == "diverged"


def test_a_diverged_run_keeps_its_last_finite_samples_and_writes_null_metrics(tmp_path):
    grid = EvalGrid(SyntheticReference(N_4_05, 1000), 8.0, 12)
    last = grid.quantiles + 1.0  # its evaluation at step 20, a mean off by 2 sigma
    row = {"step": 20, "loss_d": 1.0, "loss_g": 1.0, "w1": 1.0, "std_ratio": 1.0, "ks": 0.5, "js": 0.5}
    outcome = outcome_of([np.full(10_000, np.nan)], [("diverged", 30)], [31], [(20, last)], [row])
    summary = outputs.write_run(str(tmp_path), outcome, {"keep_best": False, "sampler": ["plain"]}, 2.0)
    np.testing.assert_array_equal(np.load(tmp_path / "samples.npy"), last.astype(np.float32))
    with open(tmp_path / "summary.json") as f:
        saved = json.load(f)
    assert saved["status"] == summary["status"] == "diverged" and saved["w1"] is None and saved["diverged_step"] == 31
    assert "at step 31" in saved["verdict_reason"] and (tmp_path / "distributions.png").stat().st_size > 10_000


def test_a_population_writes_what_a_run_writes_and_its_weights(tmp_path):
    grid = EvalGrid(SyntheticReference(N_4_05, 1000), 8.0, 12)
    samples = [grid.quantiles, grid.quantiles * 1.1]
    outcome = outcome_of(samples, [("completed", 40)] * 2, [None, None], rows=[{"member": 0, "seed": 1, "step": 40}])
    outputs.write_population(str(tmp_path), outcome, [{"w1": 0.0}, {"w1": 0.1}], {"shared": {}}, 3.0, {"plain": {}})
    assert {"samples.npy", "metrics.csv", "summary.json", "weights.npz"} <= set(os.listdir(tmp_path))
    np.testing.assert_array_equal(np.load(tmp_path / "samples.npy"), np.array(samples, np.float32))
    with np.load(tmp_path / "weights.npz") as npz:
        assert npz["G/g0/w"].shape == (2, 1, 4)
    with open(tmp_path / "metrics.csv") as f:
        assert f.readline().startswith("member,seed,step,loss_d,loss_g")
