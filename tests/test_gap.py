"""The gap bound (gan1d/gap.py): G's slope from the graph against finite differences of G computed
in numpy, the bound against Monte Carlo counts for generators built by hand, and a run's rows."""

import math

import numpy as np
import pytest
from conftest import build, gan, make_args, tf
from scipy import stats

from gan1d import gap
from gan1d.metrics import EvalGrid, batch_metrics
from gan1d.sources import SyntheticReference
from gan1d.target import Target

TWO_MODES = Target([2.0, 6.0], 0.5)  # gap (3.5, 4.5)


def numpy_generator(weights, scale):
    """G(z) in float64 from its weights: softplus(z * scale @ w0 + b0) @ w1 + b1."""
    w0, b0, w1, b1 = (np.asarray(weights[f"G/{name}"], np.float64) for name in ("g0/w", "g0/b", "g1/w", "g1/b"))
    return lambda z: (np.logaddexp(0, (z[:, None] * scale) @ w0 + b0) @ w1 + b1)[:, 0]


def test_slope_is_dg_dz_by_finite_differences_with_the_input_scale():
    args = make_args("--g-input-scale", "0.3", "--g-init", "0.8")
    graph, model, session = build(args)
    zs = np.linspace(-8, 8, 1001)
    with graph.as_default():
        ops = model.evaluation
        slopes, values = session.run([ops.slope, ops.G], {ops.z: zs[:, None]})
        weights = dict(zip([v.op.name for v in model.g_params], session.run(model.g_params), strict=True))
    g, h = numpy_generator(weights, 0.3), 1e-5
    finite_differences = (g(zs + h) - g(zs - h)) / (2 * h)  # float64: error ~1e-10
    np.testing.assert_allclose(values[0], g(zs), rtol=1e-5, atol=1e-5)  # the numpy G is the graph's
    np.testing.assert_allclose(slopes[0], finite_differences, rtol=1e-4, atol=1e-6)  # float32 gradient


def test_each_member_of_a_population_gets_its_own_slope():
    args = make_args("--num-steps", "10")
    members = [args.replace(seed=1, g_input_scale=0.5), args.replace(seed=2, g_input_scale=2.0)]
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(1)
        pop = gan.GAN(args, members)
        session = tf.Session(graph=graph)
        session.run(pop.init)
        zs = np.linspace(-4, 4, 201)
        slopes, values = session.run([pop.evaluation.slope, pop.evaluation.G], {pop.evaluation.z: zs[:, None]})
    for i in range(2):
        np.testing.assert_allclose(slopes[i], np.gradient(values[i], zs), rtol=2e-2, atol=2e-3)


def linear_generator_bound(noise, slope, offset):
    """The bound for G(z) = slope * z + offset on the two-mode gap."""
    z = np.linspace(-8, 8, 10_000) if noise == "uniform" else stats.norm.ppf((np.arange(10_000) + 0.5) / 10_000)
    samples = slope * z + offset
    return gap.gap_bound(samples[None], np.array([slope]), TWO_MODES, noise, 8.0)[0]


@pytest.mark.parametrize("noise,slope,offset", [("uniform", 0.5, 4.0), ("uniform", 2.0, 3.0), ("normal", 1.5, 4.2)])
def test_the_bound_is_the_gap_mass_of_a_linear_generator_by_monte_carlo(noise, slope, offset):
    """A linear G has one slope everywhere, so it spends exactly width / L of its noise in the gap:
    the bound is tight, and a Monte Carlo count of 10^6 noise draws finds it."""
    rng = np.random.default_rng(0)
    z = rng.uniform(-8, 8, 1_000_000) if noise == "uniform" else rng.standard_normal(1_000_000)
    x = slope * z + offset
    counted = np.mean((x > 3.5) & (x < 4.5))
    bound = linear_generator_bound(noise, slope, offset)
    assert abs(counted - bound) <= 4 * math.sqrt(bound * (1 - bound) / len(z)) + 1e-4  # 4 standard errors


def test_a_steep_generator_crossing_the_gap_sits_above_its_bound():
    """G(z) = tanh(3z) * 2 + 4 is steepest (slope 6) in the gap, flatter elsewhere: the measured gap mass
    exceeds width / (2 R L) = 1 / 96, computed by hand."""
    z = np.linspace(-8, 8, 10_001)  # z = 0, where the slope peaks, is a grid point
    x = 2 * np.tanh(3 * z) + 4
    lipschitz = gap.steepest_slope((6 / np.cosh(3 * z) ** 2)[None])
    assert lipschitz[0] == pytest.approx(6.0, rel=1e-6)
    bound = gap.gap_bound(x[None], lipschitz, TWO_MODES, "uniform", 8.0)[0]
    assert bound == pytest.approx(1.0 / (2 * 8 * 6))
    assert np.mean((x > 3.5) & (x < 4.5)) >= bound


def test_no_bound_where_g_stays_on_one_side_and_nan_for_non_finite_slopes():
    x = np.linspace(0.0, 3.0, 100)[None]  # all left of the gap
    assert gap.gap_bound(x, np.array([1.0]), TWO_MODES, "uniform", 8.0)[0] == 0.0
    assert np.isnan(gap.steepest_slope(np.array([[1.0, np.nan]]))[0])
    assert gap.gap_bound(np.array([[1.0, 5.0]]), np.array([np.nan]), TWO_MODES, "normal", 8.0)[0] != 0.0


def test_batch_metrics_reports_the_slope_and_bound_only_given_slopes():
    grid = EvalGrid(SyntheticReference(TWO_MODES, 1000), 8.0, 12)
    z = grid.zs
    samples, slopes = (0.5 * z + 4)[None], np.full((1, len(z)), 0.5)
    without = batch_metrics(samples, grid)
    assert np.isnan(without["slope_max"][0]) and np.isnan(without["gap_bound"][0])
    scores = batch_metrics(samples, grid, slopes)
    assert scores["slope_max"][0] == 0.5
    assert scores["gap_bound"][0] == pytest.approx(1.0 / (2 * 8 * 0.5))
    assert scores["gap_mass"][0] == pytest.approx(scores["gap_bound"][0], abs=2e-4)  # a linear G: tight


def test_preimages_are_the_noise_intervals_mapped_into_the_gaps():
    z = np.linspace(-8, 8, 1601)
    spans = gap.preimages(z, 0.5 * z + 4, TWO_MODES)  # x in (3.5, 4.5) <=> z in (-1, 1)
    assert len(spans) == 1
    assert spans[0][0] == pytest.approx(-0.99, abs=0.011) and spans[0][1] == pytest.approx(0.99, abs=0.011)


@pytest.mark.slow
def test_every_evaluation_of_a_mixture_run_writes_l_and_a_bound_its_gap_mass_obeys(tmp_path):
    args = make_args(
        "--preset", "robust", "--target", "two-modes", "--num-steps", "200", "--eval-every", "50", out_dir=tmp_path
    )
    summary = gan.run(args)
    rows = gan.runner.files.read_results(f"{tmp_path}/{args.run_name}/metrics.csv")
    assert [r["step"] for r in rows] == [0, 50, 100, 150, 200]
    for r in rows:
        assert r["slope_max"] > 0
        assert r["gap_mass"] >= r["gap_bound"] - 2e-4  # the grid's 10,000 points resolve the gap mass to 1e-4
    assert summary["slope_max"] == rows[-1]["slope_max"] and summary["gap_bound"] == rows[-1]["gap_bound"]
    assert (tmp_path / args.run_name / "generator.png").stat().st_size > 10_000
    assert summary["sampler"] == "plain" and summary["samples"] == "samples.npy"
