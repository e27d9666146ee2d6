"""gan1d.stopping: divergence, --early-stop and --keep-best per member, on evaluations made by
hand, against what the rules say should happen."""

import math

import numpy as np

from gan1d.stopping import DIVERGED, EARLY_STOPPED, RUNNING, StoppingRules


def weights(step, n=3):
    """Stand-in weights that record the step they were taken at: (N, 2) and (N,)."""
    return [np.full((n, 2), float(step)), np.full(n, float(step))]


def test_a_non_finite_loss_ends_a_member_at_its_first_bad_step():
    rules = StoppingRules(0.0, 3, False, 3)
    loss_d, loss_g = np.zeros((5, 3)), np.zeros((5, 3))
    loss_d[2, 1], loss_g[4, 1], loss_g[3, 2] = math.nan, math.inf, -math.inf
    rules.check_losses(100, loss_d, loss_g)
    assert rules.state["status"] == [RUNNING, DIVERGED, DIVERGED]
    assert rules.state["diverged_step"] == [None, 103, 104] and rules.state["ended"] == [None, 100, 100]
    assert rules.statuses(105, interrupted=False) == [("completed", 105), (DIVERGED, 100), (DIVERGED, 100)]


def test_early_stop_needs_patience_evaluations_in_a_row_at_or_below_the_threshold():
    rules = StoppingRules(0.1, 2, False, 2)
    sequence = {10: [0.05, 0.2], 20: [0.3, 0.1], 30: [0.08, 0.09], 40: [0.07, 0.5]}
    for step, w1 in sequence.items():
        running = np.flatnonzero(rules.running())
        rules.judge(step, {i: w1[i] for i in running}, lambda s=step: weights(s, 2))
    # member 0: 0.05 (1), 0.3 (0), 0.08 (1), 0.07 (2) -> stops at 40; member 1: 0.2, 0.1 (1), 0.09 (2) -> 30
    assert rules.state["status"] == [EARLY_STOPPED, EARLY_STOPPED] and rules.state["ended"] == [40, 30]
    final = rules.final_values(weights(50, 2))
    assert final[0][:, 0].tolist() == [40.0, 30.0] and final[1].tolist() == [40.0, 30.0]


def test_keep_best_ends_each_member_with_its_lowest_w1_unless_it_diverged():
    rules = StoppingRules(0.0, 3, True, 3)
    for step, w1 in {0: [0.9, 0.5, 0.4], 10: [0.2, 0.6, 0.3], 20: [0.4, 0.1, 0.35]}.items():
        rules.judge(step, dict(enumerate(w1)), lambda s=step: weights(s))
    rules.check_samples(30, np.array([True, True, False]))
    assert [rules.kept_step(i) for i in range(3)] == [10, 20, None]
    assert rules.final_values(weights(30))[1].tolist() == [10.0, 20.0, 30.0]


def test_the_rules_resume_from_their_checkpointed_state():
    rules = StoppingRules(0.0, 3, True, 2)
    rules.judge(10, {0: 0.3, 1: 0.2}, lambda: weights(10, 2))
    again = StoppingRules(0.0, 3, True, 2)
    state = {**rules.state, "best_w1": [0.3, None]}  # JSON holds infinity as null
    again.restore(state, rules.arrays())
    assert again.state["best_w1"] == [0.3, math.inf] and again.best[0][:, 0].tolist() == [10.0, 10.0]
