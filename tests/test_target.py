"""gan1d.target and the mode metrics: a mixture's exact quantiles and sampling, and every mode
metric against a case with a known answer."""

import numpy as np
import pytest
from scipy import stats

from gan1d import metrics as gm
from gan1d.sources import SyntheticReference
from gan1d.target import Target

TWO = Target([2.0, 6.0], 0.5)


def scores(samples, target=TWO):
    grid = gm.EvalGrid(SyntheticReference(target, 1000), 8.0, 12)
    return {k: float(v[0]) for k, v in gm.batch_metrics(np.asarray(samples, float)[None], grid).items()}


def test_mixture_quantiles_invert_its_cdf_and_one_mode_is_scipys():
    q = (np.arange(10_000) + 0.5) / 10_000
    np.testing.assert_allclose(TWO.cdf(TWO.ppf(q)), q, atol=1e-12)
    one = Target([4.0], 0.5)
    np.testing.assert_array_equal(one.ppf(q), stats.norm.ppf(q, 4.0, 0.5))
    assert TWO.mean == 4.0 and TWO.std == pytest.approx(np.sqrt(0.25 + 4.0))


def test_one_mode_draws_the_reference_stream_and_a_mixture_its_weights():
    a, b = np.random.RandomState(3), np.random.RandomState(3)
    np.testing.assert_array_equal(Target([4.0], 0.5).sample(a, 12), b.normal(4.0, 0.5, 12))
    x = Target([2.0, 6.0], 0.5, [1.0, 3.0]).sample(np.random.RandomState(0), 100_000)
    assert np.mean(x > 4) == pytest.approx(0.75, abs=0.01)


def test_pretraining_covers_every_mode_and_keeps_the_2016_range_for_the_tutorial():
    assert Target([4.0], 0.5).pretraining_range() == (-5.0, 5.0)
    assert Target([2.0, 6.0], 0.5).pretraining_range() == (-5.0, 7.0)


def test_the_data_itself_is_separated_with_the_datas_own_gap_mass():
    m = scores(TWO.ppf((np.arange(10_000) + 0.5) / 10_000))
    assert m["w1"] < 1e-9 and m["modes_captured"] == 2 and m["separated"] == 1
    assert m["gap_mass"] == pytest.approx(TWO.gap_mass(), abs=1e-4) and TWO.gap_mass() == pytest.approx(
        0.00135, abs=1e-5
    )
    assert m["high_quality"] == pytest.approx(1 - 0.0027, abs=1e-3)


def test_a_single_mode_is_collapse():
    m = scores(np.random.RandomState(0).normal(2.0, 0.5, 10_000))
    assert m["modes_captured"] == 1 and m["separated"] == 0 and m["gap_mass"] < 0.01


def test_an_even_split_over_the_wrong_modes_captures_none():
    x = np.concatenate([np.full(5_000, 0.0), np.full(5_000, 8.0)])
    m = scores(x)
    assert m["modes_captured"] == 0 and m["high_quality"] == 0 and m["gap_mass"] == 0


def test_a_flat_spread_captures_both_modes_but_is_not_separated():
    m = scores(np.linspace(0.5, 7.5, 10_000))
    assert m["modes_captured"] == 2 and m["gap_mass"] == pytest.approx(1 / 7, abs=1e-3) and m["separated"] == 0


def test_all_mass_in_the_gap():
    m = scores(np.linspace(3.6, 4.4, 10_000))
    assert m["modes_captured"] == 0 and m["gap_mass"] == 1 and m["high_quality"] == 0


def test_mode_collapse_is_named_in_the_verdict():
    x = np.random.RandomState(0).normal(2.0, 0.5, 10_000)
    label, reason = gm.verdict("completed", scores(x), TWO)
    assert label == "failed" and reason.startswith("mode collapse: 1 of 2 modes captured")


def test_five_close_modes_have_gaps_so_a_flat_spread_is_not_separated():
    five = Target.named("five-modes")
    assert len(five.gaps()) == 4
    m = scores(np.linspace(0.4, 7.6, 10_000), five)
    assert m["modes_captured"] == 5 and m["gap_mass"] > 0.1 and m["separated"] == 0


def test_the_density_is_scipys_to_the_bit_and_the_kde_scipys_to_1e_9():
    from gan1d.metrics import kde_nll

    x = np.random.RandomState(0).uniform(-10, 15, 5_000)
    for target in (Target([4.0], 0.5), TWO):
        want = sum(w * stats.norm.pdf(x, m, target.sigma) for m, w in zip(target.means, target.weights, strict=True))
        np.testing.assert_array_equal(target.pdf(x), want)
    rng = np.random.RandomState(1)
    for samples in (
        rng.normal(4, 0.5, 10_000),
        rng.standard_t(3, 10_000),
        np.concatenate([rng.normal(2, 0.3, 5_000), rng.normal(6, 1, 5_000)]),
    ):
        held_out = np.append(rng.normal(4, 0.5, 1_499), 40.0)  # two chunks; a point far from every sample
        kde = stats.gaussian_kde(samples[::5])
        assert kde_nll(samples, held_out) == pytest.approx(-np.mean(kde.logpdf(held_out)), rel=1e-9)


def test_every_classic_mixture_leaves_a_gap_between_neighbouring_modes():
    """Separation is judged on the gaps: a target without them would count a bridge as separated."""
    from gan1d.presets import TARGETS

    for name in TARGETS:
        target = Target.named(name)
        assert len(target.gaps()) == target.modes - 1, name
        assert all(b - a >= target.sigma for a, b in target.gaps()), name  # at least a sigma (the widest mode's) wide
        if target.modes > 1:
            assert target.gap_mass() < 0.01, name  # the data itself is separated
