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


def scipy_metrics(samples, grid):
    """The metrics as scipy computes them, one run at a time."""
    from scipy.spatial.distance import jensenshannon

    counts = np.histogram(samples, grid.edges)[0]
    return {
        "w1": stats.wasserstein_distance(samples, grid.quantiles),
        "ks": stats.kstest(samples, "norm", args=(4.0, 0.5), method="asymp").statistic,
        "js": jensenshannon(counts, np.diff(stats.norm.cdf(grid.edges, 4.0, 0.5)), base=2) ** 2,
        "mean": np.mean(samples),
        "std": np.std(samples),
    }


def test_vectorised_metrics_equal_scipy_to_1e_9(grid):
    rng = np.random.RandomState(0)
    runs = np.stack(
        [
            rng.normal(4.0, 0.5, 10_000),  # the data
            rng.normal(4.3, 0.2, 10_000),  # narrow and shifted
            rng.standard_cauchy(10_000) + 4,  # heavy tails, mass outside the plot
            np.full(10_000, 4.0) + rng.random_sample(10_000) * 1e-3,  # a spike
            rng.uniform(-30, 30, 10_000).astype(np.float32).astype(np.float64),  # wide, from float32
        ]
    )
    batch = gm.batch_metrics(runs, grid)
    for i, samples in enumerate(runs):
        for name, value in scipy_metrics(samples, grid).items():
            assert abs(batch[name][i] - value) <= 1e-9, (i, name, batch[name][i], value)


def test_a_run_with_a_non_finite_sample_gets_nan_and_the_others_do_not(grid):
    runs = np.stack([exact_sample(), exact_sample()])
    runs[1, 5] = np.inf
    batch = gm.batch_metrics(runs, grid)
    assert batch["w1"][0] < 1e-9 and all(math.isnan(batch[name][1]) for name in gm.METRIC_NAMES)


def verdict_of(samples, grid, status="completed"):
    return gm.verdict(status, gm.metrics(samples, grid), grid.reference, diverged_step=7)


def test_the_verdict_names_what_failed_measured(grid):
    assert verdict_of(exact_sample(), grid)[0] == "accurate"
    label, reason = verdict_of(exact_sample(sigma=0.3), grid)  # narrow, near the data: converged only
    assert label == "converged" and "std ratio 0.60 outside 0.9-1.1" in reason
    label, reason = verdict_of(np.concatenate([exact_sample(n=4_000), np.full(6_000, 30.0)]), grid)
    assert label == "failed" and reason.startswith("60% of the generated mass lies beyond 4 sigma")
    label, reason = verdict_of(np.full(10_000, 4.0), grid)
    assert label == "failed" and "a spike: the generated std is 0.00 of the data's (mode collapse)" in reason
    label, reason = verdict_of(exact_sample(mu=5.0), grid)
    assert label == "failed" and "the generated mean is off by +1.00 (2.0 sigma)" in reason
    assert verdict_of(exact_sample(), grid, "diverged") == (
        "diverged",
        "a loss or a generated sample became NaN or infinite at step 7.",
    )
