"""gan1d/judge.py, gan1d/baselines.py and the reference seam (gan1d/sources.py): each statistic
against an independent computation, the calibration against a simulation of real-vs-real draws,
the truth-free mode count, the verdict, the baselines against scipy and scikit-learn called
directly, and a synthetic target's truth-free metrics against the truth's."""

import math

import numpy as np
import pytest
from conftest import N_4_05
from scipy import stats

from gan1d import baselines, data, judge
from gan1d.metrics import FREE_SUCCESS, KDE_STRIDE, EvalGrid, batch_metrics
from gan1d.sources import DataReference, DataSource, SyntheticReference
from gan1d.target import Target

TWO_MODES = Target([2.0, 6.0], 0.5)


def test_the_two_sample_statistics_against_their_formulas():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 400), rng.normal(0.3, 1.2, 400)
    m = judge.two_sample(a, b)
    assert m["ho_w1"] == pytest.approx(np.mean(np.abs(np.sort(a) - np.sort(b))), rel=1e-12)  # equal sizes
    both = np.sort(np.concatenate([a, b]))
    ecdf = lambda x, at: np.searchsorted(np.sort(x), at, side="right") / len(x)  # noqa: E731
    assert m["ho_ks"] == pytest.approx(np.max(np.abs(ecdf(a, both) - ecdf(b, both))), abs=1e-15)
    mean_abs = lambda x, y: np.mean(np.abs(x[:, None] - y[None, :]))  # noqa: E731
    energy = math.sqrt(2 * mean_abs(a, b) - mean_abs(a, a) - mean_abs(b, b))  # Szekely's, as scipy scales it
    assert m["ho_energy"] == pytest.approx(energy, rel=1e-9)
    assert judge.two_sample(b, a)["ho_ad"] == pytest.approx(m["ho_ad"], rel=1e-12)  # symmetric in its samples
    c = rng.normal(0, 1, 1_000)  # unequal sizes: against scipy's own (its BLAS sum differs in the last bits)
    w1, energy = judge.cdf_distances(c, b)
    assert w1 == pytest.approx(stats.wasserstein_distance(c, b), rel=1e-12)
    assert energy == pytest.approx(stats.energy_distance(c, b), rel=1e-12)
    assert 0 <= m["ho_ks_p"] <= 1


def test_the_held_out_likelihood_is_scipy_s_kde():
    rng = np.random.default_rng(1)
    generated, held = rng.normal(0, 1, 5_000), np.sort(rng.normal(0, 1, 1_500))  # two chunks of the held-out
    expected = np.mean(stats.gaussian_kde(generated[::KDE_STRIDE]).logpdf(held))
    cal = judge.Calibration(SyntheticReference(N_4_05, 1_500), held, 100)
    assert judge.row_metrics(generated, held, cal)["ho_loglik"] == pytest.approx(expected, rel=1e-9)


def test_the_calibration_matches_a_simulation_of_real_against_real():
    held = np.sort(N_4_05.sample(np.random.default_rng(5), 300))
    cal = judge.Calibration(SyntheticReference(N_4_05, 300), held, 2_000)
    rng = np.random.default_rng(99)  # another stream: independent real samples of the same size
    simulated = np.array([judge.two_sample(N_4_05.sample(rng, 2_000), held)["ho_w1"] for _ in range(400)])
    # the calibration's 95% quantile from 200 draws covers 95% +- 1.5% (binomial), the simulation's
    # share +- 1.1%: their share below it lies within 0.95 +- 3.5 combined standard deviations
    assert 0.88 <= np.mean(simulated <= cal.limit["ho_w1"]) <= 1.0
    assert np.median(simulated) == pytest.approx(cal.median["ho_w1"], rel=0.1)


@pytest.mark.parametrize("name, modes", [("one-mode", 1), ("two-modes", 2), ("three-modes", 3), ("four-modes", 4)])
def test_the_truth_free_mode_count(name, modes):
    target = Target.named(name)
    held = target.sample(np.random.default_rng(2), 1_000)
    found = judge.HeldOutModes(held)
    assert found.count == modes
    if modes > 1:
        # each basin holds its mode's weight, within 4 binomial standard deviations of 1,000 draws
        tol = 4 * np.sqrt(target.weights * (1 - target.weights) / 1_000)
        assert np.all(np.abs(found.shares - target.weights) <= tol)


def test_unequal_weights_are_read_as_shares():
    target = Target([2.0, 6.0], 0.5, [1.0, 3.0])
    found = judge.HeldOutModes(target.sample(np.random.default_rng(4), 2_000))
    assert found.count == 2 and found.shares == pytest.approx([0.25, 0.75], abs=4 * np.sqrt(0.1875 / 2_000))


