"""The data's distribution: N(mu, sigma), or a mixture sum_k w_k N(mu_k, sigma^2) of modes that
share one sigma (--mu 2,6 --sigma 0.5 [--weights 1,3]). Sampling, density, CDF, exact quantiles,
moments, and where the gaps between modes lie. With one mode every formula is the tutorial's own:
the same random stream and scipy's arithmetic."""

import numpy as np

from .lazy import special
from .presets import TARGETS

MODE_RADIUS = 3.0  # a sample belongs to a mode within 3 sigma of its mean (the mode-collapse papers' rule)
PRETRAIN_HALF_WIDTH = 5.0  # the 2016 code pretrains D_pre on [-5, 5]


NORM_PDF_C = np.sqrt(2 * np.pi)


def normal_pdf(x, loc, scale):
    """scipy.stats.norm.pdf(x, loc, scale) in its own arithmetic (the same bits: tests/test_target.py),
    without importing scipy.stats, which costs a single run over a second."""
    y = (np.asarray(x, dtype=float) - loc) / scale
    return np.exp(-(y**2) / 2.0) / NORM_PDF_C / scale


class Target:
    def __init__(self, means, sigma, weights=None):
        self.means = np.atleast_1d(np.asarray(means, dtype=float))
        self.sigma = float(sigma)
        w = np.ones(len(self.means)) if weights is None else np.asarray(weights, dtype=float)
        self.weights = w / w.sum()
        self.mean = float(self.weights @ self.means)
        self.std = float(np.sqrt(self.sigma**2 + self.weights @ (self.means - self.mean) ** 2))

    @classmethod
    def of(cls, args):
        return cls(args.mu, args.sigma, args.weights)

    @classmethod
    def named(cls, name):
        """A classic data shape of --target by its name (gan1d/presets.py: TARGETS)."""
        shape = TARGETS[name]
        return cls(shape["mu"], shape["sigma"], shape.get("weights"))

    @property
    def modes(self):
        return len(self.means)

    def sample(self, rng, n):
        """n draws, unsorted; one mode draws exactly as the reference, rng.normal(mu, sigma, n)."""
        if self.modes == 1:
            return rng.normal(self.means[0], self.sigma, n)
        modes = rng.choice(self.modes, n, p=self.weights)
        return rng.normal(self.means[modes], self.sigma)

    def pdf(self, x):
        if self.modes == 1:
            return normal_pdf(x, self.means[0], self.sigma)
        return sum(w * normal_pdf(x, m, self.sigma) for m, w in zip(self.means, self.weights, strict=True))

    def cdf(self, x):
        if self.modes == 1:
            return special.ndtr((x - self.means[0]) / self.sigma)
        return sum(w * special.ndtr((x - m) / self.sigma) for m, w in zip(self.means, self.weights, strict=True))

    def ppf(self, q):
        """Exact quantiles: scipy's for one mode; for a mixture, bisection of the CDF to float precision."""
        q = np.asarray(q, dtype=float)
        if self.modes == 1:
            return special.ndtri(q) * self.sigma + self.means[0]  # scipy.stats.norm.ppf's own arithmetic
        low = np.full(q.shape, self.means.min() - 40 * self.sigma)
        high = np.full(q.shape, self.means.max() + 40 * self.sigma)
        for _ in range(100):  # halves an interval of ~100 sigma to below float64's resolution
            middle = (low + high) / 2
            below = self.cdf(middle) < q
            low, high = np.where(below, middle, low), np.where(below, high, middle)
        return (low + high) / 2

    def pretraining_range(self):
        """D_pre's inputs: the 2016 code's [-5, 5], widened to cover every mode +- 2 sigma."""
        low = min(-PRETRAIN_HALF_WIDTH, self.means.min() - 2 * self.sigma)
        high = max(PRETRAIN_HALF_WIDTH, self.means.max() + 2 * self.sigma)
        return low, high

    def gaps(self):
        """The intervals between neighbouring modes farther than MODE_RADIUS sigma from both."""
        means = np.sort(self.means)
        r = MODE_RADIUS * self.sigma
        return [(a + r, b - r) for a, b in zip(means[:-1], means[1:], strict=True) if b - a > 2 * r]

    def gap_mass(self):
        """The data's own mass in the gaps (0.14% for 0.5 N(2, 0.5) + 0.5 N(6, 0.5))."""
        return float(sum(self.cdf(b) - self.cdf(a) for a, b in self.gaps()))

    def describe(self):
        if self.modes == 1:
            return f"N({self.means[0]:g}, {self.sigma:g})"
        terms = [f"{w:.2g} N({m:g}, {self.sigma:g})" for m, w in zip(self.means, self.weights, strict=True)]
        return " + ".join(terms)
