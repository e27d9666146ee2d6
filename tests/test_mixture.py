"""Generators that can jump (gan1d/mixture.py): the prior's rule, the encoder's loss, DeLiGAN's
gradients, each part's share of a batch, per-mode sigma, and --generators 1 / --latent uniform
adding nothing to the tutorial's graph."""

import json
import os

import numpy as np
import pytest
from conftest import StopAfter, build, gan, make_args, read, run_study, tf

from gan1d.metrics import mode_metrics, mode_shares
from gan1d.mixture import GOLDEN, Mixture
from gan1d.noise import noise_half_width
from gan1d.population import MemberAxis
from gan1d.target import Target


def softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def mixture_of(*flags, logits=None):
    """A Mixture in the current graph; its encoder replaced by fixed logits when given."""
    args = make_args(*flags)
    mixture = Mixture(args, MemberAxis(args), gan.NetConfig.of(args), gan.linear, noise_half_width(args))
    mixture.build()
    if logits is not None:
        mixture.encode = lambda x: tf.constant(logits, tf.float32)
    return mixture


def test_the_learned_priors_step_is_pi_minus_the_mean_posterior_on_real_data():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(32, 4))  # Q's logits on a real batch of 32
    zeta = np.array([[0.3, -0.2, 0.1, 0.5]])
    with tf.Graph().as_default():
        mixture = mixture_of("--generators", "4", logits=logits)
        loss = mixture.prior_loss(tf.zeros((32, 1)))
        (grad,) = tf.gradients(loss, [mixture.zeta])
        step = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[mixture.zeta])
        with tf.Session() as session:
            mixture.zeta.load(zeta, session)
            got_loss, got_grad = session.run([loss, grad])
            session.run(step)
            after = session.run(mixture.zeta)
    q = softmax(logits).mean(axis=0)
    pi = softmax(zeta[0])
    assert got_loss == pytest.approx(-np.sum(q * np.log(pi)), rel=1e-5)
    np.testing.assert_allclose(got_grad[0], pi - q, atol=1e-6)
    np.testing.assert_allclose(after[0], zeta[0] - 0.1 * (pi - q), atol=1e-6)


def test_the_encoders_loss_is_the_cross_entropy_of_the_part_that_drew_each_sample():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(50, 3))
    labels = rng.integers(0, 3, 50)
    with tf.Graph().as_default():
        mixture = mixture_of("--generators", "3", logits=logits)
        loss = mixture.classifier_loss(tf.zeros((50, 1)), tf.one_hot(labels, 3))
        with tf.Session() as session:
            got = session.run(loss)
    log_q = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert got == pytest.approx(-np.mean(log_q[np.arange(50), labels]), rel=1e-5)


@pytest.mark.parametrize("anneal", [False, True])
def test_the_classifier_term_is_its_weight_times_the_cross_entropy_annealed_if_asked(anneal):
    """--classifier-anneal: the weight falls linearly from --classifier-weight at step 0 to 0 at the
    last step (num_steps - 1), as instance noise's scale does; without it the weight stays."""
    logits = np.random.default_rng(4).normal(size=(30, 3))
    labels = np.arange(30) % 3
    flags = ["--generators", "3", "--classifier-weight", "2.5", "--num-steps", "11"] + (["--classifier-anneal"] if anneal else [])  # fmt: skip
    with tf.Graph().as_default():
        mixture = mixture_of(*flags, logits=logits)
        step = tf.placeholder(tf.int64, ())
        (term,) = mixture.g_terms(tf.zeros((30, 1)), tf.one_hot(labels, 3), [], step)
        cross_entropy = mixture.classifier_loss(tf.zeros((30, 1)), tf.one_hot(labels, 3))
        with tf.Session() as session:
            got = [session.run(term, {step: s}) for s in (0, 4, 10, 12)]
            h = session.run(cross_entropy)
    factors = [1.0, 0.6, 0.0, 0.0] if anneal else [1.0] * 4  # step 4 of 0..10: 1 - 4/10
    np.testing.assert_allclose(got, [2.5 * f * h for f in factors], rtol=1e-6, atol=1e-7)


