"""The cures menu so far: every loss against its formula in numpy, the gradient penalties against
finite differences, the critic's clipping, two time scales, each through single runs and studies."""

import csv
import os

import numpy as np
import pytest
from conftest import build, gan, make_args, run_study, tf

from gan1d import study

L_REAL, L_FAKE = np.array([-3.0, 0.0, 2.5, 40.0]), np.array([1.0, -2.0, 4.0, -40.0])


def softplus(t):
    return np.logaddexp(0, t)


FORMULAS = {  # (loss_d, loss_g) in numpy, from each paper's definition in terms of l or D = sigmoid(l)
    "logits": (np.mean(softplus(-L_REAL) + softplus(L_FAKE)), np.mean(softplus(-L_FAKE))),
    "minimax": (np.mean(softplus(-L_REAL) + softplus(L_FAKE)), np.mean(np.log1p(-1 / (1 + np.exp(-L_FAKE))))),
    "ls": (np.mean(0.5 * (L_REAL - 1) ** 2 + 0.5 * L_FAKE**2), np.mean(0.5 * (L_FAKE - 1) ** 2)),
    "hinge": (np.mean(np.maximum(0, 1 - L_REAL) + np.maximum(0, 1 + L_FAKE)), -np.mean(L_FAKE)),
    "wgan": (np.mean(L_FAKE) - np.mean(L_REAL), -np.mean(L_FAKE)),
}


@pytest.mark.parametrize("kind", sorted(FORMULAS))
def test_each_loss_equals_its_formula_on_fixed_logits(kind):
    with tf.Graph().as_default(), tf.Session() as session:
        real, fake = tf.constant(L_REAL, tf.float32), tf.constant(L_FAKE, tf.float32)
        loss_d, loss_g = session.run([gan.d_loss_fn(real, fake, kind), gan.g_loss_fn(fake, kind)])
    want_d, want_g = FORMULAS[kind]
    assert loss_d == pytest.approx(want_d, rel=1e-5, abs=1e-6) and loss_g == pytest.approx(want_g, rel=1e-5, abs=1e-6)


def test_a_population_gets_one_loss_per_member():
    pair = np.stack([L_REAL, L_REAL[::-1]])[..., None]  # (N, B, 1)
    with tf.Graph().as_default(), tf.Session() as session:
        got = session.run(
            gan.d_loss_fn(tf.constant(pair, tf.float32), tf.constant(pair, tf.float32), "hinge", [-2, -1])
        )
    np.testing.assert_allclose(
        got, [np.mean(np.maximum(0, 1 - r) + np.maximum(0, 1 + r)) for r in pair[..., 0]], rtol=1e-6
    )


@pytest.mark.parametrize("flags", [(), ("--minibatch",)])
def test_the_gradient_penalty_is_the_squared_slope_by_finite_differences(flags):
    """R1 and R2 are the same function on real and on generated inputs: (gamma / 2) mean((dl/dx)^2),
    where with minibatch discrimination l sums over the batch, so dl/dx_i includes the others' terms."""
    args = make_args(*flags)
    graph, model, session = build(args)
    x = np.random.RandomState(3).normal(4, 1, (args.batch_size, 1))
    with graph.as_default():
        xs = tf.placeholder(tf.float64, (args.batch_size, 1))
        inp = tf.cast(xs, tf.float32)
        logits = model.discriminate(inp)
        penalty = gan.r1_penalty(logits, inp, 0.7)
        total = tf.reduce_sum(tf.cast(logits, tf.float64))
    got = session.run(penalty, {xs: x})
    h = 1e-2
    slopes = []
    for i in range(args.batch_size):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        slopes.append((session.run(total, {xs: up}) - session.run(total, {xs: down})) / (2 * h))
    assert got == pytest.approx(0.35 * np.mean(np.square(slopes)), rel=2e-3)


def test_the_critics_weights_are_clipped_after_each_update():
    args = make_args("--loss", "wgan", "--clip", "0.01", "--pretrain-steps", "0", "--num-steps", "5")
    _, model, session = build(args)
    rng = np.random.RandomState(0)
    batches = (rng.normal(4, 0.5, (5, 1, 12, 1)), rng.uniform(-8, 8, (5, 1, 12, 1)), rng.uniform(-8, 8, (5, 12, 1)))
    gan.train_steps(session, model, batches)
    weights = np.concatenate([np.ravel(v) for v in session.run(model.d_params)])
    assert np.all(np.abs(weights) <= 0.01) and np.sum(np.abs(weights) == np.float32(0.01)) > len(weights) // 2


def test_two_time_scales_give_g_its_own_rate():
    args = make_args("--g-learning-rate", "0.1")
    _, model, session = build(args)
    assert session.run([model.lr_d, model.lr_g]) == pytest.approx([0.03, 0.1])
    assert make_args().g_learning_rate == 0.03 and make_args("--minibatch").g_learning_rate == 0.005


def rows_of(args):
    with open(os.path.join(study.study_dir(args), "results.csv")) as f:
        return list(csv.DictReader(f))


def test_the_new_flags_run_in_a_study_and_their_numbers_sweep_in_one_population(tmp_path):
    args = make_args(
        "--seeds", "2", "--num-steps", "30", "--pretrain-steps", "0", "--loss", "wgan", "--clip", "0.05",
        "--g-learning-rate", "0.01", "--sweep", "r2=0,0.5", "--sweep", "clip=0.05,0.1", out_dir=tmp_path,
    )  # fmt: skip
    groups = study.populations(study.study_runs(args, gan.flag_parser().settings), args.given)
    assert [len(m) for m in groups.values()] == [8]  # r2 and clip are per-member numbers
    assert run_study(args) == 0
    rows = rows_of(args)
    assert {(r["r2"], r["clip"]) for r in rows} == {("0.0", "0.05"), ("0.5", "0.05"), ("0.0", "0.1"), ("0.5", "0.1")}
    assert all(r["status"] == "completed" for r in rows)
    weights = np.load(os.path.join(study.study_dir(args), rows[0]["population"], "weights.npz"))
    clips = np.array([float(r["clip"]) for r in rows])[:, None, None]
    assert np.all(np.abs(weights["D/d1/w"]) <= clips + 1e-7)  # each member clipped at its own C
