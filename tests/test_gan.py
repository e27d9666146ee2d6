"""gan.py, the tutorial's parts, against SPEC.md: samplers, layers, losses, schedule, pretraining, the loop."""

import numpy as np
import pytest
from conftest import N_4_05, build, gan, grid_of, make_args, tf

from gan1d.loops import evaluate_grid


def test_data_sampler_is_sorted_with_the_data_moments():
    samples = gan.DataDistribution(N_4_05, np.random.RandomState(0)).sample(100_000)
    assert np.all(np.diff(samples) >= 0)
    assert abs(samples.mean() - 4.0) < 0.01
    assert abs(samples.std() - 0.5) < 0.01


def test_noise_sampler_is_stratified_and_draws_the_reference_stream():
    gen = gan.GeneratorDistribution(8.0, np.random.RandomState(3))
    first, second = gen.sample(12), gen.sample(12)
    reference = np.random.RandomState(3)
    expected = [np.linspace(-8, 8, 12) + reference.random(12) * 0.01 for _ in range(2)]
    np.testing.assert_array_equal(first, expected[0])
    np.testing.assert_array_equal(second, expected[1])
    jitter = first - np.linspace(-8, 8, 12)
    assert first[0] >= -8 and first[-1] <= 8.01 and np.all((jitter >= 0) & (jitter < 0.01))


def test_each_members_draws_are_its_own_stream_in_the_reference_order():
    """sample_steps for a population: member m's batches are what the reference's loop draws from
    its seed (per D update a sorted N(4, 0.5) batch then a jittered grid, then G's grid), as float32."""
    seeds, ranges, (t, k, b) = [3, 11, 40], [8.0, 5.0, 8.0], (4, 3, 13)
    data = [gan.DataDistribution(N_4_05, np.random.RandomState(s)) for s in seeds]
    gens = [gan.GeneratorDistribution(r, d.rng) for r, d in zip(ranges, data, strict=True)]
    x, zd, zg = gan.sample_steps(data, gens, t, b, k)
    assert (x.shape, zd.shape, zg.shape, x.dtype) == ((t, k, 3, b, 1), (t, k, 3, b, 1), (t, 3, b, 1), np.float32)
    for m, (seed, half) in enumerate(zip(seeds, ranges, strict=True)):
        rng = np.random.RandomState(seed)
        for i in range(t):
            for j in range(k):
                np.testing.assert_array_equal(x[i, j, m, :, 0], np.sort(rng.normal(4, 0.5, b)).astype(np.float32))
                grid = np.linspace(-half, half, b) + rng.random_sample(b) * 0.01
                np.testing.assert_array_equal(zd[i, j, m, :, 0], grid.astype(np.float32))
            grid = np.linspace(-half, half, b) + rng.random_sample(b) * 0.01
            np.testing.assert_array_equal(zg[i, m, :, 0], grid.astype(np.float32))


def test_minibatch_layer_matches_the_formula_in_numpy():
    rng = np.random.RandomState(0)
    h_value = rng.normal(size=(2 * 6, 8)).astype(np.float32)  # two groups of 6
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        h = tf.constant(h_value)
        out = gan.minibatch(h, num_kernels=5, kernel_dim=3, group_size=6)
        w, b = tf.trainable_variables()
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            out_value, w_value, b_value = session.run([out, w, b])
    assert out_value.shape == (12, 8 + 5)
    np.testing.assert_array_equal(out_value[:, :8], h_value)
    for group in (slice(0, 6), slice(6, 12)):  # each group only sees itself
        m = (h_value[group] @ w_value + b_value).reshape(6, 5, 3)  # (B, K, D)
        c = np.abs(m[:, None] - m[None, :]).sum(axis=3)  # (B, B, K)
        np.testing.assert_allclose(out_value[group, 8:], np.exp(-c).sum(axis=1), rtol=1e-5)


def test_learning_rate_decays_in_a_staircase_with_its_own_step_counter():
    graph, model, session = build(make_args("--minibatch"))
    for step, expected in [(0, 0.005), (149, 0.005), (150, 0.005 * 0.95), (300, 0.005 * 0.95**2)]:
        with graph.as_default():
            model.d_optimizer.step.load(step, session)
        assert session.run(model.lr_d) == pytest.approx(expected, rel=1e-6)
    assert session.run(model.lr_g) == pytest.approx(0.005)  # G's counter did not move


@pytest.mark.parametrize("minibatch", [False, True])
def test_variables_split_between_d_and_g(minibatch):
    _, model, _ = build(make_args("--minibatch" if minibatch else "--no-minibatch"))
    d = [v.op.name for v in model.d_params]
    g = [v.op.name for v in model.g_params]
    third = "minibatch" if minibatch else "d2"
    assert d == [f"D/{layer}/{p}" for layer in ("d0", "d1", third, "d3") for p in ("w", "b")]
    assert g == ["G/g0/w", "G/g0/b", "G/g1/w", "G/g1/b"]
    assert [v.op.name.replace("D_pre/", "D/") for v in model.d_pre_params] == d
    assert model.d_params[0].shape == (1, 8) and model.g_params[0].shape == (1, 4)


def test_pretraining_fits_the_density_and_copies_exactly_into_d():
    args = make_args("--pretrain-steps", "300", "--loop", "feed")
    _, model, session = build(args)
    feed_d = (np.random.RandomState(0).random_sample((12, 1)) - 0.5) * 10
    labels = N_4_05.pdf(feed_d)
    before = session.run(model.pre_loss, {model.pre_input: feed_d, model.pre_labels: labels})
    gan.pretrain(session, model, [np.random.RandomState(0)], 300, loop="feed")
    after = session.run(model.pre_loss, {model.pre_input: feed_d, model.pre_labels: labels})
    assert after < before
    for d, pre in zip(session.run(model.d_params), session.run(model.d_pre_params), strict=True):
        np.testing.assert_array_equal(d, pre)
    assert session.run(model.pre_optimizer.step) == 300


