"""gan1d/shapes.py: targets beyond mixtures of normals, exact against scipy.stats; --shape read
without eval, one line per bad spec; moved copies; the w1 limits in the target's own unit."""

import numpy as np
import pytest
from conftest import make_args
from scipy import stats

from gan1d import metrics
from gan1d.presets import SHAPE_TARGETS
from gan1d.shapes import Shape
from gan1d.target import Target

CASES = {
    "lognorm:s=0.5,loc=2,scale=2": stats.lognorm(s=0.5, loc=2, scale=2),
    "gamma:a=2,loc=3,scale=0.5": stats.gamma(a=2, loc=3, scale=0.5),
    "t:df=3,loc=4,scale=0.5": stats.t(df=3, loc=4, scale=0.5),
    "uniform:loc=2,scale=4": stats.uniform(loc=2, scale=4),
}


@pytest.mark.parametrize("spec", CASES)
def test_a_shape_is_scipy_s_distribution(spec):
    shape, truth = Shape(spec), CASES[spec]
    x = np.linspace(-2, 12, 301)
    q = np.linspace(0.001, 0.999, 99)
    np.testing.assert_array_equal(shape.pdf(x), truth.pdf(x))
    np.testing.assert_array_equal(shape.cdf(x), truth.cdf(x))
    np.testing.assert_array_equal(shape.ppf(q), truth.ppf(q))
    assert (shape.mean, shape.std) == (truth.mean(), truth.std())
    drawn = shape.sample(np.random.RandomState(0), 200_000)
    assert stats.kstest(drawn, truth.cdf).pvalue > 1e-4  # its draws follow it
    outside = 1 - np.mean(shape.within(drawn, 4.0))
    assert outside == pytest.approx(2 * stats.norm.sf(4), abs=1e-4)  # as rare beyond "4 sigma" as a normal's


def test_a_moved_copy_is_the_same_shape_stretched_and_shifted():
    base, moved = Shape("gamma:a=2,loc=3,scale=0.5"), Shape("gamma:a=2,loc=3,scale=0.5", shift=1000, stretch=100)
    q = np.linspace(0.01, 0.99, 9)
    np.testing.assert_allclose(moved.ppf(q), base.ppf(q) * 100 + 1000, rtol=1e-12)
    assert moved.unit == pytest.approx(100 * base.unit)
    two, far = Target.named("two-modes"), Target.named("two-modes-x100")
    np.testing.assert_allclose(far.ppf(q), two.ppf(q) * 100 + 1000, rtol=1e-9)
    assert far.gaps() == [(pytest.approx(a * 100 + 1000), pytest.approx(b * 100 + 1000)) for a, b in two.gaps()]
    assert (far.unit, two.unit) == (50.0, 0.5)


def test_every_named_shape_builds_and_the_tutorial_s_target_is_unchanged():
    for name in SHAPE_TARGETS:
        assert Target.named(name).std > 0
    one = Target.of(make_args())
    assert type(one) is Target and one.unit == 0.5 and one.describe() == "N(4, 0.5)"


def test_the_w1_limits_follow_the_target_s_unit():
    row = {"status": "completed", "w1": 0.08, "std_ratio": 1.0, "outside_fraction": 0.0}
    assert not metrics.is_accurate(row)  # the tutorial's unit: 0.05
    assert metrics.is_accurate({**row, "unit": 1.0}) and not metrics.is_accurate({**row, "unit": 0.5})
    assert metrics.is_converged({**row, "w1": 0.5, "unit": 1.0}) and not metrics.is_converged({**row, "w1": 0.5})
    label, reason = metrics.verdict("completed", {**row, "w1": 0.1, "mean": 4.27, "std": 1.2}, Target.named("skewed"))
    assert label == "accurate" and "<= 0.121" in reason


BAD = {
    "gammma:a=2": "'gammma' is not one of",
    "gamma": "gamma needs a",
    "gamma:a=x": "a='x': not a number",
    "gamma:a=2,q=1": "gamma takes a, loc, scale, not q",
    "t:df=2": "df = 2 is below 3",
    "gamma:a=-1": "outside its domain",
    "gamma:a=2,scale=0": "scale must be > 0",
    "gamma:a=inf": "not a finite number",
    "uniform:loc=__import__('os').system('x')": "not a number",
    "gamma:a": "'a' is not PARAMETER=VALUE",
}


@pytest.mark.parametrize("spec", BAD)
def test_a_bad_shape_is_one_line(capsys, spec):
    with pytest.raises(SystemExit) as exit_:
        make_args("--shape", spec)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and BAD[spec] in err and len(err.splitlines()) == 1, err


def test_a_shape_with_modes_flags_is_refused(capsys):
    with pytest.raises(SystemExit):
        make_args("--shape", "gamma:a=2", "--mu", "3")
    assert "a distribution of its own, not modes: leave out --mu" in capsys.readouterr().err
