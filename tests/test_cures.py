"""The cures menu so far: every loss against its formula in numpy, the gradient penalties against
finite differences, the critic's clipping, two time scales, each through single runs and studies."""

import csv
import os

import numpy as np
import pytest
from conftest import build, gan, make_args, run_study, tf

from gan1d import cures, plan, study
from gan1d.noise import noise_grid

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


def test_an_unknown_loss_is_an_error_naming_the_losses():
    with tf.Graph().as_default(), pytest.raises(ValueError, match="unknown loss 'bce': one of logits, clamp"):
        gan.d_loss_fn(tf.constant([0.0]), tf.constant([0.0]), "bce")


def test_a_population_gets_one_loss_per_member():
    pair = np.stack([L_REAL, L_REAL[::-1]])[..., None]  # (N, B, 1)
    with tf.Graph().as_default(), tf.Session() as session:
        got = session.run(
            gan.d_loss_fn(tf.constant(pair, tf.float32), tf.constant(pair, tf.float32), "hinge", [-2, -1])
        )
    np.testing.assert_allclose(
        got, [np.mean(np.maximum(0, 1 - r) + np.maximum(0, 1 + r)) for r in pair[..., 0]], rtol=1e-6
    )


def numpy_logits(w, x, minibatch):
    """D's logits in float64 numpy from its weights w {name: value}: tanh layers, then the minibatch
    layer (each sample's exp(-L1) closeness to every sample of the batch) or a third tanh layer."""
    h = np.tanh(x @ w["D/d0/w"] + w["D/d0/b"])
    h = np.tanh(h @ w["D/d1/w"] + w["D/d1/b"])
    if minibatch:
        m = (h @ w["D/minibatch/w"] + w["D/minibatch/b"]).reshape(len(x), 5, 3)  # (B, K, D)
        h = np.concatenate([h, np.exp(-np.abs(m[:, None] - m[None]).sum(-1)).sum(1)], axis=1)  # (B, F + K)
    else:
        h = np.tanh(h @ w["D/d2/w"] + w["D/d2/b"])
    return h @ w["D/d3/w"] + w["D/d3/b"]


def slopes_by_finite_differences(model, session, x, minibatch):
    """d(sum of D's logits)/dx_i for each sample, by central differences of the float64 D above.
    With a step of 1e-6 the truncation error (step^2 times the third derivative, over 6) and the
    rounding (1e-16 / step) stay below 1e-9, far under the float32 gradients they are compared
    with; no two samples' minibatch features lie within a step of each other at these x, so no
    difference straddles a kink of |.|."""
    values = session.run(model.d_params)
    w = {v.op.name: value.astype(np.float64) for v, value in zip(model.d_params, values, strict=True)}
    step, slopes = 1e-6, []
    for i in range(len(x)):
        up, down = x.copy(), x.copy()
        up[i] += step
        down[i] -= step
        slopes.append((numpy_logits(w, up, minibatch).sum() - numpy_logits(w, down, minibatch).sum()) / (2 * step))
    return np.array(slopes)


@pytest.mark.parametrize("flags", [(), ("--minibatch",)])
def test_the_gradient_penalty_is_the_squared_slope_by_finite_differences(flags):
    """R1 and R2 are the same function on real and on generated inputs: (gamma / 2) mean((dl/dx)^2),
    where with minibatch discrimination l sums over the batch, so dl/dx_i includes the others' terms.
    TensorFlow's float32 penalty against float64 finite differences: float32's few ulps through
    some 30 operations, well within 1e-4."""
    args = make_args(*flags)
    graph, model, session = build(args)
    x = np.random.RandomState(3).normal(4, 1, (args.batch_size, 1)).astype(np.float32)
    with graph.as_default():
        inp = tf.constant(x)
        penalty = cures.r1_penalty(model.discriminate(inp), inp, 0.7)
    slopes = slopes_by_finite_differences(model, session, x.astype(np.float64), args.minibatch)
    assert session.run(penalty) == pytest.approx(0.35 * np.mean(np.square(slopes)), rel=1e-4)


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
    groups = plan.populations(study.study_runs(args, gan.flag_parser().settings), args.given)
    assert [len(m) for m in groups.values()] == [8]  # r2 and clip are per-member numbers
    assert run_study(args) == 0
    rows = rows_of(args)
    assert {(r["r2"], r["clip"]) for r in rows} == {("0.0", "0.05"), ("0.5", "0.05"), ("0.0", "0.1"), ("0.5", "0.1")}
    assert all(r["status"] == "completed" for r in rows)
    weights = np.load(os.path.join(study.study_dir(args), rows[0]["population"], "weights.npz"))
    clips = np.array([float(r["clip"]) for r in rows])[:, None, None]
    assert np.all(np.abs(weights["D/d1/w"]) <= clips + 1e-7)  # each member clipped at its own C


