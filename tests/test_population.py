"""Populations (gan.GAN with members): members start as single runs of their seeds, train as they
do, get their own gradients, and do not influence each other."""

import os

import numpy as np
import pytest
from conftest import N_4_05, build, gan, make_args, tf

from gan1d.progress import Progress
from gan1d.spread import spread_start


def members_of(args, seeds, **per_member):
    """One run's settings per member: args with the member's seed and its own scalars."""
    return [args.replace(seed=seed, **{k: v[i] for k, v in per_member.items()}) for i, seed in enumerate(seeds)]


def build_population(args, members, start=True):
    """A population in a fresh graph, started as train() starts it (initial weights, spread start,
    pretraining), with each member's numpy stream."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(1)  # a population's random initial values are replaced by its members'
        pop = gan.GAN(args, members)
        session = tf.Session(graph=graph, config=gan.runner.session_config())
        session.run(pop.init)
        rngs = [np.random.RandomState(m.seed) for m in members]
        if start:
            data = [gan.DataDistribution(N_4_05, rng) for rng in rngs]
            gan.start(session, pop, data, rngs)
    return graph, pop, session


def named_values(model, session, variables):
    return dict(zip([v.op.name for v in variables], session.run(variables), strict=True))


@pytest.mark.parametrize("flags", [("--minibatch",), pytest.param(("--preset", "robust"), marks=pytest.mark.slow)])
def test_members_start_from_the_weights_of_single_runs_of_their_seeds(flags):
    args = make_args(*flags, "--pretrain-steps", "0")
    seeds = [0, 42, 7]
    _, pop, session = build_population(args, members_of(args, seeds), start=False)
    with session.graph.as_default():
        gan.start(session, pop, [gan.DataDistribution(N_4_05, np.random.RandomState(s)) for s in seeds], [])
    variables = pop.g_params + pop.d_params + list(pop.ema.values())
    values = named_values(pop, session, variables)
    for i, seed in enumerate(seeds):
        _, model, single = build(args, seed=seed)
        with single.graph.as_default():
            gan.start(single, model, [gan.DataDistribution(N_4_05, np.random.RandomState(seed))], [])
        for name, value in named_values(
            model, single, model.g_params + model.d_params + list(model.ema.values())
        ).items():
            np.testing.assert_array_equal(values[name][i].reshape(value.shape), value, err_msg=f"{seed} {name}")


@pytest.mark.parametrize("flags", [(), pytest.param(("--preset", "robust"), marks=pytest.mark.slow)])
def test_a_member_trains_as_the_single_run_of_its_seed(tmp_path, flags):
    """The whole path, streams, pretraining, optimiser and loop: a population's member ends where a
    single run of its seed ends, to float32 rounding (a batched matmul rounds its last bits apart)."""
    args = make_args(*flags, "--num-steps", "30", "--pretrain-steps", "20", out_dir=tmp_path)
    members = members_of(args, [3, 9])
    trained = gan.runner.train_in(str(tmp_path / "pop"), members, gan.TUTORIAL, False, Progress(30, 10, quiet=True))
    assert [s for s, _ in trained.statuses] == ["completed", "completed"]
    for i, seed in enumerate((3, 9)):
        single = make_args(*flags, "--num-steps", "30", "--pretrain-steps", "20", "--seed", str(seed), out_dir=tmp_path)
        gan.run(single)
        samples = np.load(os.path.join(tmp_path, single.run_name, "samples.npy"))
        np.testing.assert_allclose(trained.samples[i], samples, rtol=1e-4, atol=1e-4)


def feed_of(pop, x, zd, zg):
    return pop.loops.feed(x, zd, zg)


@pytest.mark.parametrize("flags", [("--minibatch",), pytest.param(("--preset", "robust"), marks=pytest.mark.slow)])
def test_a_members_gradients_equal_a_single_models_on_the_same_weights_and_batch(flags):
    args = make_args(*flags)
    members = members_of(args, [5, 6])
    graph, pop, session = build_population(args, members)
    rng = np.random.RandomState(0)
    x = rng.normal(4, 0.5, (2, args.batch_size, 1)).astype(np.float32)
    z = rng.uniform(-8, 8, (2, args.batch_size, 1)).astype(np.float32)
    with graph.as_default():
        l_real, l_fake = pop.discriminate(pop.x), pop.discriminate(pop.generate(pop.z))
        loss = gan.d_loss_fn(l_real, l_fake, args.loss, axis=[1, 2])
        grads = tf.gradients(tf.reduce_sum(loss), pop.d_params)
    got = session.run(grads, {pop.x: x, pop.z: z})
    weights = session.run(pop.d_params + pop.g_params)
    for i in range(2):
        g1, model, single = build(args, seed=members[i].seed)
        with g1.as_default():
            for v, value in zip(model.d_params + model.g_params, weights, strict=True):
                v.load(value[i].reshape(v.shape), single)
            l_r, l_f = model.discriminate(model.x), model.discriminate(model.generate(model.z))
            want = single.run(tf.gradients(gan.d_loss_fn(l_r, l_f, args.loss), model.d_params),
                              {model.x: x[i], model.z: z[i]})  # fmt: skip
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a[i].reshape(b.shape), b, rtol=1e-4, atol=1e-6)


def test_members_do_not_influence_each_other():
    args = make_args("--minibatch")
    members = members_of(args, [1, 2, 3], learning_rate=[0.005, 0.01, 0.02])
    rng = np.random.RandomState(0)
    x = rng.normal(4, 0.5, (30, 1, 3, 12, 1))
    zd, zg = rng.uniform(-8, 8, (30, 1, 3, 12, 1)), rng.uniform(-8, 8, (30, 3, 12, 1))
    losses = []
    for shift in (0.0, 3.0):  # change member 1's data only
        _, pop, session = build_population(args, members)
        moved = x.copy()
        moved[:, :, 1] += shift
        losses.append(session.run(pop.loops.losses, feed_of(pop, moved, zd, zg)))
    for before, after in zip(*losses, strict=True):  # (T, N) each
        np.testing.assert_array_equal(before[:, [0, 2]], after[:, [0, 2]])
        assert not np.array_equal(before[:, 1], after[:, 1])


def test_per_member_learning_rates_decay_as_a_single_run_s():
    args = make_args("--decay-rate", "0.9")
    members = members_of(args, [1, 2], learning_rate=[0.03, 0.01])
    graph, pop, session = build_population(args, members, start=False)
    for step, factor in [(0, 1.0), (149, 1.0), (150, 0.9), (450, 0.9**3)]:
        with graph.as_default():
            pop.d_optimizer.step.load(step, session)
        np.testing.assert_allclose(session.run(pop.lr_d), [0.03 * factor, 0.01 * factor], rtol=1e-6)


def test_a_spread_start_is_the_single_runs_with_each_members_own_data_mean():
    args = make_args("--preset", "robust", "--g-start", "spread")
    members = members_of(args, [3, 8])
    _, pop, session = build_population(args, members)
    values = named_values(pop, session, pop.g_params)
    for i, seed in enumerate((3, 8)):
        batch = gan.DataDistribution(N_4_05, np.random.RandomState(seed)).sample(args.batch_size)
        for name, value in spread_start(4, 8 * 0.125, batch, args.g_start_slope).items():
            np.testing.assert_allclose(values[name][i].ravel(), np.ravel(value), rtol=1e-6)
    assert values["G/g0/w"][0].ravel().tolist() == [-3, -3, 3, 3]
    np.testing.assert_allclose(values["G/g0/b"][0].ravel(), [-2.25, -0.75, -0.75, -2.25])
