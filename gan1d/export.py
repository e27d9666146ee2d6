"""A trained generator you can keep: G's weights read from a run (or one member of a population),
written as generator.npz and generator.json, and drawn from with NumPy alone.

    from gan1d.export import NumpyGenerator
    g = NumpyGenerator.load("plots/robust_seed-42")     # generator.npz and generator.json
    x = g.sample(100_000, seed=0)                       # (100000,) in the data's units

G(z) = softplus(g_input_scale * z @ W0 + b0) @ W1 + b1 (gan.py's generator()), through G's moving
averages under --ema, z uniform on [-noise_range, noise_range] or standard normal (--noise). With
--generators K, each sample's part c is drawn from the prior pi and the sample is G_c(z); with
--latent mixture, G(mu_c + sigma_c z). c is the number of pi's cumulative sums below a uniform u,
as gan1d/mixture.py draws it. Then back to the data's units (--data, --standardise). Nothing here
imports TensorFlow, and nothing read executes code (npz without pickle, JSON)."""

import numpy as np

LAYERS = ("g0/w", "g0/b", "g1/w", "g1/b")  # the tutorial's generator: gan.py's generator()
SETTINGS = ("g_input_scale", "noise", "noise_range", "ema", "generators", "latent")


class ExportError(ValueError):
    """A run whose weights are not a generator this module draws from: one line."""


def g_names(config):
    """{exported name: variable name} of G's arrays: its layers (each part's), a latent's mu and sigma."""
    parts = [f"gen{k}/" for k in range(config["generators"])] if config["generators"] > 1 else [""]
    names = [part + layer for part in parts for layer in LAYERS]
    names += ["latent/mu", "latent/sigma"] if config["latent"] == "mixture" else []
    if config["ema"] > 0:  # G's moving averages: gan1d/cures.py's ema_copies
        return {n.replace("/", "_"): "G_ema/G_" + n.replace("/", "_") for n in names}
    return {n.replace("/", "_"): "G/" + n for n in names}


def prior(weights, config, member):
    """pi (K,) float32: softmax of the learned logits (Q/prior), or equal; None without a mixture."""
    k = config["latent_components"] if config["latent"] == "mixture" else config["generators"]
    if k == 1:
        return None
    if "Q/prior" not in weights:
        return np.full(k, 1.0 / k, dtype=np.float32)
    zeta = np.asarray(weights["Q/prior"][member], dtype=np.float32).reshape(k)
    e = np.exp(zeta - zeta.max())
    return e / e.sum(dtype=np.float32)


def generator_arrays(weights, config, member=0):
    """G's arrays of one member, {exported name: float32 array}, from a run's {variable name: (N, ...)}."""
    names = g_names(config)
    missing = [v for v in names.values() if v not in weights]
    if missing:
        raise ExportError(f"the weights hold no {missing[0]}: not a generator of the settings in config.json")
    arrays = {e: np.asarray(weights[v][member], dtype=np.float32) for e, v in names.items()}
    pi = prior(weights, config, member)
    return arrays if pi is None else {**arrays, "prior": pi}


def generator_settings(config, units):
    """What drawing needs beside the arrays: generator.json's content."""
    return {**{key: config[key] for key in SETTINGS}, "centre": float(units.centre), "scale": float(units.scale)}


class NumpyGenerator:
    """G in NumPy: arrays {exported name: array} and settings, as generator.npz and generator.json hold them."""

    def __init__(self, arrays, settings):
        self.arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
        self.settings = settings
        self.bounds = None if "prior" not in arrays else np.cumsum(self.arrays["prior"])[:-1]  # as gan1d/mixture.py

    @classmethod
    def load(cls, run_dir):
        from .folder import read_generator

        return cls(*read_generator(run_dir))

    def layer(self, z, part=""):
        """gan.py's generator() on float32 z (n,): (n,)."""
        w0, b0, w1, b1 = (self.arrays[part + layer.replace("/", "_")] for layer in LAYERS)
        h = np.logaddexp(np.float32(0), (z * np.float32(self.settings["g_input_scale"]))[:, None] @ w0 + b0)
        return (h @ w1 + b1)[:, 0]  # softplus above without overflow

    def index(self, u):
        """Each sample's part from its uniform u: the number of pi's cumulative sums below it."""
        return np.sum(np.asarray(u, dtype=np.float32)[:, None] > self.bounds, axis=1)

    def __call__(self, z, u=None):
        """G(z) for z (n,) (and with a mixture the uniforms u (n,) that pick the parts), in the data's units."""
        z = np.asarray(z, dtype=np.float32)
        if self.bounds is None:
            x = self.layer(z)
        elif self.settings["latent"] == "mixture":
            c = self.index(u)
            mu, sigma = (self.arrays[name].reshape(-1)[c] for name in ("latent_mu", "latent_sigma"))
            x = self.layer(mu + sigma * z)
        else:
            c, x = self.index(u), np.empty(len(z), dtype=np.float32)
            for k in range(len(self.bounds) + 1):
                x[c == k] = self.layer(z[c == k], f"gen{k}_")
        s = self.settings
        return x if (s["centre"], s["scale"]) == (0.0, 1.0) else x.astype(np.float64) * s["scale"] + s["centre"]

    def noise(self, n, rng):
        """n draws of G's noise: uniform on [-range, range], or standard normal (--noise normal)."""
        if self.settings["noise"] == "uniform":
            return rng.uniform(-self.settings["noise_range"], self.settings["noise_range"], n)
        return rng.standard_normal(n)

    def sample(self, n, seed=None, rng=None):
        """n samples: the noise, then (a mixture) each sample's uniform for its part, from one stream."""
        rng = np.random.default_rng(seed) if rng is None else rng
        z = self.noise(n, rng)
        return self(z, None if self.bounds is None else rng.random(n))


def export(run_dir, config, units, member=0):
    """generator.npz and generator.json beside a run, from its weights.npz; config: its settings
    {flag: value}; units: the model's (gan1d/data.py). Their paths."""
    from . import folder

    arrays = generator_arrays(folder.read_weights(run_dir), config, member)
    return folder.write_generator(run_dir, arrays, generator_settings(config, units))
