"""The data's distribution: N(mu, sigma), or a mixture sum_k w_k N(mu_k, sigma_k^2) of modes that
share one sigma or have one each (--mu 2,6 --sigma 0.5 [--weights 1,3], --mu 2,6 --sigma 0.3,0.7).
Sampling, density, CDF, exact quantiles, moments, and where the gaps between modes lie. With one
mode every formula is the tutorial's own: the same random stream and scipy's arithmetic; with one
shared sigma, the same arithmetic as before modes could differ in width."""

import numpy as np

from .lazy import special
from .presets import NAMED_TARGETS

MODE_RADIUS = 3.0  # a sample belongs to a mode within 3 sigma of its mean (the mode-collapse papers' rule)
PRETRAIN_HALF_WIDTH = 5.0  # the 2016 code pretrains D_pre on [-5, 5]


NORM_PDF_C = np.sqrt(2 * np.pi)


def normal_pdf(x, loc, scale):
    """scipy.stats.norm.pdf(x, loc, scale) in its own arithmetic (the same bits: tests/test_target.py),
    without importing scipy.stats, which costs a single run over a second."""
    y = (np.asarray(x, dtype=float) - loc) / scale
    return np.exp(-(y**2) / 2.0) / NORM_PDF_C / scale


def built(shape, mu, sigma, weights, shift=0.0, stretch=1.0):
    """A Shape or a Target, stretched and shifted; unmoved, exactly the one its flags made before."""
    if shape:
        from .shapes import Shape

        return Shape(shape, shift, stretch)
    if (shift, stretch) == (0.0, 1.0):
        return Target(mu, sigma, weights)
    moved = [m * stretch + shift for m in np.atleast_1d(mu)]
    widths = np.atleast_1d(np.asarray(sigma, dtype=float)) * stretch
    return Target(moved, widths if len(widths) > 1 else float(widths[0]), weights, stretch)


class Target:
    def __init__(self, means, sigma, weights=None, stretch=1.0):
        self.stretch = stretch  # a copy stretched by --stretch: the w1 limits' unit stretches with it
        self.means = np.atleast_1d(np.asarray(means, dtype=float))
        given = np.atleast_1d(np.asarray(sigma, dtype=float))  # one sigma, or one per mode
        self.sigmas = np.broadcast_to(given, self.means.shape).copy()  # (K,)
        self.shared = len(set(self.sigmas.tolist())) == 1  # one sigma: the formulas as they were
        self.sigma = float(self.sigmas[0]) if self.shared else float(self.sigmas.max())  # the widest mode's
        w = np.ones(len(self.means)) if weights is None else np.asarray(weights, dtype=float)
        self.weights = w / w.sum()
        self.mean = float(self.weights @ self.means)
        spread = self.sigma**2 if self.shared else self.weights @ self.sigmas**2
        self.std = float(np.sqrt(spread + self.weights @ (self.means - self.mean) ** 2))

    @classmethod
    def of(cls, args):
        """The target of a run's flags: --shape's distribution (gan1d/shapes.py) or the modes of --mu,
        --sigma and --weights; stretched by --stretch and shifted by --shift (x -> stretch x + shift)."""
        return built(args.shape, args.mu, args.sigma, args.weights, args.shift, args.stretch)

    @classmethod
    def named(cls, name):
        """A classic data shape of --target by its name (gan1d/presets.py: NAMED_TARGETS)."""
        t = {
            "shape": None,
            "mu": None,
            "sigma": None,
            "weights": None,
            "shift": 0.0,
            "stretch": 1.0,
            **NAMED_TARGETS[name],
        }
        return built(t["shape"], t["mu"], t["sigma"], t["weights"], t["shift"], t["stretch"])

    @property
    def unit(self):
        """What the w1 limits scale with (gan1d/metrics.py): one mode's sigma; a mixture's, the tutorial's."""
        return self.sigma if self.modes == 1 else 0.5 * self.stretch

    @property
    def modes(self):
        return len(self.means)

    def sample(self, rng, n):
        """n draws, unsorted; one mode draws exactly as the reference, rng.normal(mu, sigma, n)."""
        if self.modes == 1:
            return rng.normal(self.means[0], self.sigma, n)
        modes = rng.choice(self.modes, n, p=self.weights)
        return rng.normal(self.means[modes], self.sigma if self.shared else self.sigmas[modes])

    def pdf(self, x):
        if self.modes == 1:
            return normal_pdf(x, self.means[0], self.sigma)
        return sum(w * normal_pdf(x, m, s) for m, s, w in self.components())

    def cdf(self, x):
        if self.modes == 1:
            return special.ndtr((x - self.means[0]) / self.sigma)
        return sum(w * special.ndtr((x - m) / s) for m, s, w in self.components())

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

    def components(self):
        """(mean, sigma, weight) of each mode."""
        return zip(self.means, self.sigmas, self.weights, strict=True)

    def within(self, x, radius):
        """Whether each x lies within radius sigma of some mode, each mode by its own sigma: x's shape."""
        return np.any([np.abs(x - m) <= radius * s for m, s in zip(self.means, self.sigmas, strict=True)], axis=0)

    def pretraining_range(self):
        """D_pre's inputs: the 2016 code's [-5, 5], widened to cover every mode +- 2 sigma."""
        low = min(-PRETRAIN_HALF_WIDTH, np.min(self.means - 2 * self.sigmas))
        high = max(PRETRAIN_HALF_WIDTH, np.max(self.means + 2 * self.sigmas))
        return low, high

    def gaps(self):
        """The intervals between neighbouring modes farther than MODE_RADIUS sigma (each its own) from both."""
        order = np.argsort(self.means, kind="stable")
        ends = [
            (self.means[i] - MODE_RADIUS * self.sigmas[i], self.means[i] + MODE_RADIUS * self.sigmas[i]) for i in order
        ]
        return [(a_high, b_low) for (_, a_high), (b_low, _) in zip(ends[:-1], ends[1:], strict=True) if b_low > a_high]

    def gap_mass(self):
        """The data's own mass in the gaps (0.14% for 0.5 N(2, 0.5) + 0.5 N(6, 0.5))."""
        return float(sum(self.cdf(b) - self.cdf(a) for a, b in self.gaps()))

    def span(self):
        """What a small figure of the target shows: its modes and 5 sigma beyond."""
        return self.means.min() - 5 * self.sigma, self.means.max() + 5 * self.sigma

    def describe(self):
        if self.modes == 1:
            return f"N({self.means[0]:g}, {self.sigma:g})"
        terms = [f"{w:.2g} N({m:g}, {s:g})" for m, s, w in self.components()]
        return " + ".join(terms)