def test_the_unit_slope_penalty_is_gp_and_dragans_by_finite_differences():
    args = make_args()
    graph, model, session = build(args)
    x = np.random.RandomState(5).normal(4, 1, (12, 1)).astype(np.float32)
    with graph.as_default():
        penalty = cures.unit_slope_penalty(model.discriminate, tf.constant(x), 10.0)
    slopes = slopes_by_finite_differences(model, session, x.astype(np.float64), False)
    assert session.run(penalty) == pytest.approx(10 * np.mean((np.abs(slopes) - 1) ** 2), rel=1e-4)


def test_instance_noise_starts_at_its_std_and_is_zero_at_the_last_step():
    args = make_args("--instance-noise", "0.5", "--num-steps", "100")
    graph, model, session = build(args)
    with graph.as_default():
        x = tf.zeros((20_000, 1))
        noised = model.cures.instance_noise(x, model.d_optimizer.step, model.g_optimizer.step, "real")
    assert np.std(session.run(noised)) == pytest.approx(0.5, rel=0.03)
    with graph.as_default():
        model.g_optimizer.step.load(50, session)
    assert np.std(session.run(noised)) == pytest.approx(0.5 * (1 - 50 / 99), rel=0.03)
    with graph.as_default():
        model.g_optimizer.step.load(99, session)
    assert np.all(session.run(noised) == 0.0)


@pytest.mark.slow
def test_random_penalties_and_noise_resume_as_if_never_interrupted(tiny):
    from conftest import StopAfter, read

    flags = ("--gp", "1", "--dragan", "0.5", "--instance-noise", "0.3", "--checkpoint-every", "10")
    whole = tiny(*flags, "--run-name", "whole")
    gan.run(whole)
    parts = tiny(*flags, "--run-name", "parts")
    assert gan.run(parts, stop_event=StopAfter(2))["status"] == "interrupted"
    parts = parts.replace(resume=True)
    gan.run(parts)
    for name in ("metrics.csv", "samples.npy"):
        assert read(os.path.join(parts.out_dir, "parts", name)) == read(os.path.join(whole.out_dir, "whole", name))


def test_the_penalties_and_noise_sweep_in_one_population(tmp_path):
    args = make_args(
        "--seeds", "2", "--num-steps", "30", "--pretrain-steps", "0", "--sweep", "gp=0,1", "--sweep", "instance-noise=0,0.5",
        "--dragan", "0.5", out_dir=tmp_path,
    )  # fmt: skip
    assert run_study(args) == 0
    rows = rows_of(args)
    assert len({r["population"] for r in rows}) == 1 and len(rows) == 8
    assert all(r["status"] == "completed" for r in rows)
    assert len({r["w1"] for r in rows}) == 8  # every setting and seed trained its own way


def test_spectral_norm_divides_by_the_largest_singular_value_svd_finds(tiny):
    args = make_args("--spectral-norm", "--pretrain-steps", "0")
    graph, model, session = build(args)
    rng = np.random.RandomState(0)
    batches = (
        rng.normal(4, 0.5, (300, 1, 12, 1)),
        rng.uniform(-8, 8, (300, 1, 12, 1)),
        rng.uniform(-8, 8, (300, 12, 1)),
    )
    gan.train_steps(session, model, batches)  # 300 D updates: 300 power-iteration steps
    with graph.as_default():
        names = [v.op.name for v in model.d_params if v.op.name.endswith("/w")]
        raw = dict(zip(names, session.run([v for v in model.d_params if v.op.name in names]), strict=True))
        normalised = session.run({n: model.cures.power_steps[n][0] for n in names})  # u after the last step
    for name in names:
        w = raw[name]
        sigma = np.linalg.svd(w, compute_uv=False)[0]
        u = normalised[name][:, 0]
        v = w @ u / np.linalg.norm(w @ u)
        estimate = v @ w @ (w.T @ v / np.linalg.norm(w.T @ v))
        assert estimate == pytest.approx(sigma, rel=1e-3), name
        assert np.linalg.svd(w / estimate, compute_uv=False)[0] == pytest.approx(1.0, rel=1e-3)


