"""A study's configurations: the grid of every --sweep value list, or with --search N, N points of
a scrambled quasi-random sequence (scipy.stats.qmc.Halton, seeded with the study's --seed) drawn
over the sweeps' ranges and choices. The same command draws the same configurations."""

import itertools
import math
from typing import NamedTuple

import numpy as np

SIGNIFICANT_DIGITS = 3  # drawn numbers are rounded, so run names and tables stay readable


class Range(NamedTuple):
    """--sweep FLAG=LOW:HIGH (uniform) or FLAG=LOW:HIGH:log (log-uniform); whole is True for a
    flag that takes whole numbers, whose draws are rounded to them."""

    low: float
    high: float
    log: bool
    whole: bool

    def at(self, u):
        """The value at u in [0, 1): rounded, and kept within [low, high] after rounding."""
        if self.log:
            value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + u * (self.high - self.low)
        if self.whole:
            return int(min(max(round(value), self.low), self.high))
        return min(max(float(f"{value:.{SIGNIFICANT_DIGITS}g}"), self.low), self.high)

    def __str__(self):
        return f"{self.low:g}:{self.high:g}" + (":log" if self.log else "")


def parse_range(text, convert, whole):
    """'LOW:HIGH' or 'LOW:HIGH:log' -> Range; convert checks each end as the flag checks a value.
    Raises ValueError with what is wrong."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "log"):
        raise ValueError(f"{text!r} is not LOW:HIGH or LOW:HIGH:log")
    low, high = convert(parts[0]), convert(parts[1])
    if not low < high:
        raise ValueError(f"{text!r}: LOW must be below HIGH")
    log = len(parts) == 3
    if log and low <= 0:
        raise ValueError(f"{text!r}: a log range needs LOW > 0")
    return Range(float(low), float(high), log, whole)


def unit_points(n, dims, seed):
    """(n, dims) scrambled Halton points in [0, 1), the same for the same seed."""
    from scipy.stats import qmc

    return qmc.Halton(dims, scramble=True, rng=np.random.default_rng(seed)).random(n)


def draw(sweeps, n, seed):
    """n configurations, [{dest: value}], over sweeps [(dest, Range or [choices])]: each sweep is
    one dimension of the sequence; a list's choices split its dimension into equal parts."""
    points = unit_points(n, len(sweeps), seed)  # (n, sweeps)
    configurations = []
    for row in points:
        values = {}
        for (dest, spec), u in zip(sweeps, row, strict=True):
            values[dest] = spec.at(u) if isinstance(spec, Range) else spec[min(int(u * len(spec)), len(spec) - 1)]
        configurations.append(values)
    return configurations


def configurations(args):
    """The study's swept values, one dict per configuration: --search's draws, else the grid."""
    if args.search:
        return draw(args.sweep, args.search, args.seed)
    grids = [[(dest, v) for v in values] for dest, values in args.sweep]
    return [dict(combo) for combo in itertools.product(*grids)]


def describe(dest, spec):
    """A sweep as written in a folder name: FLAG-V1+V2 or FLAG-LOW:HIGH[:log]."""
    shown = str(spec) if isinstance(spec, Range) else "+".join(map(str, spec))
    return f"{dest.replace('_', '-')}-{shown}"