def test_delig_ans_reparameterised_gradients_match_finite_differences():
    """d/d(mu, sigma) of sum_i f(mu_c(i) + sigma_c(i) z_i), f a smooth stand-in for G, against float64
    central differences of the same sum in numpy; and the penalty's gradient -2 (1 - sigma)."""
    rng = np.random.default_rng(2)
    z = rng.uniform(-8, 8, (40, 1))
    c = rng.integers(0, 3, 40)
    mu, sigma = np.array([[-3.0, 0.5, 4.0]]), np.array([[0.4, 0.2, 0.3]])
    f = lambda t: np.tanh(0.7 * t) + 0.1 * t**2  # noqa: E731
    with tf.Graph().as_default():
        mixture = mixture_of("--latent", "mixture", "--latent-components", "3")
        with tf.variable_scope("G"):
            noise = mixture.latent_noise(tf.constant(z, tf.float32), tf.one_hot(c, 3))
        variables = tf.trainable_variables("G/latent/")
        total = tf.reduce_sum(tf.tanh(0.7 * noise) + 0.1 * noise**2)
        grads = tf.gradients(total, variables)
        penalty = mixture.g_terms(None, None, variables, 0)[0]  # --latent-weights equal: no classifier term
        (penalty_grad,) = tf.gradients(penalty, [variables[1]])
        with tf.Session() as session:
            for v, value in zip(variables, (mu, sigma), strict=True):
                v.load(value, session)
            got_mu, got_sigma, got_penalty = session.run([*grads, penalty_grad])

    def numeric(m, s):
        return np.sum(f(m[0, c][:, None] + s[0, c][:, None] * z))

    h = 1e-6
    for k in range(3):
        e = np.zeros((1, 3))
        e[0, k] = h
        assert got_mu[0, k] == pytest.approx((numeric(mu + e, sigma) - numeric(mu - e, sigma)) / (2 * h), rel=1e-4)
        assert got_sigma[0, k] == pytest.approx((numeric(mu, sigma + e) - numeric(mu, sigma - e)) / (2 * h), rel=1e-4)
    np.testing.assert_allclose(got_penalty, 0.1 * -2 * (1 - sigma), rtol=1e-5)  # --sigma-penalty 0.1


def test_each_parts_share_of_a_training_batch_follows_the_prior():
    """Binomial tests of each generator's count in 20,000 stateless draws against pi (a fixed seed)."""
    from scipy import stats

    zeta = np.array([[0.0, 1.0, -0.5, 0.5]])
    pi = softmax(zeta[0])
    with tf.Graph().as_default():
        mixture = mixture_of("--generators", "4")
        index = mixture.drawn(tf.zeros((20_000, 1)), tf.constant(7, tf.int64), "index_d")
        grid_index = mixture.positional(tf.zeros((10_000, 1)))
        with tf.Session() as session:
            mixture.zeta.load(zeta, session)
            counts = session.run(index).sum(axis=0)
            grid = session.run(grid_index).sum(axis=0)
    for k in range(4):
        assert stats.binomtest(int(counts[k]), 20_000, pi[k]).pvalue > 0.001, (k, counts, pi)
    np.testing.assert_allclose(grid / 10_000, pi, atol=2e-3)  # the evaluation's golden-ratio pattern


def test_the_positional_index_is_the_golden_ratios_fractions():
    with tf.Graph().as_default():
        mixture = mixture_of("--generators", "2", "--generator-prior", "equal")
        got = tf.Session().run(tf.argmax(mixture.positional(tf.zeros((6, 1))), -1))
    u = np.mod(np.arange(1, 7) * GOLDEN, 1.0)
    np.testing.assert_array_equal(got, (u > 0.5).astype(int))


def graph_def(*flags):
    """Every op of the built graph by name, type and inputs (a serialised GraphDef differs from one
    build to the next in the names TensorFlow makes unique per process)."""
    graph, model, _ = build(make_args(*flags))
    return [(op.name, op.type, [t.name for t in op.inputs]) for op in graph.get_operations()]


def test_one_generator_and_a_uniform_latent_add_nothing_to_the_tutorials_graph():
    assert graph_def("--generators", "1", "--latent", "uniform") == graph_def()
    assert graph_def("--preset", "robust", "--generators", "1") == graph_def("--preset", "robust")


def test_k_generators_each_have_the_tutorials_generator_under_their_own_scope():
    _, model, _ = build(make_args("--generators", "3"))
    names = sorted(v.op.name for v in model.g_params)
    assert names == sorted(f"G/gen{k}/{layer}/{p}" for k in range(3) for layer in ("g0", "g1") for p in ("w", "b"))
    assert {v.op.name.split("/")[0] for v in model.q_params} == {"Q"}
    assert "Q/prior" in [v.op.name for v in model.q_params]


def test_per_mode_sigma_in_the_mode_metrics_against_hand_counts():
    target = Target([2.0, 6.0], [0.3, 0.7])
    assert target.gaps() == [(pytest.approx(2.9), pytest.approx(3.9))]
    x = np.array([[1.2, 2.0, 2.85, 2.95, 3.5, 3.95, 4.0, 6.0, 8.05, 8.2]])
    # within 3 sigma: mode 2 (0.9): 1.2, 2.0, 2.85; mode 6 (2.1): 3.95, 4.0, 6.0, 8.05
    np.testing.assert_allclose(mode_shares(x, target), [[0.3, 0.4]])
    m = mode_metrics(x, target)
    assert m["gap_mass"][0] == pytest.approx(0.2)  # 2.95 and 3.5 lie in (2.9, 3.9)
    assert m["high_quality"][0] == pytest.approx(0.7)
    assert m["weight_error"][0] == pytest.approx(0.2)  # |0.3 - 0.5|
    assert m["modes_captured"][0] == 2.0 and m["separated"][0] == 0.0
    assert target.std == pytest.approx(np.sqrt(0.5 * 0.09 + 0.5 * 0.49 + 4.0))
    draws = target.sample(np.random.RandomState(0), 200_000)
    rng = np.random.RandomState(0)
    modes = rng.choice(2, 200_000, p=[0.5, 0.5])  # the stream drawn by hand: each mode's own sigma
    np.testing.assert_array_equal(draws, rng.normal(np.array([2.0, 6.0])[modes], np.array([0.3, 0.7])[modes]))
    assert np.std(draws[modes == 0]) == pytest.approx(0.3, rel=0.01)
    assert np.std(draws[modes == 1]) == pytest.approx(0.7, rel=0.01)


