"""Each metric against a case with a known answer."""

import math

import numpy as np
import pytest
from conftest import gan, make_args


@pytest.fixture(scope="module")
def grid():
    return gan.EvalGrid(make_args())


@pytest.fixture(scope="module")
def args():
    return make_args()


def exact_sample(mu=4.0, sigma=0.5, n=10_000):
    return gan.stats.norm.ppf((np.arange(n) + 0.5) / n, mu, sigma)


def test_the_data_against_itself_scores_perfectly(grid, args):
    m = gan.metrics(exact_sample(), grid, args, with_kde=True)
    assert m["w1"] < 1e-9
    assert m["ks"] == pytest.approx(0.5 / 10_000, abs=1e-6)  # a quantile sample's KS is 1/(2n)
    assert m["js"] < 1e-4
    assert m["mean"] == pytest.approx(4.0, abs=1e-9) and m["std_ratio"] == pytest.approx(1.0, abs=2e-3)
    assert m["outside_fraction"] == pytest.approx(2 * gan.stats.norm.sf(4), abs=1e-4)  # 6e-5
    entropy = 0.5 * math.log(2 * math.pi * math.e * 0.5**2)  # the best possible mean NLL
    assert m["kde_nll"] == pytest.approx(entropy, abs=0.05)


def test_a_shifted_copy_is_as_far_as_the_shift(grid, args):
    m = gan.metrics(exact_sample(mu=4.5), grid, args)
    assert m["w1"] == pytest.approx(0.5, abs=1e-6)
    assert m["ks"] == pytest.approx(2 * gan.stats.norm.cdf(0.5) - 1, abs=1e-3)  # sup |F(x) - F(x - 0.5)|
    assert m["mean"] == pytest.approx(4.5) and m["std_ratio"] == pytest.approx(1.0, abs=2e-3)


def test_a_point_mass_at_the_mean_is_collapse(grid, args):
    m = gan.metrics(np.full(10_000, 4.0), grid, args, with_kde=True)
    assert m["w1"] == pytest.approx(0.5 * math.sqrt(2 / math.pi), rel=1e-3)  # E|X - mu|
    assert m["ks"] == pytest.approx(0.5, abs=1e-3)
    assert m["std_ratio"] == 0.0 and m["outside_fraction"] == 0.0
    assert m["kde_nll"] == math.inf  # no density can be estimated from one point


def test_a_point_mass_far_away(grid, args):
    m = gan.metrics(np.full(10_000, 30.0), grid, args)
    assert m["w1"] == pytest.approx(26.0, abs=1e-6)
    assert m["ks"] == pytest.approx(1.0) and m["js"] == pytest.approx(1.0, abs=1e-6)
    assert m["outside_fraction"] == 1.0


def test_non_finite_samples_give_nan_metrics(grid, args):
    samples = exact_sample()
    samples[3] = np.nan
    assert all(math.isnan(v) for v in gan.metrics(samples, grid, args).values())


def test_js_counts_mass_outside_the_plot(grid, args):
    half_outside = np.concatenate([exact_sample(n=5_000), np.full(5_000, 100.0)])
    assert gan.metrics(half_outside, grid, args)["js"] > 0.3
