"""gan1d/export.py: every run keeps its weights; the exported G drawn by NumPy alone equals the
graph's samples to float32 precision (plain, G's moving average, normal noise, a data file's units,
several generators and a mixture latent, whose parts it picks exactly as the graph does)."""

import json

import numpy as np
import pytest
from conftest import build, gan, make_args

from gan1d import folder
from gan1d.export import NumpyGenerator
from gan1d.mixture import GOLDEN
from gan1d.noise import noise_grid
from gan1d.sampling import Trained, load_member


def trained(tmp_path, *flags):
    args = make_args("--num-steps", "40", "--pretrain-steps", "20", "--export", *flags, out_dir=tmp_path)
    gan.run(args)
    return args, tmp_path / args.run_name


def positional(n):
    """The evaluation's part uniforms, u_i = frac((i + 1) phi), as gan1d/mixture.py computes them."""
    return ((np.arange(1, n + 1) * GOLDEN) % 1.0).astype(np.float32)


def assert_float32_close(got, expected):
    # float32 arithmetic both: a sum of hidden_size products may round in another order
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.max(np.abs(expected)))


MIXTURES = [("--generators", "3"), ("--latent", "mixture", "--latent-weights", "learned", "--ema", "0.9")]


@pytest.mark.parametrize("flags", [(), ("--ema", "0.9"), ("--noise", "normal", "--g-input-scale", "0.5"), *MIXTURES])
def test_numpy_g_equals_the_graph_s_samples(tmp_path, flags):
    args, run_dir = trained(tmp_path, *flags)
    with np.load(run_dir / "weights.npz", allow_pickle=False) as npz:
        assert npz["D/d0/w"].shape == (1, 1, 2 * args.hidden_size)  # a single run's weights, N = 1
    g = NumpyGenerator.load(run_dir)
    z = noise_grid(args)
    assert_float32_close(g(z, positional(len(z))), np.load(run_dir / "samples.npy"))
    assert np.array_equal(g.sample(1_000, seed=3), g.sample(1_000, seed=3))


@pytest.mark.parametrize("flags", MIXTURES)
def test_numpy_parts_are_the_graph_s_bit_for_bit(tmp_path, flags):
    args, run_dir = trained(tmp_path, *flags)
    g = NumpyGenerator.load(run_dir)
    graph, model, session = build(args)
    with graph.as_default(), session:
        load_member(session, model, Trained(str(run_dir), 0, args, folder.read_weights(run_dir)))
        z = noise_grid(args)
        (index,) = session.run(model.evaluation.index, {model.evaluation.z: z[:, None]})
    u = positional(len(z))
    assert np.array_equal(index, g.index(u))
    assert len(np.unique(index)) > 1  # the parts are really drawn from
    rng = np.random.default_rng(0)
    u = rng.random(100_000)
    counts = np.bincount(g.index(u), minlength=len(g.arrays["prior"]))
    np.testing.assert_allclose(counts / len(u), g.arrays["prior"], atol=5 * np.sqrt(0.25 / len(u)))  # binomial sd


@pytest.mark.slow
def test_a_data_run_exports_in_the_data_s_units(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("\n".join(repr(float(v)) for v in np.random.default_rng(0).normal(500, 40, 300)))
    args, run_dir = trained(tmp_path, "--data", str(path))
    settings = json.loads((run_dir / "generator.json").read_text())
    assert settings["centre"] == pytest.approx(args.data_record["centre"]) and settings["scale"] > 1
    z = noise_grid(args)  # the any preset, --data's default: six parts picked by the evaluation's pattern
    assert_float32_close(NumpyGenerator.load(run_dir)(z, positional(len(z))), np.load(run_dir / "samples.npy"))
