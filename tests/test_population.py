"""gan1d.population: members start as single runs of their seeds, see their data, get their own
gradients, and do not influence each other."""

import argparse

import numpy as np
import pytest
from conftest import N_4_05, build, gan, make_args, tf

from gan1d import population


def members_of(args, seeds, **per_member):
    """One settings namespace per member: args with the member's seed and its own scalars."""
    return [
        argparse.Namespace(**{**vars(args), "seed": seed, **{k: v[i] for k, v in per_member.items()}})
        for i, seed in enumerate(seeds)
    ]


def build_population(args, members):
    graph = tf.Graph()
    with graph.as_default():
        pop = population.Population(gan, args, members)
        session = tf.Session(graph=graph, config=gan.session_config())
        session.run(pop.init)
        seeds = population.single_graph_seeds(gan, members[0])
        for v, value in pop.initial_values(members, seeds).items():
            v.load(value, session)
    return graph, pop, session


@pytest.mark.parametrize("flags", [("--minibatch",), ("--preset", "robust")])
def test_members_start_from_the_weights_of_single_runs_of_their_seeds(flags):
    args = make_args(*flags)
    seeds = [0, 42, 7]
    _, pop, session = build_population(args, members_of(args, seeds))
    values = dict(zip([v.op.name for v in pop.d_pre_params + pop.g_params + pop.d_params], session.run(
        pop.d_pre_params + pop.g_params + pop.d_params), strict=True))  # fmt: skip
    for i, seed in enumerate(seeds):
        _, model, single = build(args, seed=seed)
        names = [v.op.name for v in model.d_pre_params + model.g_params + model.d_params]
        expected = single.run(model.d_pre_params + model.g_params + model.d_params)
        for name, value in zip(names, expected, strict=True):
            if name.startswith("D_pre/") and not args.pretrain_steps:
                continue
            np.testing.assert_array_equal(values[name][i].reshape(value.shape), value, err_msg=f"{seed} {name}")


def test_members_draw_the_data_and_noise_of_single_runs_of_their_seeds():
    args = make_args()
    members = members_of(args, [3, 9])
    streams = population.Streams(gan, members)
    pre_d, _ = streams.pretraining(20, 12)
    x, zd, zg = streams.steps(5, 12, 1)
    for i, seed in enumerate((3, 9)):
        rng = np.random.RandomState(seed)
        d, _ = gan.pretrain_data(rng, 20, 12, N_4_05)
        data, noise = gan.DataDistribution(N_4_05, rng), gan.GeneratorDistribution(8.0, rng)
        single = gan.sample_steps(data, noise, 5, 12, 1)
        np.testing.assert_array_equal(pre_d[:, i, :, 0], d)
        for got, want in zip((x[:, :, i], zd[:, :, i], zg[:, i]), single, strict=True):
            np.testing.assert_array_equal(got, want)


def feed_of(pop, x, zd, zg):
    return {pop.loop_x: x, pop.loop_zd: zd, pop.loop_zg: zg}


@pytest.mark.parametrize("flags", [("--minibatch",), ("--preset", "robust")])
def test_a_members_gradients_equal_a_single_models_on_the_same_weights_and_batch(flags):
    args = make_args(*flags)
    members = members_of(args, [5, 6])
    graph, pop, session = build_population(args, members)
    rng = np.random.RandomState(0)
    x = rng.normal(4, 0.5, (1, args.d_steps, 2, args.batch_size, 1)).astype(np.float32)
    z = rng.uniform(-8, 8, (1, args.d_steps, 2, args.batch_size, 1)).astype(np.float32)
    with graph.as_default():
        l_real, l_fake = pop.discriminate(pop.loop_x[0, 0], fake=pop.generate(pop.loop_zd[0, 0]))
        loss = gan.d_loss_fn(l_real, l_fake, args.loss, axis=[1, 2])
        grads = tf.gradients(tf.reduce_sum(loss), pop.d_params)
    got = session.run(grads, feed_of(pop, x, z, z[:, 0]))
    weights = session.run(pop.d_params + pop.g_params)
    for i in range(2):
        g1, model, single = build(args, seed=members[i].seed)
        with g1.as_default():
            for v, value in zip(model.d_params + model.g_params, weights, strict=True):
                v.load(value[i].reshape(v.shape), single)
            l_r, l_f = model.discriminate(model.x), model.discriminate(model.generate(model.z))
            want = single.run(tf.gradients(gan.d_loss_fn(l_r, l_f, args.loss), model.d_params),
                              {model.x: x[0, 0, i], model.z: z[0, 0, i]})  # fmt: skip
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a[i].reshape(b.shape), b, rtol=1e-4, atol=1e-6)


def test_members_do_not_influence_each_other():
    args = make_args("--minibatch")
    members = members_of(args, [1, 2, 3], learning_rate=[0.005, 0.01, 0.02])
    losses = []
    for shift in (0.0, 3.0):  # change member 1's data only
        _, pop, session = build_population(args, members)
        batches = population.Streams(gan, members).steps(30, 12, 1)
        batches[0][:, :, 1] += shift
        losses.append(session.run(pop.loop_losses, feed_of(pop, *batches)))
    for before, after in zip(*losses, strict=True):  # (T, N) each
        np.testing.assert_array_equal(before[:, [0, 2]], after[:, [0, 2]])
        assert not np.array_equal(before[:, 1], after[:, 1])


def test_per_member_learning_rates_decay_as_a_single_run_s():
    args = make_args("--decay-rate", "0.9")
    members = members_of(args, [1, 2], learning_rate=[0.03, 0.01])
    graph, pop, session = build_population(args, members)
    with graph.as_default():
        lr = pop.d_opt.learning_rate()
        for step, factor in [(0, 1.0), (149, 1.0), (150, 0.9), (450, 0.9**3)]:
            pop.d_opt.step.load(step, session)
            np.testing.assert_allclose(session.run(lr), [0.03 * factor, 0.01 * factor], rtol=1e-6)


def test_a_spread_start_is_the_single_runs_with_each_members_own_data_mean():
    args = make_args("--preset", "robust", "--g-start", "spread")
    members = members_of(args, [3, 8])
    graph, pop, session = build_population(args, members)
    streams = population.Streams(gan, members)
    with graph.as_default():
        population.start(session, pop, streams, members, population.single_graph_seeds(gan, members[0]))
    values = dict(zip([v.op.name for v in pop.g_params], session.run(pop.g_params), strict=True))
    for i, seed in enumerate((3, 8)):
        batch = gan.DataDistribution(N_4_05, np.random.RandomState(seed)).sample(args.batch_size)
        for name, value in gan.spread_start(4, 8 * 0.125, batch, args.g_start_slope).items():
            np.testing.assert_allclose(values[name][i].ravel(), np.ravel(value), rtol=1e-6)
    assert values["G/g0/w"][0].ravel().tolist() == [-3, -3, 3, 3]
    np.testing.assert_allclose(values["G/g0/b"][0].ravel(), [-2.25, -0.75, -0.75, -2.25])