def loss_values(kind, l_real, l_fake):
    with tf.Graph().as_default():
        real, fake = tf.constant(l_real, tf.float32), tf.constant(l_fake, tf.float32)
        loss_d, loss_g = gan.d_loss_fn(real, fake, kind), gan.g_loss_fn(fake, kind)
        grads = tf.gradients(loss_d, [real, fake]) + tf.gradients(loss_g, [fake])
        with tf.Session() as session:
            return session.run([loss_d, loss_g, grads])


def test_loss_equals_the_reference_formula_where_it_is_finite():
    l_real, l_fake = np.array([-3.0, 0.0, 2.5]), np.array([1.0, -2.0, 4.0])
    d1, d2 = 1 / (1 + np.exp(-l_real)), 1 / (1 + np.exp(-l_fake))
    loss_d, loss_g, _ = loss_values("logits", l_real, l_fake)
    assert loss_d == pytest.approx(np.mean(-np.log(d1) - np.log(1 - d2)), rel=1e-6)
    assert loss_g == pytest.approx(np.mean(-np.log(d2)), rel=1e-6)


def test_loss_stays_finite_and_keeps_its_gradient_where_the_reference_does_not():
    l_real, l_fake = np.array([-120.0, 0.0]), np.array([120.0, -120.0])  # sigmoid saturates: log(0)
    with np.errstate(divide="ignore", over="ignore"):
        d1, d2 = 1 / (1 + np.exp(-l_real.astype(np.float32))), 1 / (1 + np.exp(-l_fake.astype(np.float32)))
        assert not np.isfinite(np.mean(-np.log(d1) - np.log(1 - d2)))  # the 2016 formula
    loss_d, loss_g, (g_real, g_fake, g_gen) = loss_values("logits", l_real, l_fake)
    assert np.isfinite(loss_d) and np.isfinite(loss_g)
    assert loss_d == pytest.approx((120 + np.log(2) + 120 + 0) / 2, rel=1e-5)
    assert g_real[0] == pytest.approx(-0.5) and g_fake[0] == pytest.approx(0.5) and g_gen[1] == pytest.approx(-0.5)
    _, clamp_g, (_, _, clamp_grad) = loss_values("clamp", l_real, l_fake)
    assert clamp_g == pytest.approx((0 + -np.log(1e-5)) / 2, rel=1e-4)  # the 2017 clamp: 11.51 ...
    assert clamp_grad[1] == 0  # ... and no gradient to escape it


@pytest.mark.parametrize("flags", [(), ("--minibatch",), pytest.param(("--preset", "robust"), marks=pytest.mark.slow)])
def test_in_graph_loop_reproduces_the_per_step_loop(flags):
    """Same seed, same data: the tf.while_loop and the reference's two session.run per step agree
    to 1e-6 relative over 200 steps (bit for bit with SGD)."""
    args = make_args(*flags, "--pretrain-steps", "50")
    losses = {}
    for loop in ("graph", "feed"):
        args = args.replace(loop=loop)
        _, model, session = build(args)
        rng = np.random.RandomState(7)
        gan.pretrain(session, model, [rng], 50, loop)
        data, noise = gan.DataDistribution(N_4_05, rng), gan.GeneratorDistribution(8.0, rng)
        batches = [
            model.axis.fed(gan.sample_steps([data], [noise], 50, args.batch_size, args.d_steps)) for _ in range(4)
        ]
        chunks = [gan.train_steps(session, model, b, loop) for b in batches]
        losses[loop] = np.concatenate([np.stack(c) for c in chunks], axis=1)  # (2, 200)
    np.testing.assert_allclose(losses["graph"], losses["feed"], rtol=1e-6)
    if "--preset" not in flags:
        np.testing.assert_array_equal(losses["graph"], losses["feed"])


def test_decision_boundary_covers_the_whole_grid_as_training_batches_see_it():
    args = make_args("--minibatch")
    _, model, session = build(args)
    samples, boundary, _ = evaluate_grid(session, model, grid_of(args))
    assert samples.shape == boundary.shape == (1, 10_000)
    boundary = boundary[0]
    assert np.all((boundary > 0) & (boundary < 1))  # no zeros left at the right edge
    batch = grid_of(args).xs[-12:, None]  # the last batch, fed as the reference feeds a training batch
    np.testing.assert_allclose(boundary[-12:], session.run(model.D1, {model.x: batch})[:, 0], rtol=1e-5)


def ancestors(op):
    """Every op that op waits for: its inputs' ops and control inputs, transitively."""
    seen, todo = set(), [op]
    while todo:
        current = todo.pop()
        for parent in [t.op for t in current.inputs] + list(current.control_inputs):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


@pytest.mark.parametrize("loss", ["wgan", "logits"])
def test_every_read_behind_a_loss_comes_before_the_update(loss):
    """A population on two threads gave other bits run to run under --loss wgan: the gradient of a
    linear loss does not need D's last bias, so its update could run before the forward pass read
    it. Every update now waits for its objective, and so for every read behind it."""
    graph, model, session = build(make_args("--loss", loss, "--loop", "feed"))
    session.close()
    pairs = [(model.loss_d, model.opt_d, model.d_params), (model.loss_g, model.opt_g, model.g_params)]
    for loss_tensor, update, params in pairs:
        behind_loss, behind_update = ancestors(loss_tensor.op), ancestors(update)
        for v in params:
            reads = {op for op in behind_loss if op.type == "ReadVariableOp" and op.inputs[0].op is v.op}
            assert reads and reads <= behind_update, v.op.name
