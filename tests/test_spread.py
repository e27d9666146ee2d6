"""gan1d.spread: G's spread start, against its definition computed in numpy."""

import numpy as np
import pytest
from conftest import make_args

from gan1d.spread import spread_start, spread_starts


def generator(values, z):
    """G(z) of a start's weights in numpy: softplus(z w + b) v + c."""
    hidden = np.logaddexp(0, z * np.ravel(values["G/g0/w"]) + np.ravel(values["G/g0/b"]))
    return hidden @ np.reshape(values["G/g1/w"], (-1, 1)) + np.ravel(values["G/g1/b"])


@pytest.mark.parametrize("slope", [1.0, 3.0])
def test_the_spread_start_bends_at_the_slices_centres_whatever_its_slope(slope):
    values = spread_start(4, 8.0, np.array([4.0, 5.0]), slope)
    w, b = np.ravel(values["G/g0/w"]), np.ravel(values["G/g0/b"])
    np.testing.assert_allclose(-b / w, [-6, -2, 2, 6])  # where w z + b = 0
    assert w.tolist() == [-slope, -slope, slope, slope] and np.ravel(values["G/g1/b"]).tolist() == [4.5]
    g = generator(values, np.linspace(-8, 8, 101)[:, None])
    assert np.all(np.diff(g[:, 0]) > 0)  # G starts increasing


def test_the_spread_start_with_std_matches_the_batchs_std_over_the_noise():
    batch = np.random.RandomState(0).normal(4, 0.5, 256)
    values = spread_start(4, 1.0, batch, 3.0, match_std=True)
    g = generator(values, np.linspace(-1, 1, 1001)[:, None])
    assert np.std(g) == pytest.approx(batch.std(), rel=1e-9)


def test_each_member_starts_from_its_own_batch_and_noise_width():
    members = [make_args("--g-start", "spread"), make_args("--g-start", "spread", "--g-input-scale", "0.5")]
    batches = [np.array([1.0, 3.0]), np.array([5.0, 7.0])]
    starts = spread_starts(4, members, batches, lambda m: 8.0)
    assert [float(np.ravel(s["G/g1/b"])[0]) for s in starts] == [2.0, 6.0]
    np.testing.assert_allclose(-np.ravel(starts[1]["G/g0/b"]) / np.ravel(starts[1]["G/g0/w"]), [-3, -1, 1, 3])