def test_the_verdict_of_real_draws_and_of_a_shifted_or_collapsed_generator():
    held = np.sort(TWO_MODES.sample(np.random.default_rng(6), 1_000))
    cal = judge.Calibration(SyntheticReference(TWO_MODES, 1_000), held, 10_000)
    real = TWO_MODES.sample(np.random.default_rng(7), 10_000)
    label, reason = judge.free_verdict("completed", judge.row_metrics(real, held, cal), cal)
    assert label in FREE_SUCCESS and "2 of the held-out data's 2 modes captured" in reason
    collapsed = np.random.default_rng(8).normal(6.0, 0.5, 10_000)  # one mode lost
    label, reason = judge.free_verdict("completed", judge.row_metrics(collapsed, held, cal), cal)
    assert label == "far" and "a mode is missed" in reason and "times farther from the held-out data" in reason
    label, _ = judge.free_verdict("diverged", dict.fromkeys(judge.FREE_METRICS, math.nan), cal)
    assert label == "diverged"


@pytest.mark.slow
def test_a_synthetic_target_s_truth_free_metrics_agree_with_the_truth_s():
    grid = EvalGrid(SyntheticReference(N_4_05, 10_000), 8.0, 12)
    generated = np.sort(np.random.default_rng(9).normal(4.05, 0.55, 10_000))[None]
    truth = batch_metrics(generated, grid)
    free = judge.free_metrics(generated, grid)
    cal = judge.Calibration(grid.reference, grid.held_out, 10_000)  # every distance calibrated
    # a held-out sample of 10,000 is itself that far from the truth: the median real-vs-real distance
    assert abs(free["ho_w1"][0] - truth["w1"][0]) <= 2 * cal.median["ho_w1"]
    assert abs(free["ho_ks"][0] - truth["ks"][0]) <= 2 * cal.median["ho_ks"]
    assert free["ho_std_ratio"][0] == pytest.approx(truth["std_ratio"][0], rel=0.03)  # the held-out std's error


def data_set(values, fraction=0.2):
    return data.split_data("d.txt", None, "0" * 64, np.asarray(values, dtype=float), fraction, 0)


def test_a_data_reference_reads_its_held_out_part_and_draws_from_its_training_part():
    values = TWO_MODES.sample(np.random.default_rng(10), 2_000) * 100 + 1_000
    ds = data_set(values)
    ref = DataReference(ds)
    x = np.linspace(700, 1_800, 50)
    assert np.array_equal(ref.cdf(x), np.searchsorted(ds.held_out, x, side="right") / len(ds.held_out))
    assert np.array_equal(ref.ppf([0.0, 0.5, 1.0]), np.quantile(ds.held_out, [0.0, 0.5, 1.0], method="inverted_cdf"))
    drawn = ref.sample(np.random.default_rng(0), 500)
    assert np.all(np.isin(drawn, ds.train)) and not np.any(np.isin(drawn, np.setdiff1d(ds.held_out, ds.train)))
    source = DataSource(ds.units.to_model(ds.train))
    grid = np.linspace(-6, 6, 2_001)
    assert np.sum(source.pdf(grid)) * (grid[1] - grid[0]) == pytest.approx(1.0, abs=2e-3)  # a density
    assert source.pdf(np.array([0.0]))[0] < 0.1  # the standardised mixture's dip between its modes


def test_the_baselines_are_scipy_s_and_scikit_learn_s():
    from sklearn.mixture import GaussianMixture

    train = np.sort(TWO_MODES.sample(np.random.default_rng(11), 500))
    drawn, parts = baselines.draws(train, 3_000, seed=5)
    assert np.array_equal(drawn["kde"], stats.gaussian_kde(train).resample(3_000, seed=5)[0])
    fits = [GaussianMixture(k, random_state=5).fit(train[:, None]) for k in range(1, 7)]
    best = min(fits, key=lambda g: g.bic(train[:, None]))
    assert parts == best.n_components == 2
    assert np.allclose(np.sort(drawn["gmm"]), np.sort(best.sample(3_000)[0][:, 0]))
    assert np.all(np.isin(drawn["bootstrap"], train))
    # the Gaussian's draws: its mean and std within 4 standard errors of the training part's
    assert abs(np.mean(drawn["gaussian"]) - np.mean(train)) <= 4 * np.std(train) / np.sqrt(3_000)
    assert np.std(drawn["gaussian"]) == pytest.approx(np.std(train), rel=4 / np.sqrt(2 * 3_000))


def test_nearest_training_distances_against_brute_force():
    rng = np.random.default_rng(12)
    train, x = np.sort(rng.normal(0, 1, 200)), rng.normal(0, 2, 300)
    brute = np.min(np.abs(x[:, None] - train[None, :]), axis=1)
    assert np.array_equal(baselines.nearest(x, train), brute)


def test_the_verdict_s_calibration_is_the_full_one_s_w1_bit_for_bit():
    """The verdict calibrates W1 alone (the cheap sums); the judging study calibrates every distance:
    the same real draws, so the same W1 values, medians and limits."""
    reference, held = SyntheticReference(TWO_MODES, 500), np.random.default_rng(3).normal(4, 2, 500)
    full = judge.Calibration(reference, held, 2_000)
    verdict = judge.Calibration(reference, held, 2_000, judge.VERDICT_DISTANCES)
    assert set(verdict.values) == {"ho_w1"} and set(full.values) == set(judge.DISTANCES)
    np.testing.assert_array_equal(verdict.values["ho_w1"], full.values["ho_w1"])
    assert (verdict.median["ho_w1"], verdict.limit["ho_w1"]) == (full.median["ho_w1"], full.limit["ho_w1"])
