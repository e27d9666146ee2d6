"""How far generated samples are from the data (gan1d/target.py): the fixed evaluation grid, the
metrics and the mode metrics (docs/metrics.md says what each means), what the study calls converged and
accurate, and a run's verdict."""

import math

import numpy as np

from .data import IDENTITY
from .gap import bound_metrics
from .lazy import special
from .target import MODE_RADIUS

# The fixed evaluation grid: every figure, frame and metric uses these, so runs and steps compare.
EVAL_POINTS = 10_000  # generated samples (G on evenly spaced z) and decision-boundary points
NUM_BINS = 100  # histogram bin edges over [-noise_range, noise_range], as in the reference
KDE_STRIDE = 5  # the KDE is fitted on every 5th generated sample (2,000), only at the end
KDE_CHUNK = 1_000  # held-out samples scored at a time: (1,000, 2,000) distances, 16 MB

MODE_METRICS = ("modes_captured", "high_quality", "gap_mass", "weight_error", "separated")
BOUND_METRICS = ("slope_max", "gap_bound")  # G's steepest slope and the gap mass it implies (gan1d/gap.py)
METRIC_NAMES = (
    "w1",
    "ks",
    "js",
    "mean",
    "std",
    "std_ratio",
    "outside_fraction",
    "kde_nll",
    *MODE_METRICS,
    *BOUND_METRICS,
)
SEPARATED_GAP = 0.02  # separated: every mode captured and less than 2% of the mass in the gaps

# What the study calls a success (written out in summary.md and the README), in the tutorial's unit,
# N(4, 0.5)'s sigma; a target's own unit scales both w1 limits (its std for one mode or a shape, 0.1
# and 0.6 of it; a mixture's modes keep the tutorial's, times --stretch): Target.unit.
TUTORIAL_UNIT = 0.5
CONVERGED_W1, CONVERGED_OUTSIDE = 0.3, 0.01
ACCURATE_W1, ACCURATE_STD_RATIO = 0.05, (0.9, 1.1)  # the bell, as a practitioner would accept it
FINISHED = ("completed", "early_stopped")


class EvalGrid:
    """The fixed points every evaluation uses: z and x grids, histogram bins, real samples. reference:
    what the metrics judge against (gan1d/sources.py); units: the model's (G's output and D's input,
    converted in the graph: gan1d/loops.py)."""

    def __init__(self, reference, noise_range, group_size, zs=None, noise="uniform", units=IDENTITY):
        self.reference, self.units = reference, units
        self.range, self.noise = noise_range, noise  # the noise's kind and range: the bound's
        low, high = reference.plot_range(noise_range)
        self.xs = np.linspace(low, high, EVAL_POINTS)
        self.zs = self.noise_points(noise_range) if zs is None else zs  # G's input, shaped (gan1d/noise.py)
        self.bins = np.linspace(low, high, NUM_BINS)
        self.centres = (self.bins[:-1] + self.bins[1:]) / 2
        self.real, self.held_out = reference.evaluation_samples()  # the same for every run and step
        self.real_density = density(self.real, self.bins)
        # the data's exact quantiles (a held-out sample's, without the truth): for the Wasserstein distance
        self.quantiles = reference.ppf((np.arange(EVAL_POINTS) + 0.5) / EVAL_POINTS)
        self.groups = grid_groups(EVAL_POINTS, group_size)  # D judges each point within a group, as in training
        # the histogram's bins plus an overflow bin on each side, and the data's exact mass in each
        self.edges = np.concatenate([[-np.inf], self.bins, [np.inf]])
        self.bin_probabilities = np.diff(reference.cdf(self.edges))

    @staticmethod
    def noise_points(noise_range):
        """The tutorial's evaluation points of G's noise, evenly spaced over its range."""
        return np.linspace(-noise_range, noise_range, EVAL_POINTS)


def grid_groups(n, group_size):
    """Indices covering 0..n-1 in groups of group_size; the last group is the last group_size
    points, so every point is judged within a full batch, as in training."""
    starts = list(range(0, n - group_size + 1, group_size))
    if n % group_size:
        starts.append(n - group_size)
    return np.concatenate([np.arange(s, s + group_size) for s in starts])


def density(samples, bins):
    """Histogram density over bins, normalised by all samples: mass outside the bins lowers the curve
    instead of vanishing (numpy's density=True would rescale what is inside to area 1)."""
    finite = samples[np.isfinite(samples)]
    counts = np.histogram(finite, bins)[0]
    return counts / (max(len(samples), 1) * np.diff(bins))


def metrics(samples, grid, with_kde=False):
    """Every metric of one run's generated samples (n,) against the grid's target (without G's slope,
    slope_max and gap_bound are NaN: batch_metrics)."""
    result = {name: float(values[0]) for name, values in batch_metrics(np.asarray(samples)[None], grid).items()}
    if with_kde:
        result["kde_nll"] = finite_kde_nll(samples, result["w1"], grid)
    return result


