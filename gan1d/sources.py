"""The seam between what training draws from and what the evaluation judges against.

A *source* is in the model's units: sample(rng, n), the density pdf(x) that pretraining fits, and
pretraining_range(). A *reference* is in the data's own units: fresh real draws sample(rng, n) that
are never the held-out ones (the samplers' real batches and the calibration's), the held-out
sample the evaluation reads (evaluation_samples), its quantiles ppf, cdf, mean and std, its mode
structure (means, sigmas, weights, gaps; one mode spanning the data where none is known), the span
the figures show, and exact: whether it is the truth. A synthetic target (gan1d/target.py) is both;
a data file (gan1d/data.py) is a source from its training part and a reference from its held-out
part. Everything else asks source_of(args), reference_of(args) and units_of(args), never which."""

import os

import numpy as np

from . import data
from .target import PRETRAIN_HALF_WIDTH, Target

EVAL_SEED = 1_234  # the plotted and held-out real samples of a synthetic target: the same for every run and step
PLOTTED_REAL = 10_000  # a synthetic target's plotted real samples
DEFAULT_HELD_OUT = 1_000  # a synthetic target's held-out sample, unless --held-out-size
DENSITY_POINTS = 4_096  # a data source's density: its KDE on this many points, interpolated between
SPAN_MARGIN = 0.25  # a data reference's figures reach this share of its range beyond either end
TAIL = 1e-4  # a synthetic target's span for its figures: its quantiles TAIL and 1 - TAIL


def data_set(args):
    return data.loaded(args.data, args.held_out, args.split_seed)


def units_of(args):
    """The model's units (gan1d/data.py's Units): the data's, or the identity for a synthetic target
    unless --standardise asks for the target's own mean and std."""
    if args.data:
        return data_set(args).units
    if args.standardise:
        target = Target.of(args)
        return data.Units(target.mean, target.std)
    return data.Units()


def source_of(args):
    """What training draws from, in the model's units."""
    if args.data:
        ds = data_set(args)
        return DataSource(ds.units.to_model(ds.train))
    target = Target.of(args)
    return target if not args.standardise else StandardisedTarget(target, units_of(args))


def reference_of(args):
    """What the evaluation judges against, in the data's units."""
    if args.data:
        return DataReference(data_set(args))
    return SyntheticReference(Target.of(args), args.held_out_size or DEFAULT_HELD_OUT)


def scott_bandwidth(values):
    return float(np.std(values, ddof=1)) * len(values) ** (-1 / 5)


def with_margin(low, high):
    """A figure's span: [low, high] widened by SPAN_MARGIN of its width on either side."""
    margin = SPAN_MARGIN * (high - low)
    return low - margin, high + margin


def binned_kde(values, grid, bandwidth):
    """A Gaussian KDE of values on an evenly spaced grid: the values binned to the grid, then
    smoothed by the kernel (O(n + grid x kernel), for any n); its integral over the grid is 1."""
    step = grid[1] - grid[0]
    counts = np.histogram(values, np.concatenate([grid - step / 2, [grid[-1] + step / 2]]))[0]
    reach = int(np.ceil(5 * bandwidth / step))  # the kernel beyond 5 bandwidths is below 4e-6 of its peak
    kernel = np.exp(-0.5 * (np.arange(-reach, reach + 1) * step / bandwidth) ** 2)
    smoothed = np.convolve(counts, kernel / (bandwidth * np.sqrt(2 * np.pi)), mode="same")
    return smoothed / len(values)


class SyntheticReference:
    """A synthetic target as a reference: the target itself (exact pdf, cdf, quantiles, modes), and
    its plotted and held-out real samples drawn from a stream of their own."""

    exact = True
    training = None  # training draws afresh from the target: no finite training sample to memorise

    def __init__(self, target, held_out_size):
        self.target, self.held_out_size = target, held_out_size

    def __getattr__(self, name):  # the truth: the target's own attributes and formulas
        return getattr(self.target, name)

    def evaluation_samples(self):
        """(plotted real samples, held-out sample), sorted: the same for every run and step."""
        rng = np.random.RandomState(EVAL_SEED)  # its own stream: never the training stream
        return np.sort(self.target.sample(rng, PLOTTED_REAL)), np.sort(self.target.sample(rng, self.held_out_size))

    def plot_range(self, noise_range):
        """The reference's plotted range, [-range, range], where the target lies within it; else the
        target's own span (a copy far from it: two-modes-x100), whose plots would otherwise be empty."""
        low, high = (float(v) for v in self.target.ppf(np.array([TAIL, 1.0 - TAIL])))
        if -noise_range <= low and high <= noise_range:
            return -noise_range, noise_range
        return with_margin(low, high)


