"""Targets beyond mixtures of normals: a continuous distribution of scipy.stats by name and
parameters (--shape NAME:PARAM=VALUE,...), with its exact pdf, cdf, quantiles and moments from
scipy, read without eval: the name must be one of SHAPES, each parameter one the distribution
takes, each value a finite number. It offers what gan1d/target.py's Target offers, so that every
metric, figure and verdict reads it as it reads a mixture: one "mode" at its mean with its std as
width, no gaps, and "within r sigma" read as within the quantiles that hold a normal's mass within
r sigma (so that "beyond 4 sigma" means as rare a sample as it does for a normal)."""

import math

import numpy as np

from .lazy import special, stats

# The distributions --shape takes, with their help; scipy's own names and parameters.
SHAPES = {
    "norm": "normal: loc, scale",
    "lognorm": "lognormal, skewed: s (the log's std), loc, scale (exp of the log's mean)",
    "gamma": "gamma, skewed: a (shape), loc, scale",
    "t": "Student t, heavy-tailed: df >= 3 (a finite variance and kurtosis defined), loc, scale",
    "uniform": "flat with hard edges on [loc, loc + scale]",
    "laplace": "double exponential, a cusp and heavier tails than a normal: loc, scale",
    "logistic": "logistic: loc, scale",
    "skewnorm": "skew normal: a (skewness), loc, scale",
    "weibull_min": "Weibull: c (shape), loc, scale",
    "gumbel_r": "Gumbel, skewed: loc, scale",
    "beta": "beta on [loc, loc + scale]: a, b",
}
MIN_DF = {"t": 3.0}  # the smallest shape parameter allowed where scipy's would allow less


class ShapeError(ValueError):
    """A --shape that is not a distribution this module takes: one line."""


def parse(text):
    """'NAME:P=V,P=V' -> (name, {parameter: float}); ShapeError naming what is wrong."""
    name, _, rest = text.partition(":")
    if name not in SHAPES:
        raise ShapeError(f"{name!r} is not one of {', '.join(SHAPES)}")
    params = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise ShapeError(f"{item!r} is not PARAMETER=VALUE")
        try:
            number = float(value)
        except ValueError:
            raise ShapeError(f"{key}={value!r}: not a number") from None
        if not math.isfinite(number):
            raise ShapeError(f"{key}={value}: not a finite number")
        if key in params:
            raise ShapeError(f"{key} given twice")
        params[key] = number
    return name, params


def frozen(name, params):
    """scipy's frozen distribution; ShapeError for parameters it does not take or values outside its domain."""
    dist = getattr(stats, name)
    allowed = [p.strip() for p in (dist.shapes or "").split(",") if p.strip()]
    unknown = sorted(set(params) - set(allowed) - {"loc", "scale"})
    if unknown:
        raise ShapeError(f"{name} takes {', '.join(allowed + ['loc', 'scale'])}, not {', '.join(unknown)}")
    missing = [p for p in allowed if p not in params]
    if missing:
        raise ShapeError(f"{name} needs {', '.join(missing)}")
    for key, least in MIN_DF.items():
        if name == key and params[allowed[0]] < least:
            raise ShapeError(f"{name}: {allowed[0]} = {params[allowed[0]]:g} is below {least:g}")
    if params.get("scale", 1.0) <= 0:
        raise ShapeError(f"{name}: scale must be > 0")
    shape = dist(**params)
    mean, var = (float(v) for v in shape.stats("mv"))
    if not (math.isfinite(mean) and math.isfinite(var) and var > 0):
        raise ShapeError(f"{name} with {params}: outside its domain, or without a finite mean and variance")
    return shape


def check(text):
    """An argparse type for --shape: the text, if it names a distribution this module takes."""
    import argparse

    try:
        frozen(*parse(text))
    except ShapeError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None
    return text


class Shape:
    """A scipy.stats distribution as a target, stretched and shifted (x -> stretch x + shift)."""

    def __init__(self, text, shift=0.0, stretch=1.0):
        name, params = parse(text)
        params = {**params, "loc": params.get("loc", 0.0) * stretch + shift, "scale": params.get("scale", 1.0) * stretch}  # fmt: skip
        self.name, self.params, self.dist = name, params, frozen(name, params)
        self.mean, self.std = float(self.dist.mean()), float(self.dist.std())
        self.means, self.sigmas, self.weights = np.array([self.mean]), np.array([self.std]), np.array([1.0])
        self.sigma, self.shared, self.modes, self.stretch = self.std, True, 1, stretch

    @property
    def unit(self):
        return self.std

    def sample(self, rng, n):
        return self.dist.rvs(size=n, random_state=rng)

    def pdf(self, x):
        return self.dist.pdf(x)

    def cdf(self, x):
        return self.dist.cdf(x)

    def ppf(self, q):
        return self.dist.ppf(q)

    def components(self):
        return zip(self.means, self.sigmas, self.weights, strict=True)

    def within(self, x, radius):
        """Within the quantiles that hold a normal's mass within radius sigma of its mean."""
        tail = float(special.ndtr(-radius))
        low, high = self.dist.ppf([tail, 1 - tail])
        return (x >= low) & (x <= high)

    def gaps(self):
        return []

    def gap_mass(self):
        return 0.0

    def pretraining_range(self):
        """D_pre's inputs: [-5, 5] widened to hold the central 95% (a normal's 2 sigma)."""
        low, high = self.dist.ppf([special.ndtr(-2.0), special.ndtr(2.0)])
        return min(-5.0, float(low)), max(5.0, float(high))

    def span(self):
        """What a small figure shows: the central 99.8% and one std beyond."""
        low, high = self.dist.ppf([0.001, 0.999])
        return float(low) - self.std, float(high) + self.std

    def describe(self):
        return f"{self.name}({', '.join(f'{k}={v:g}' for k, v in self.params.items())})"