def finite_kde_nll(samples, w1, grid):
    """kde_nll of one run's samples (n,), or NaN where its w1 is not finite (a non-finite sample)."""
    return kde_nll(np.asarray(samples, dtype=np.float64), grid.held_out) if math.isfinite(w1) else math.nan


def batch_metrics(samples, grid, slopes=None, index=None):
    """The metrics of many runs at once, samples (N, n) -> {name: (N,)}, in float64 with exact formulas
    (equal to scipy's wasserstein_distance, kstest and jensenshannon: tests/test_metrics.py). A run
    with any non-finite sample gets NaN everywhere; kde_nll is left NaN (see metrics), and so are
    slope_max and gap_bound without G's slopes (N, n) on the grid's noise (and a mixture's index of
    the part that drew each sample, gan1d/gap.py)."""
    # timsort: G on an evenly spaced grid is monotone over long runs of points, which it merges in
    # linear time (20x faster than the default sort here; the same sorted values)
    x = np.sort(np.asarray(samples, dtype=np.float64), axis=1, kind="stable")  # (N, n)
    n = x.shape[1]
    finite = np.all(np.isfinite(x), axis=1)
    target = grid.reference
    x = np.where(finite[:, None], x, target.mean)  # placeholders, masked out below
    cdf = target.cdf(x)
    d_plus = np.max(np.arange(1.0, n + 1) / n - cdf, axis=1)
    d_minus = np.max(cdf - np.arange(0.0, n) / n, axis=1)
    counts = np.stack([np.diff(np.searchsorted(row, grid.edges, side="left")) for row in x])  # (N, bins + 2)
    counts[:, -1] += n - counts.sum(axis=1)  # np.histogram's last bin is closed: +inf edge included
    std = np.std(x, axis=1)
    result = {
        "w1": np.mean(np.abs(x - grid.quantiles), axis=1),
        "ks": np.maximum(d_plus, d_minus),
        "js": js_divergence(counts / n, grid.bin_probabilities),
        "mean": np.mean(x, axis=1),
        "std": std,
        "std_ratio": std / target.std,
        "outside_fraction": np.mean(~target.within(x, 4.0), axis=1),
        "kde_nll": np.full(len(x), math.nan),
        **mode_metrics(x, target),
        **(
            bound_metrics(samples, slopes, grid, index)
            if slopes is not None
            else {m: np.full(len(x), math.nan) for m in BOUND_METRICS}
        ),
    }
    return {name: np.where(finite, values, math.nan) for name, values in result.items()}


def mode_shares(x, target):
    """(N, K): the share of each run's samples within MODE_RADIUS sigma of each mode (its own sigma)."""
    shares = [
        np.mean(np.abs(x - m) <= MODE_RADIUS * s, axis=1) for m, s in zip(target.means, target.sigmas, strict=True)
    ]
    return np.stack(shares, axis=1)


def mode_metrics(x, target):
    """Adapted to 1-D from the mode-collapse papers: a mode is captured when it holds at least half
    its weight within 3 sigma; the high-quality share lies within 3 sigma of some mode; the gap mass
    lies between modes, beyond 3 sigma of each; separated: every mode captured, gap mass < 2%."""
    shares = mode_shares(x, target)  # (N, K)
    captured = np.sum(shares >= 0.5 * target.weights, axis=1)
    gap = sum(np.mean((x > a) & (x < b), axis=1) for a, b in target.gaps()) if target.gaps() else np.zeros(len(x))
    return {
        "modes_captured": captured.astype(float),
        "high_quality": np.mean(target.within(x, MODE_RADIUS), axis=1),
        "gap_mass": gap,
        "weight_error": np.max(np.abs(shares - target.weights), axis=1),
        "separated": ((captured == target.modes) & (gap < SEPARATED_GAP)).astype(float),
    }


def js_divergence(p, q):
    """Squared Jensen-Shannon distance, base 2, between the rows of p (N, k) and the distribution q (k,):
    the generated histogram against the data's exact bin probabilities, over the plotted bins plus
    one overflow bin on each side."""
    q = q / np.sum(q)
    m = (p + q) / 2
    return (np.sum(special.rel_entr(p, m), axis=1) + np.sum(special.rel_entr(q, m), axis=1)) / (2 * math.log(2))


def kde_nll(samples, held_out):
    """Mean negative log-likelihood of held-out real samples under a Gaussian KDE of the generated
    ones, with Scott's bandwidth: scipy.stats.gaussian_kde's estimate (equal to it to 1e-9 in
    tests/test_metrics.py), computed here without importing scipy.stats."""
    points = samples[::KDE_STRIDE]
    bandwidth = np.std(points, ddof=1) * len(points) ** (-1 / 5)  # Scott's rule in 1-D
    if not bandwidth > 0:  # all samples equal: no density to speak of
        return math.inf
    log_density = np.empty(len(held_out))
    for start in range(0, len(held_out), KDE_CHUNK):  # a data file's held-out part may be large
        part = held_out[start : start + KDE_CHUNK]
        a = part[:, None] - points[None, :]  # (part, points), then in place: fresh arrays cost more here
        a /= bandwidth
        np.square(a, out=a)
        nearest = a.min(axis=1)
        a -= nearest[:, None]  # logsumexp's shift: the nearest point's term is exp(0)
        a *= -0.5
        np.exp(a, out=a)
        log_density[start : start + KDE_CHUNK] = np.log(a.sum(axis=1)) - 0.5 * nearest
    return float(-np.mean(log_density - np.log(len(points) * bandwidth * math.sqrt(2 * math.pi))))