def test_pack_1_and_unroll_0_are_todays_graph_and_pack_m_judges_packs(tiny):
    from conftest import read

    plain = tiny("--run-name", "plain")
    gan.run(plain)
    same = tiny("--pack", "1", "--unroll", "0", "--run-name", "same")
    gan.run(same)
    for name in ("metrics.csv", "samples.npy"):
        assert read(os.path.join(plain.out_dir, "plain", name)) == read(os.path.join(same.out_dir, "same", name))
    args = make_args("--pack", "4", "--pretrain-steps", "0", "--minibatch")
    _, model, session = build(args)
    assert model.d_params[0].shape == (4, 8) and args.minibatch_group == 3  # 12 samples: 3 packs of 4
    x = np.random.RandomState(1).normal(4, 0.5, (12, 1))
    with session.graph.as_default():
        logits = model.discriminate(tf.constant(x, tf.float32))
    assert session.run(logits).shape == (3, 1)


@pytest.mark.slow
def test_unrolling_changes_only_gs_update_and_runs_in_single_runs_and_studies(tiny, tmp_path):
    for k in (1, 3):
        assert gan.run(tiny("--unroll", str(k), "--run-name", f"unroll{k}"))["status"] == "completed"
    args = make_args("--seeds", "2", "--num-steps", "20", "--pretrain-steps", "0", "--unroll", "2", "--pack", "2",
                     "--spectral-norm", "--minibatch", out_dir=tmp_path)  # fmt: skip
    assert run_study(args) == 0 and all(r["status"] == "completed" for r in rows_of(args))


def test_normal_noise_is_the_normal_quantiles_of_the_stratified_points(tmp_path):
    from scipy import special

    grid = noise_grid(make_args("--noise", "normal"))
    np.testing.assert_allclose(grid, special.ndtri((np.arange(10_000) + 0.5) / 10_000), atol=1e-9)
    np.testing.assert_array_equal(noise_grid(make_args()), np.linspace(-8, 8, 10_000))  # the reference's
    z = gan.GeneratorDistribution(8.0, np.random.RandomState(0), "normal").sample(256)
    assert np.all(np.diff(z) > 0) and abs(np.mean(z)) < 0.01 and abs(np.std(z) - 1) < 0.02
    args = make_args("--seeds", "2", "--num-steps", "20", "--pretrain-steps", "0", "--noise", "normal",
                     "--preset", "robust", out_dir=tmp_path)  # fmt: skip
    assert run_study(args) == 0 and all(r["status"] == "completed" for r in rows_of(args))


@pytest.mark.slow
def test_the_losses_run_in_a_study_each_in_a_population_of_its_own(tmp_path):
    args = make_args("--seeds", "2", "--num-steps", "20", "--pretrain-steps", "0", "--sweep", "loss=minimax,ls,hinge",
                     out_dir=tmp_path)  # fmt: skip
    assert run_study(args) == 0
    rows = rows_of(args)
    assert [r["loss"] for r in rows] == ["minimax"] * 2 + ["ls"] * 2 + ["hinge"] * 2
    assert len({r["population"] for r in rows}) == 3 and all(r["status"] == "completed" for r in rows)


def test_each_draw_is_seeded_by_its_place_and_no_two_uses_or_steps_share_a_seed():
    from gan1d.cures import DRAW_STRIDE, DRAWS, draw_seed

    assert len(DRAWS) < DRAW_STRIDE and len(set(DRAWS)) == len(DRAWS)
    with tf.Graph().as_default(), tf.Session() as session:
        counter = tf.placeholder(tf.int64, ())
        seeds = {name: draw_seed(42, counter, name) for name in DRAWS}
        got = {(step, name): tuple(session.run(seeds[name], {counter: step})) for step in range(20) for name in DRAWS}
        with pytest.raises(ValueError, match="unknown random draw 'mine': declare it in DRAWS"):
            draw_seed(42, counter, "mine")
    assert len(set(got.values())) == len(got)  # every (step, use) its own stream
    assert got[3, "gp"] == (42, 3 * 8 + 3) and got[0, "real"] == (42, 1)  # the places the docs' runs drew with
