"""The price a continuous generator pays for a gap between modes (docs/gap.md). G maps one connected
noise interval continuously, so where it puts mass on both sides of a gap (a, b) it crosses the gap,
and it spends at least (b - a) / L of the noise there, L = max |dG/dz| its steepest slope. That noise's
mass is a lower bound on the generated mass in the gap:
  uniform noise on [-R, R]: (b - a) / (2 R L)                  (Tanielian et al. 2020)
  normal noise:             Phi(Phi^-1(p) + (b - a) / L) - p   (Salmona et al. 2022)
with p the generated mass left of the gap (or, the same argument from the other side, right of it:
the larger of the two is kept, both being bounds). Where G stays on one side the bound is 0.
A mixture (--generators K, --latent mixture) is continuous only within each generator or latent
component: its bound is each one's, on its own samples and slope, weighted by its share."""

import numpy as np

from .lazy import special


def steepest_slope(slopes):
    """L of each member, (N, n) slopes dG/dz on the noise grid -> (N,); NaN where a slope is not finite."""
    slopes = np.abs(np.asarray(slopes, dtype=np.float64))
    return np.where(np.all(np.isfinite(slopes), axis=1), np.max(slopes, axis=1, initial=0.0), np.nan)


def crossing_mass(width, lipschitz, side, noise, noise_range):
    """The least noise mass G must spend crossing a gap of this width with slope at most L, given
    the mass `side` it puts on one side (normal noise; uniform noise needs only the width). (N,) each."""
    with np.errstate(divide="ignore", invalid="ignore"):
        length = width / lipschitz  # the shortest noise interval G can cross the gap on
        if noise == "uniform":
            return length / (2 * noise_range)
        return special.ndtr(special.ndtri(side) + length) - side


def gap_bound(samples, lipschitz, target, noise, noise_range):
    """The bound's lower limit on the generated mass in the target's gaps, summed over the gaps G
    puts mass on both sides of (they are disjoint, so the bounds add): samples (N, n), L (N,) -> (N,)."""
    x = np.asarray(samples, dtype=np.float64)
    bound = np.zeros(len(x))
    for a, b in target.gaps():
        left, right = np.mean(x <= a, axis=1), np.mean(x >= b, axis=1)  # (N,) each
        both = (left > 0) & (right > 0)
        from_left = crossing_mass(b - a, lipschitz, left, noise, noise_range)
        from_right = crossing_mass(b - a, lipschitz, right, noise, noise_range)
        bound += np.where(both, np.fmax(from_left, from_right), 0.0)
    bound = np.minimum(bound, 1.0)
    return np.where(np.isfinite(lipschitz) & np.all(np.isfinite(x), axis=1), bound, np.nan)


def bound_metrics(samples, slopes, grid, index=None):
    """{slope_max, gap_bound}: (N,) each, for G's samples on the grid's noise and its slopes there;
    index (N, n): which generator or latent component drew each sample, None for one."""
    lipschitz = steepest_slope(slopes)
    if index is None:
        return {
            "slope_max": lipschitz,
            "gap_bound": gap_bound(samples, lipschitz, grid.reference, grid.noise, grid.range),
        }
    bound = np.zeros(len(samples))
    for i, (x, s, c) in enumerate(zip(samples, slopes, index, strict=True)):
        for k in np.unique(c):
            mine = c == k
            own = steepest_slope(s[None, mine])
            bound[i] += np.mean(mine) * gap_bound(x[None, mine], own, grid.reference, grid.noise, grid.range)[0]
    return {"slope_max": lipschitz, "gap_bound": np.where(np.isfinite(lipschitz), bound, np.nan)}


def preimages(zs, samples, target):
    """The noise intervals G maps into each gap: [(z_start, z_end)] over the sorted grid zs (n,), from one
    member's samples (n,) on it (for the figure's shading)."""
    inside = np.zeros(len(zs), dtype=bool)
    for a, b in target.gaps():
        inside |= (samples > a) & (samples < b)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(int), [0]])))
    return [(zs[start], zs[end - 1]) for start, end in zip(edges[::2], edges[1::2], strict=True)]