def limit(w1, r):
    """A w1 limit in the row's target's unit (rows without one: the tutorial's)."""
    return w1 * r.get("unit", TUTORIAL_UNIT) / TUTORIAL_UNIT


def is_converged(r):
    return r["status"] in FINISHED and r["w1"] <= limit(CONVERGED_W1, r) and r["outside_fraction"] <= CONVERGED_OUTSIDE


def is_accurate(r):
    """Finished, the bell's w1 and width, and (for a mixture) every mode separated."""
    low, high = ACCURATE_STD_RATIO
    finished = r["status"] in FINISHED and r.get("separated", 1.0) == 1.0
    return finished and r["w1"] <= limit(ACCURATE_W1, r) and low <= r["std_ratio"] <= high


def is_success(r):
    """What a study counts as success: accurate on one mode; on a mixture, finished with every
    mode separated (docs/metrics.md); without the truth (a data file), the held-out data's verdict
    indistinguishable or close (docs/data.md)."""
    if r.get("judged") == "held-out":
        return r["status"] in FINISHED and r.get("verdict") in FREE_SUCCESS
    if r.get("modes", 1) == 1:
        return is_accurate(r)
    return r["status"] in FINISHED and r.get("separated") == 1.0


VERDICTS = ("accurate", "converged", "failed", "diverged")
FREE_VERDICTS = ("indistinguishable", "close", "far", "diverged")  # without the truth (gan1d/judge.py)
FREE_SUCCESS = ("indistinguishable", "close")
ADVICE = 'What usually helps: another --seed, --preset robust, or a lower --learning-rate; the README\'s "How often each recipe works" says how often each works.'  # fmt: skip


def verdict(status, m, target, diverged_step=None):
    """The run's verdict, one of VERDICTS, and its reason in a sentence, from the final metrics m."""
    if status == "diverged":
        return "diverged", f"a loss or a generated sample became NaN or infinite at step {diverged_step}."
    scored = {**m, "status": "completed", "unit": target.unit}  # an interrupted run: judged where it stopped
    low, high = ACCURATE_STD_RATIO
    accurate, converged = limit(ACCURATE_W1, scored), limit(CONVERGED_W1, scored)
    if is_accurate(scored):
        return "accurate", (
            f"w1 {m['w1']:.3f} <= {accurate:.3g} and std ratio {m['std_ratio']:.2f} within {low}-{high}: "
            "the generated distribution matches the data."
        )
    if is_converged(scored):
        return "converged", (
            f"w1 {m['w1']:.3f} <= {converged:.3g} with {m['outside_fraction']:.1%} beyond 4 sigma, but not "
            f"accurate: {accuracy_shortfall(scored)}."
        )
    return "failed", "; ".join(failures(m, target)) + f" (w1 {m['w1']:.3f}, converged needs <= {converged:.3g})."


def accuracy_shortfall(m):
    low, high = ACCURATE_STD_RATIO
    if m.get("separated", 1.0) != 1.0:
        return f"the modes are not separated ({m['modes_captured']:.0f} captured, {m['gap_mass']:.1%} in the gaps)"
    if not low <= m["std_ratio"] <= high:
        return f"std ratio {m['std_ratio']:.2f} outside {low}-{high}"
    return f"w1 above {limit(ACCURATE_W1, m):.3g}"


def failures(m, target):
    """What failed, measured: modes lost or bridged, mass far away, a spike, a spread too wide, a mean off."""
    found, mu, sigma = [], target.mean, target.sigma
    if target.modes > 1 and m["modes_captured"] < target.modes:
        found.append(f"mode collapse: {m['modes_captured']:.0f} of {target.modes} modes captured")
    if target.modes > 1 and m["gap_mass"] >= SEPARATED_GAP:
        found.append(f"{m['gap_mass']:.0%} of the mass lies between the modes (the data: {target.gap_mass():.2%})")
    if m["outside_fraction"] > CONVERGED_OUTSIDE:
        found.append(f"{m['outside_fraction']:.0%} of the generated mass lies beyond 4 sigma of the data")
    if m["std_ratio"] < 0.5:
        found.append(f"a spike: the generated std is {m['std_ratio']:.2f} of the data's (mode collapse)")
    elif m["std_ratio"] > 2:
        found.append(f"the generated std is {m['std_ratio']:.1f} times the data's")
    if abs(m["mean"] - mu) > sigma:
        found.append(f"the generated mean is off by {m['mean'] - mu:+.2f} ({abs(m['mean'] - mu) / sigma:.1f} sigma)")
    return found or [f"the generated distribution is {m['w1']:.2f} from the data in Wasserstein-1"]
