"""How far generated samples are from the data N(mu, sigma): the fixed evaluation grid, the
metrics (see the README for each), and what the study calls converged and accurate."""

import math

import numpy as np

from .lazy import stats

# The fixed evaluation grid: every figure, frame and metric uses these, so runs and steps compare.
EVAL_POINTS = 10_000  # generated samples (G on evenly spaced z) and decision-boundary points
NUM_BINS = 100  # histogram bin edges over [-noise_range, noise_range], as in the reference
KDE_REAL = 1_000  # held-out real samples scored by the kernel density estimate
KDE_STRIDE = 5  # the KDE is fitted on every 5th generated sample (2,000), only at the end
EVAL_SEED = 1_234  # the plotted and held-out real samples: the same for every run and step

METRIC_NAMES = ("w1", "ks", "js", "mean", "std", "std_ratio", "outside_fraction", "kde_nll")

# What the study calls a success (written out in summary.md and the README).
CONVERGED_W1, CONVERGED_OUTSIDE = 0.3, 0.01
ACCURATE_W1, ACCURATE_STD_RATIO = 0.1, (0.8, 1.25)
FINISHED = ("completed", "early_stopped")


class EvalGrid:
    """The fixed points every evaluation uses: z and x grids, histogram bins, real samples."""

    def __init__(self, mu, sigma, noise_range, batch_size):
        self.mu, self.sigma = mu, sigma
        self.xs = np.linspace(-noise_range, noise_range, EVAL_POINTS)
        self.zs = np.linspace(-noise_range, noise_range, EVAL_POINTS)
        self.bins = np.linspace(-noise_range, noise_range, NUM_BINS)
        self.centres = (self.bins[:-1] + self.bins[1:]) / 2
        eval_rng = np.random.RandomState(EVAL_SEED)  # its own stream: never the training stream
        self.real = np.sort(eval_rng.normal(mu, sigma, EVAL_POINTS))
        self.held_out = np.sort(eval_rng.normal(mu, sigma, KDE_REAL))
        self.real_density = density(self.real, self.bins)
        # the data's exact quantiles: a noiseless sample of N(mu, sigma) for the Wasserstein distance
        self.quantiles = stats.norm.ppf((np.arange(EVAL_POINTS) + 0.5) / EVAL_POINTS, mu, sigma)
        self.groups = grid_groups(EVAL_POINTS, batch_size)


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
    """Every metric of the generated samples against the grid's N(mu, sigma); NaN if any is not finite."""
    if not np.all(np.isfinite(samples)):
        return {name: math.nan for name in METRIC_NAMES}
    mu, sigma = grid.mu, grid.sigma
    std = float(np.std(samples))
    return {
        "w1": float(stats.wasserstein_distance(samples, grid.quantiles)),
        "ks": float(stats.kstest(samples, "norm", args=(mu, sigma), method="asymp").statistic),
        "js": js_divergence(samples, grid),
        "mean": float(np.mean(samples)),
        "std": std,
        "std_ratio": std / sigma,
        "outside_fraction": float(np.mean(np.abs(samples - mu) > 4 * sigma)),
        "kde_nll": kde_nll(samples, grid.held_out) if with_kde else math.nan,
    }


def js_divergence(samples, grid):
    """Squared Jensen-Shannon distance (base 2) between the generated histogram and the data's exact
    bin probabilities, over the plotted bins plus one overflow bin on each side."""
    from scipy.spatial import distance

    edges = np.concatenate([[-np.inf], grid.bins, [np.inf]])
    counts = np.histogram(samples, edges)[0]
    exact = np.diff(stats.norm.cdf(edges, grid.mu, grid.sigma))
    return float(distance.jensenshannon(counts, exact, base=2) ** 2)


def kde_nll(samples, held_out):
    """Mean negative log-likelihood of held-out real samples under a KDE of the generated ones."""
    try:
        kde = stats.gaussian_kde(samples[::KDE_STRIDE])
    except np.linalg.LinAlgError:  # all samples equal: no density to speak of
        return math.inf
    return float(-np.mean(kde.logpdf(held_out)))


def is_converged(r):
    return r["status"] in FINISHED and r["w1"] <= CONVERGED_W1 and r["outside_fraction"] <= CONVERGED_OUTSIDE


def is_accurate(r):
    low, high = ACCURATE_STD_RATIO
    return r["status"] in FINISHED and r["w1"] <= ACCURATE_W1 and low <= r["std_ratio"] <= high
