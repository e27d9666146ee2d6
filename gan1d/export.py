"""A trained generator you can keep: the tutorial's G, read from a run folder's weights.npz and
config.json, written as generator.npz and generator.json, and drawn from with NumPy alone.

    from gan1d.export import NumpyGenerator
    g = NumpyGenerator.load("plots/robust_seed-42")     # generator.npz and generator.json
    x = g.sample(100_000, seed=0)                       # (100000,) in the data's units

G(z) = softplus(g_input_scale * z @ W0 + b0) @ W1 + b1, through G's moving averages under --ema,
z uniform on [-noise_range, noise_range] or standard normal (--noise), then taken back to the
data's units (--data, --standardise). Nothing here imports TensorFlow, and nothing read executes
code (npz without pickle, JSON)."""

import json
import os

import numpy as np

LAYERS = ("g0/w", "g0/b", "g1/w", "g1/b")  # the tutorial's generator: gan.py's generator()
SETTINGS = ("g_input_scale", "noise", "noise_range", "ema")


class ExportError(ValueError):
    """A run that cannot be exported: one line."""


def g_weights(weights, ema, member=0):
    """G's four arrays of one member, from a run's {variable name: (N, ...)}: G's averages under --ema."""
    names = [f"G_ema/G_{layer.replace('/', '_')}" if ema else f"G/{layer}" for layer in LAYERS]
    missing = [n for n in names if n not in weights]
    if missing:
        raise ExportError(f"the weights hold no {missing[0]}: not the tutorial's single generator")
    return {layer: np.asarray(weights[n][member], dtype=np.float32) for layer, n in zip(LAYERS, names, strict=True)}


def export(run_dir, units, member=0):
    """generator.npz and generator.json beside the run, from its weights.npz and config.json; units:
    the model's (gan1d/data.py); their paths."""
    with open(os.path.join(run_dir, "config.json")) as f:
        config = json.load(f)
    if config.get("generators", 1) != 1 or config.get("latent", "uniform") != "uniform":
        raise ExportError("a mixture of generators or a mixture latent is not exported yet: the tutorial's G only")
    with np.load(os.path.join(run_dir, "weights.npz"), allow_pickle=False) as npz:
        weights = g_weights({name: npz[name] for name in npz.files}, config["ema"] > 0, member)
    settings = {key: config[key] for key in SETTINGS}
    settings.update(centre=float(units.centre), scale=float(units.scale))
    npz_path, json_path = os.path.join(run_dir, "generator.npz"), os.path.join(run_dir, "generator.json")
    from .files import write_atomic, write_json

    write_atomic(npz_path, lambda f: np.savez(f, **{k.replace("/", "_"): v for k, v in weights.items()}))
    write_json(json_path, settings)
    return npz_path, json_path


class NumpyGenerator:
    """The tutorial's G in NumPy: weights {layer: array}, settings as generator.json holds them."""

    def __init__(self, weights, settings):
        self.w0, self.b0, self.w1, self.b1 = (np.asarray(weights[k], dtype=np.float32) for k in LAYERS)
        self.settings = settings

    @classmethod
    def load(cls, run_dir):
        with open(os.path.join(run_dir, "generator.json")) as f:
            settings = json.load(f)
        with np.load(os.path.join(run_dir, "generator.npz"), allow_pickle=False) as npz:
            weights = {layer: npz[layer.replace("/", "_")] for layer in LAYERS}
        return cls(weights, settings)

    def __call__(self, z):
        """G(z) for z (n,), in the data's units; float32 arithmetic, as the graph's."""
        z = np.asarray(z, dtype=np.float32)[:, None] * np.float32(self.settings["g_input_scale"])
        h = np.logaddexp(np.float32(0), z @ self.w0 + self.b0)  # softplus, without overflow
        x = (h @ self.w1 + self.b1)[:, 0]
        s = self.settings
        return x if (s["centre"], s["scale"]) == (0.0, 1.0) else x.astype(np.float64) * s["scale"] + s["centre"]

    def noise(self, n, rng):
        """n draws of G's noise: uniform on [-range, range], or standard normal (--noise normal)."""
        if self.settings["noise"] == "uniform":
            return rng.uniform(-self.settings["noise_range"], self.settings["noise_range"], n)
        return rng.standard_normal(n)

    def sample(self, n, seed=None):
        return self(self.noise(n, np.random.default_rng(seed)))