class StandardisedTarget:
    """A synthetic target as a source in the model's units (--standardise)."""

    def __init__(self, target, units):
        self.target, self.units = target, units

    def sample(self, rng, n):
        return self.units.to_model(self.target.sample(rng, n))

    def pdf(self, x):
        return self.target.pdf(self.units.to_data(x)) * self.units.scale

    def pretraining_range(self):
        low, high = (self.units.to_model(np.array(v)) for v in self.target.pretraining_range())
        return min(-PRETRAIN_HALF_WIDTH, low), max(PRETRAIN_HALF_WIDTH, high)


class DataSource:
    """A data file's training part as a source, in the model's units: draws with replacement, the
    density its KDE (Scott's bandwidth), the pretraining range [-5, 5] widened to cover it."""

    def __init__(self, values):
        self.values = values
        low, high = self.pretraining_range()
        self.grid = np.linspace(low - 1, high + 1, DENSITY_POINTS)
        self.density = binned_kde(values, self.grid, scott_bandwidth(values))

    def sample(self, rng, n):
        return self.values[rng.randint(0, len(self.values), n)]

    def pdf(self, x):
        return np.interp(x, self.grid, self.density, left=0.0, right=0.0)

    def pretraining_range(self):
        return min(-PRETRAIN_HALF_WIDTH, float(self.values.min())), max(PRETRAIN_HALF_WIDTH, float(self.values.max()))


class DataReference:
    """A data file's held-out part as a reference, in the data's units: its empirical cdf and
    quantiles, its mean and std, one mode spanning it (its mode structure is read truth-free by
    gan1d/judge.py); fresh real draws come from the training part, never the held-out one."""

    exact = False
    modes = 1

    def __init__(self, ds):
        self.ds, self.held, self.train = ds, ds.held_out, ds.train
        self.training = ds.train  # what the baselines fit and the memorisation distances measure
        self.mean, self.std = float(np.mean(self.held)), float(np.std(self.held))
        self.sigma = self.std
        self.means, self.sigmas, self.weights = np.array([self.mean]), np.array([self.std]), np.ones(1)
        self.held_out_size = len(self.held)

    def sample(self, rng, n):
        """n draws with replacement from the training part (rng: a RandomState or a Generator)."""
        return self.train[rng.choice(len(self.train), n)]

    def evaluation_samples(self):
        """(plotted real samples, held-out sample): the plotted ones drawn from the held-out sample's
        KDE, so that a few values draw a smooth curve."""
        rng = np.random.default_rng(EVAL_SEED)
        plotted = rng.choice(self.held, PLOTTED_REAL) + rng.normal(0, scott_bandwidth(self.held), PLOTTED_REAL)
        return np.sort(plotted), self.held

    def cdf(self, x):
        return np.searchsorted(self.held, x, side="right") / len(self.held)

    def ppf(self, q):
        return np.quantile(self.held, q, method="inverted_cdf")

    def pdf(self, x):
        bandwidth = scott_bandwidth(self.held)
        z = (np.asarray(x, dtype=float)[..., None] - self.held) / bandwidth
        return np.mean(np.exp(-0.5 * z**2), axis=-1) / (bandwidth * np.sqrt(2 * np.pi))

    def within(self, x, radius):
        return np.abs(x - self.mean) <= radius * self.std

    def components(self):
        return zip(self.means, self.sigmas, self.weights, strict=True)

    def gaps(self):
        return []

    def gap_mass(self):
        return 0.0

    def span(self):
        return with_margin(float(self.held[0]), float(self.held[-1]))

    def plot_range(self, noise_range):
        return self.span()

    def describe(self):
        ds = self.ds
        name = os.path.basename(ds.path) + (f":{ds.column}" if ds.column is not None else "")
        return f"{name} ({len(ds.held_out)} held out of {len(ds.held_out) + len(ds.train)})"
