"""What a user would try before a GAN, fitted on the training part alone and judged by the same
truth-free statistics on the same held-out sample (gan1d/judge.py): a single Gaussian, a kernel
density estimate (scipy's gaussian_kde), a Gaussian mixture fitted by EM with its number of parts
chosen by BIC (scikit-learn's GaussianMixture), and the bootstrap, the training part resampled:
the ceiling of memorisation. And the memorisation distances: how near each sample lies to the
nearest training value."""

import numpy as np

from . import judge

BASELINE_SEED = 2_024  # the baselines' draws: the same for every run of one data file
MAX_PARTS = 6  # the mixture's parts, 1 to this, by BIC (and at most a tenth of the training values)
NAMES = ("gaussian", "kde", "gmm", "bootstrap")


def draws(train, m, seed=BASELINE_SEED):
    """{name: m samples} of each baseline fitted on train (n,); and the mixture's parts chosen."""
    from scipy.stats import gaussian_kde
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(seed)
    column = train[:, None]
    fits = [GaussianMixture(k, random_state=seed).fit(column) for k in range(1, min(MAX_PARTS, len(train) // 10) + 1)]
    gmm = min(fits, key=lambda g: g.bic(column))
    drawn = {
        "gaussian": rng.normal(np.mean(train), np.std(train), m),
        "kde": gaussian_kde(train).resample(m, seed=seed)[0],
        "gmm": gmm.sample(m)[0][:, 0],
        "bootstrap": rng.choice(train, m),
    }
    return drawn, gmm.n_components


def compare(final, grid, drawn, parts):
    """The baselines' rows beside the run's final metrics: each one's truth-free metrics and verdict
    (drawn: {name: samples}, as many as the run's), and the baselines the run is at least as close
    to the held-out data as (two-sample W1)."""
    cal = judge.calibration(grid, len(drawn["bootstrap"]))
    table = {}
    for name, x in drawn.items():
        m = judge.row_metrics(x, grid.held_out, cal)
        table[name] = {**m, "verdict": judge.free_verdict("completed", m, cal)[0]}
    table["gmm"]["parts"] = parts
    beaten = [name for name in NAMES if final["ho_w1"] <= table[name]["ho_w1"]]
    return table, beaten


def nearest(x, train_sorted):
    """Each x's distance to the nearest training value (train_sorted ascending)."""
    x = np.asarray(x, dtype=np.float64)
    i = np.clip(np.searchsorted(train_sorted, x), 1, len(train_sorted) - 1)
    return np.minimum(np.abs(x - train_sorted[i - 1]), np.abs(x - train_sorted[i]))
