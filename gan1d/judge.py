"""Judging generated samples without the truth (docs/data.md): two-sample statistics against the
reference's held-out sample, each set against its own spread between real samples of the same
sizes; a truth-free mode count read off the held-out data's density; and the verdict they make,
"indistinguishable from held-out data at n = ...", or "k times farther from the held-out data than
real data is". The same code judges a data file's run and a synthetic target's, whose truth
measures how far the judgement can be trusted (docs/judging.md)."""

import math
import warnings
import weakref

import numpy as np

from .metrics import kde_nll

DISTANCES = ("ho_w1", "ho_ks", "ho_ad", "ho_energy")  # each calibrated against real data's own
VERDICT_DISTANCES = ("ho_w1",)  # what the verdict reads of a calibration: W1's median and spread
FREE_METRICS = (*DISTANCES, "ho_ks_p", "ho_loglik", "ho_std_ratio", "ho_modes", "ho_captured", "ho_valley", "ho_w1_ratio")  # fmt: skip
CALIBRATION_DRAWS = 200  # real samples of the generated sample's size, each against the held-out sample
CALIBRATION_SEED = 4_321  # their stream: the same for every run judged against one reference
SPREAD = 0.95  # "within real data's spread": at most this quantile of the real samples' distances
ACCURATE_SCALE = 0.1  # one mode: w1 beyond real data's median at most 0.1 std (the truth's 0.05 for sigma 0.5)
STD_RATIO = (0.9, 1.1)  # one mode: the std ratio the truth's accurate asks
# The truth-free mode count: the held-out data's KDE, its bandwidth chosen by leave-one-out likelihood
# among Scott's rule times these factors (Scott's alone merges modes: it assumes one normal).
BANDWIDTH_FACTORS = (1.0, 0.7, 0.5, 0.35, 0.25)
MODE_GRID = 1_024  # the density's points over the held-out span
PROMINENCE = 0.25  # a peak is a mode when it rises this share of its height above the dip beside it
MIN_BASIN = 0.05  # and when its basin holds at least this share of the held-out data
MIN_BASIN_VALUES = 8  # and at least this many values: fewer are a bump of the sample's noise
VALLEY = 0.1  # the valley between two modes: where the density is below this share of the lower peak
SEPARATED_VALLEY = 0.02  # separated: generated mass in the valleys at most the held-out's plus 2%
CAPTURED = 0.5  # a mode is captured when its basin holds at least half the held-out share


def two_sample(samples, held):
    """The calibrated distances and the KS p-value of samples (n,) against held (k,): scipy's KS and
    Anderson-Darling, and its W1 and energy distance computed as scipy does but summed by numpy."""
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anderson_ksamp's note that its p-value is capped: unused here
        ks = stats.ks_2samp(samples, held, method="asymp")
        ad = stats.anderson_ksamp([samples, held]).statistic
    w1, energy = cdf_distances(samples, held)
    return {
        "ho_w1": w1,
        "ho_ks": float(ks.statistic),
        "ho_ad": float(ad),
        "ho_energy": energy,
        "ho_ks_p": float(ks.pvalue),
    }


def cdf_distances(u, v):
    """The two-sample W1 and energy distance, the integrals of |F_u - F_v| and 2 (F_u - F_v)^2 (its
    square root), between the sorted pooled values. scipy's wasserstein_distance and energy_distance
    sum them by a BLAS dot product, whose bits change with BLAS's thread count (a Dask worker runs
    one): numpy's pairwise sum gives a study the same bits on workers as in one process."""
    u, v = np.sort(u), np.sort(v)
    pooled = np.sort(np.concatenate([u, v]))
    deltas = np.diff(pooled)
    gap = np.searchsorted(u, pooled[:-1], "right") / len(u) - np.searchsorted(v, pooled[:-1], "right") / len(v)
    return float(np.sum(np.abs(gap) * deltas)), float(np.sqrt(2 * np.sum(gap**2 * deltas)))


