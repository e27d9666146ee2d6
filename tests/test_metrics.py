"""gan1d.metrics: each metric against a case with a known answer; the evaluation grid."""

import math

import numpy as np
import pytest
from conftest import grid_of, make_args
from scipy import stats

from gan1d import metrics as gm


@pytest.fixture(scope="module")
def grid():
    return grid_of(make_args())


def exact_sample(mu=4.0, sigma=0.5, n=10_000):
    return stats.norm.ppf((np.arange(n) + 0.5) / n, mu, sigma)


def test_the_data_against_itself_scores_perfectly(grid):
    m = gm.metrics(exact_sample(), grid, with_kde=True)
    assert m["w1"] < 1e-9
    assert m["ks"] == pytest.approx(0.5 / 10_000, abs=1e-6)  # a quantile sample's KS is 1/(2n)
    assert m["js"] < 1e-4
    assert m["mean"] == pytest.approx(4.0, abs=1e-9) and m["std_ratio"] == pytest.approx(1.0, abs=2e-3)
    assert m["outside_fraction"] == pytest.approx(2 * stats.norm.sf(4), abs=1e-4)  # 6e-5
    entropy = 0.5 * math.log(2 * math.pi * math.e * 0.5**2)  # the best possible mean NLL
    assert m["kde_nll"] == pytest.approx(entropy, abs=0.05)


def test_a_shifted_copy_is_as_far_as_the_shift(grid):
    m = gm.metrics(exact_sample(mu=4.5), grid)
    assert m["w1"] == pytest.approx(0.5, abs=1e-6)
    assert m["ks"] == pytest.approx(2 * stats.norm.cdf(0.5) - 1, abs=1e-3)  # sup |F(x) - F(x - 0.5)|
    assert m["mean"] == pytest.approx(4.5) and m["std_ratio"] == pytest.approx(1.0, abs=2e-3)


def test_a_point_mass_at_the_mean_is_collapse(grid):
    m = gm.metrics(np.full(10_000, 4.0), grid, with_kde=True)
    assert m["w1"] == pytest.approx(0.5 * math.sqrt(2 / math.pi), rel=1e-3)  # E|X - mu|
    assert m["ks"] == pytest.approx(0.5, abs=1e-3)
    assert m["std_ratio"] == 0.0 and m["outside_fraction"] == 0.0
    assert m["kde_nll"] == math.inf  # no density can be estimated from one point


def test_a_point_mass_far_away(grid):
    m = gm.metrics(np.full(10_000, 30.0), grid)
    assert m["w1"] == pytest.approx(26.0, abs=1e-6)
    assert m["ks"] == pytest.approx(1.0) and m["js"] == pytest.approx(1.0, abs=1e-6)
    assert m["outside_fraction"] == 1.0


def test_non_finite_samples_give_nan_metrics(grid):
    samples = exact_sample()
    samples[3] = np.nan
    assert all(math.isnan(v) for v in gm.metrics(samples, grid).values())


def test_js_counts_mass_outside_the_plot(grid):
    half_outside = np.concatenate([exact_sample(n=5_000), np.full(5_000, 100.0)])
    assert gm.metrics(half_outside, grid)["js"] > 0.3


def test_grid_groups_cover_every_point_with_full_groups():
    idx = gm.grid_groups(10_000, 12)
    assert len(idx) % 12 == 0 and set(idx) == set(range(10_000))
    np.testing.assert_array_equal(idx[-12:], np.arange(10_000 - 12, 10_000))


def test_density_is_normalised_by_all_samples_so_mass_outside_lowers_the_curve():
    bins = np.linspace(-1, 1, 11)
    inside = np.linspace(-0.95, 0.95, 100)
    assert np.sum(gm.density(inside, bins) * np.diff(bins)) == pytest.approx(1.0)
    half_outside = np.concatenate([inside, np.full(100, 5.0)])
    assert np.sum(gm.density(half_outside, bins) * np.diff(bins)) == pytest.approx(0.5)