def test_one_sigma_for_every_mode_keeps_the_shared_sigmas_stream():
    shared, listed = Target([2.0, 6.0], 0.5), Target([2.0, 6.0], [0.5, 0.5])
    a, b = shared.sample(np.random.RandomState(3), 1000), listed.sample(np.random.RandomState(3), 1000)
    np.testing.assert_array_equal(a, b)


def test_a_sigma_list_must_have_one_per_mode(capsys):
    with pytest.raises(SystemExit):
        gan.parse_args(["--mu", "2,6", "--sigma", "0.3,0.5,0.7"])
    assert "argument --sigma: 3 sigmas for 2 modes (--mu)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        gan.parse_args(["--generators", "2", "--latent", "mixture"])
    assert "choose one" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags",
    [
        pytest.param(("--generators", "2"), marks=pytest.mark.slow),
        pytest.param(("--latent", "mixture", "--latent-weights", "learned"), marks=pytest.mark.slow),
    ],
)
def test_a_mixture_run_resumes_exactly_and_reports_its_parts(tiny, flags):
    whole = tiny(*flags, "--target", "two-modes", "--checkpoint-every", "10", "--run-name", "whole")
    gan.run(whole)
    parts = tiny(*flags, "--target", "two-modes", "--checkpoint-every", "10", "--run-name", "parts")
    assert gan.run(parts, stop_event=StopAfter(2))["status"] == "interrupted"
    gan.run(parts.replace(resume=True))
    for name in ("metrics.csv", "samples.npy"):
        assert read(os.path.join(parts.out_dir, "parts", name)) == read(os.path.join(whole.out_dir, "whole", name))
    with open(os.path.join(whole.out_dir, "whole", "summary.json")) as f:
        summary = json.load(f)
    shares = [p["share"] for p in summary["parts"]]
    assert sum(shares) == pytest.approx(1.0) and len(shares) == (2 if "--generators" in flags else 6)


@pytest.mark.slow
def test_a_mixture_population_trains_as_the_single_runs_of_its_seeds(tmp_path):
    """A study of --generators 3 with learned weights: each member ends where a single run of its
    seed ends, to float32 rounding; the parts' weights are in weights.npz."""
    flags = ("--preset", "robust", "--generators", "3", "--target", "two-modes", "--num-steps", "150", "--no-xla")
    study = make_args(*flags, "--seeds", "2", "--seed", "5", out_dir=tmp_path)
    assert run_study(study) == 0
    (folder,) = [os.path.join(r, d) for r, ds, _ in os.walk(tmp_path) for d in ds if os.path.exists(os.path.join(r, d, "weights.npz"))]  # fmt: skip
    samples = np.load(os.path.join(folder, "samples.npy"))
    with np.load(os.path.join(folder, "weights.npz")) as npz:
        assert npz["Q/prior"].shape == (2, 1, 3)
    for i, seed in enumerate((5, 6)):
        single = make_args(*flags, "--seed", str(seed), out_dir=tmp_path)
        gan.run(single)
        own = np.load(os.path.join(tmp_path, single.run_name, "samples.npy"))
        # a point whose golden-ratio u lies within rounding of the prior's cumulative sum may switch part
        close = np.abs(samples[i] - own) <= 1e-3 + 1e-3 * np.abs(own)
        assert np.mean(close) >= 0.999, (seed, np.mean(close))


@pytest.mark.parametrize("compiled", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_one_draw_for_all_members_is_each_member_s_own_bit_for_bit(compiled):
    """gan1d/cures.py's member_uniforms: TensorFlow's Philox for every member at once, equal to each
    member's own tf.random.stateless_uniform (the draw a single run of its seed makes), and under
    XLA (--xla) to that draw as XLA compiles it."""
    from gan1d.cures import draw_seed, member_uniforms
    from gan1d.lazy import tf2

    seeds = [0, 1, 42, 1019, 2**33 + 5]

    def both(step, n):
        theirs = tf.stack([tf.random.stateless_uniform([n], draw_seed(s, step, "index_g")) for s in seeds])
        return member_uniforms(seeds, step, "index_g", n, compiled), theirs

    with tf.Graph().as_default():
        step = tf.Variable(0, dtype=tf.int64)
        make = tf2.function(both, jit_compile=True) if compiled else both
        pairs = [make(step.read_value(), n) for n in (1, 5, 64, 257)]
        with tf.Session() as session:
            session.run(step.initializer)
            for k in (0, 1, 12_345, 2**30):
                step.load(k, session)
                for ours, theirs in pairs:
                    a, b = session.run([ours, theirs])
                    assert a.shape == b.shape and np.array_equal(a, b)