class HeldOutModes:
    """The held-out data's modes, read without the truth: its KDE, the peaks that rise PROMINENCE
    above their dips with basins of MIN_BASIN at least, the basins split at the dips, and the
    valleys where the density falls below VALLEY of the lower neighbouring peak."""

    def __init__(self, held):
        held = np.sort(np.asarray(held, dtype=np.float64))
        self.bandwidth = loo_bandwidth(held)
        low, high = held[0] - 3 * self.bandwidth, held[-1] + 3 * self.bandwidth
        self.xs = np.linspace(low, high, MODE_GRID)
        self.density = kde(held, self.xs, self.bandwidth)
        self.peaks = merged_peaks(self.xs, self.density, held)
        dips = [a + int(np.argmin(self.density[a:b])) for a, b in zip(self.peaks[:-1], self.peaks[1:], strict=True)]
        self.cuts = self.xs[dips]  # basin borders
        self.valleys = [self.valley(a, b) for a, b in zip(self.peaks[:-1], self.peaks[1:], strict=True)]
        self.shares = self.basin_shares(held)
        self.valley_mass = self.in_valleys(held)

    @property
    def count(self):
        return len(self.peaks)

    def valley(self, a, b):
        """The interval between peaks a and b (grid indices) where the density is below VALLEY of the lower."""
        level = VALLEY * min(self.density[a], self.density[b])
        low = np.flatnonzero(self.density[a:b] < level)
        return (self.xs[a + low[0]], self.xs[a + low[-1]]) if len(low) else None

    def basin_shares(self, x):
        return np.bincount(np.searchsorted(self.cuts, x), minlength=self.count) / len(x)

    def in_valleys(self, x):
        return float(sum(np.mean((x >= a) & (x <= b)) for a, b in filter(None, self.valleys)))

    def judge(self, samples):
        """(modes captured, valley mass) of generated samples."""
        captured = int(np.sum(self.basin_shares(samples) >= CAPTURED * self.shares))
        return captured, self.in_valleys(samples)


def kde(values, xs, bandwidth):
    z = (xs[:, None] - values[None, :]) / bandwidth
    return np.mean(np.exp(-0.5 * z**2), axis=1) / (bandwidth * math.sqrt(2 * math.pi))


