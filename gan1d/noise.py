"""G's noise as the flags shape it (--noise): the reference's stratified uniform points, or the
standard normal quantiles of their places; the evaluation grid's noise; how far the noise reaches.
gan.py's GeneratorDistribution draws the points and shapes them here."""

import numpy as np

from .lazy import special
from .metrics import EVAL_POINTS, EvalGrid


def shaped(z, noise_range, n, kind):
    """Stratified points z of [-range, range], n to a batch, as the noise G sees: themselves
    (uniform), or (normal) the normal quantiles of their place in the range, kept half a grid step
    inside (0, 1) at either end."""
    if kind == "uniform":
        return z
    step = 2 * noise_range / max(n - 1, 1)  # the grid's spacing
    p = (z + noise_range + step / 2) / (2 * noise_range + step)  # the grid's points go to (i + 0.5) / n
    p = np.clip(p, 0.5 / n, 1 - 0.5 / n)  # the jitter may push the last point past the range
    return special.ndtri(p)


def noise_grid(args):
    """G's noise on the evaluation grid: the reference's evenly spaced points, shaped as --noise says."""
    return shaped(EvalGrid.noise_points(args.noise_range), args.noise_range, EVAL_POINTS, args.noise)


def noise_half_width(args):
    """How far G's noise reaches on either side of 0: the range, or the normal grid's widest quantile."""
    return float(np.max(np.abs(noise_grid(args))))