def loo_bandwidth(held, most=2_000):
    """The bandwidth among Scott's times BANDWIDTH_FACTORS with the highest leave-one-out likelihood
    (of at most `most` evenly chosen held-out values: the choice costs most^2 per factor)."""
    x = held[:: max(1, len(held) // most)]
    scott = np.std(x, ddof=1) * len(x) ** (-1 / 5)
    d2 = (x[:, None] - x[None, :]) ** 2
    scores = []
    for factor in BANDWIDTH_FACTORS:
        h = scott * factor
        k = np.exp(-0.5 * d2 / h**2)
        np.fill_diagonal(k, 0.0)
        loo = np.sum(k, axis=1) / ((len(x) - 1) * h * math.sqrt(2 * math.pi))
        scores.append(np.mean(np.log(np.maximum(loo, 1e-300))))
    return float(scott * BANDWIDTH_FACTORS[int(np.argmax(scores))])


def merged_peaks(xs, density, held):
    """The grid indices of the modes: local maxima, the least prominent merged into its neighbour
    until each rises PROMINENCE above its dips and its basin holds MIN_BASIN of the data."""
    inner = np.flatnonzero((density[1:-1] > density[:-2]) & (density[1:-1] >= density[2:])) + 1
    peaks = list(inner) or [int(np.argmax(density))]
    while len(peaks) > 1:
        weakest, worst = None, math.inf
        cuts = [xs[a + int(np.argmin(density[a:b]))] for a, b in zip(peaks[:-1], peaks[1:], strict=True)]
        shares = np.bincount(np.searchsorted(cuts, held), minlength=len(peaks)) / len(held)
        for i, p in enumerate(peaks):
            dips = [np.min(density[q:p]) for q in peaks[i - 1 : i] if q < p]
            dips += [np.min(density[p:q]) for q in peaks[i + 1 : i + 2]]
            rise = (density[p] - max(dips)) / density[p]
            score = min(rise / PROMINENCE, shares[i] / MIN_BASIN, shares[i] * len(held) / MIN_BASIN_VALUES)
            if score < worst:
                weakest, worst = i, score
        if worst >= 1:
            break
        peaks.pop(weakest)
    return peaks


class Calibration:
    """Each distance's spread between real samples and the held-out sample, at the generated
    sample's size m: CALIBRATION_DRAWS real samples of m (the reference's fresh draws: the truth's,
    or a data file's training part, resampled), each against the held-out sample. distances: those
    calibrated; the verdict reads W1's alone (VERDICT_DISTANCES), the judging study all of them."""

    def __init__(self, reference, held, m, distances=DISTANCES):
        rng = np.random.default_rng(CALIBRATION_SEED)
        draws = [self.distances(reference.sample(rng, m), held, distances) for _ in range(CALIBRATION_DRAWS)]
        self.values = {d: np.array([r[d] for r in draws]) for d in distances}
        self.median = {d: float(np.median(v)) for d, v in self.values.items()}
        self.limit = {d: float(np.quantile(v, SPREAD)) for d, v in self.values.items()}
        self.n, self.m = len(held), m
        self.std, self.modes = float(np.std(held)), HeldOutModes(held)

    @staticmethod
    def distances(x, held, names):
        """{name: distance} of x to held: W1 and energy from their shared sums alone when only they are
        asked (a fifth of two_sample's time: KS and Anderson-Darling are the costly ones)."""
        if set(names) <= {"ho_w1", "ho_energy"}:
            return dict(zip(("ho_w1", "ho_energy"), cdf_distances(x, held), strict=True))
        return two_sample(x, held)


CALIBRATIONS = weakref.WeakKeyDictionary()  # {grid: {m: Calibration}}: made once per grid and size


def calibration(grid, m):
    """The verdict's calibration (W1 alone) for samples of m against grid's held-out sample."""
    per_grid = CALIBRATIONS.setdefault(grid, {})
    if m not in per_grid:
        per_grid[m] = Calibration(grid.reference, grid.held_out, m, VERDICT_DISTANCES)
    return per_grid[m]


def free_metrics(samples, grid):
    """The truth-free metrics of each row of samples (N, n) against the grid's held-out sample:
    {name: (N,)}, NaN for a row with a non-finite sample."""
    samples = np.asarray(samples, dtype=np.float64)
    cal = calibration(grid, samples.shape[1])
    rows = [row_metrics(row, grid.held_out, cal) for row in samples]
    return {name: np.array([r[name] for r in rows]) for name in FREE_METRICS}


def row_metrics(row, held, cal):
    if not np.all(np.isfinite(row)):
        return dict.fromkeys(FREE_METRICS, math.nan)
    m = two_sample(row, held)
    captured, valley = cal.modes.judge(row)
    m.update(
        ho_loglik=-kde_nll(row, held),  # the tutorial's suggestion, as the truth's kde_nll reads it
        ho_std_ratio=float(np.std(row)) / cal.std,
        ho_modes=float(cal.modes.count),
        ho_captured=float(captured),
        ho_valley=valley,
        ho_w1_ratio=m["ho_w1"] / cal.median["ho_w1"],
    )
    return m


def free_success(m, cal):
    """The truth's success read without it: with one mode, w1 within ACCURATE_SCALE std of real data's
    own distance and the std ratio within STD_RATIO; with several, every mode captured and the
    valleys no fuller than the held-out data's plus SEPARATED_VALLEY."""
    if cal.modes.count > 1:
        separated = m["ho_valley"] <= cal.modes.valley_mass + SEPARATED_VALLEY
        return m["ho_captured"] == cal.modes.count and separated
    low, high = STD_RATIO
    return m["ho_w1"] <= cal.median["ho_w1"] + ACCURATE_SCALE * cal.std and low <= m["ho_std_ratio"] <= high


def free_verdict(status, m, cal):
    """(label, reason): indistinguishable (a success whose two-sample W1 lies within real data's
    spread), close (a success farther than that), far, or diverged."""
    if status == "diverged" or not math.isfinite(m["ho_w1"]):
        return "diverged", "a loss or a generated sample became NaN or infinite."
    w1, limit, median = m["ho_w1"], cal.limit["ho_w1"], cal.median["ho_w1"]
    within = w1 <= limit
    if within:
        where = f"indistinguishable from held-out data at n = {cal.n}: two-sample W1 {w1:.3g} within real data's own 95% spread ({limit:.3g})"  # fmt: skip
    else:
        where = f"{w1 / median:.1f} times farther from the held-out data (n = {cal.n}) than real data is: two-sample W1 {w1:.3g}, real data's {median:.3g}"  # fmt: skip
    modes = f"{m['ho_captured']:.0f} of the held-out data's {cal.modes.count} modes captured"
    if not free_success(m, cal):
        return "far", f"{where}; {shortfall(m, cal)} ({modes})."
    return ("indistinguishable" if within else "close"), f"{where}; {modes}, std ratio {m['ho_std_ratio']:.2f}."


def shortfall(m, cal):
    if cal.modes.count > 1:
        if m["ho_captured"] < cal.modes.count:
            return "a mode is missed"
        return f"{m['ho_valley']:.1%} of the mass lies in the valleys between modes (the held-out data: {cal.modes.valley_mass:.1%})"  # fmt: skip
    low, high = STD_RATIO
    if not low <= m["ho_std_ratio"] <= high:
        return f"std ratio {m['ho_std_ratio']:.2f} outside {low}-{high}"
    return f"W1 more than {ACCURATE_SCALE} std beyond real data's"
