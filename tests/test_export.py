"""gan1d/export.py: every run keeps its weights; the exported G drawn by NumPy alone equals the
graph's samples to float32 precision (plain, G's moving average, normal noise, a data file's units)."""

import json

import numpy as np
import pytest
from conftest import gan, make_args

from gan1d.export import ExportError, NumpyGenerator, export
from gan1d.sources import units_of


def trained(tmp_path, *flags):
    args = make_args("--num-steps", "40", "--pretrain-steps", "20", "--export", *flags, out_dir=tmp_path)
    gan.run(args)
    return args, tmp_path / args.run_name


@pytest.mark.parametrize("flags", [(), ("--ema", "0.9"), ("--noise", "normal", "--g-input-scale", "0.5")])
def test_numpy_g_equals_the_graph_s_samples(tmp_path, flags):
    args, run_dir = trained(tmp_path, *flags)
    with np.load(run_dir / "weights.npz", allow_pickle=False) as npz:
        assert npz["G/g0/w"].shape == (1, 1, args.hidden_size)  # a single run's weights, N = 1
    g = NumpyGenerator.load(run_dir)
    expected = np.load(run_dir / "samples.npy")
    got = g(gan.noise_grid(args))
    # float32 arithmetic both: a sum of hidden_size products may round in another order
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.max(np.abs(expected)))
    assert np.array_equal(g.sample(1_000, seed=3), g.sample(1_000, seed=3))


def test_a_data_run_exports_in_the_data_s_units(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("\n".join(repr(float(v)) for v in np.random.default_rng(0).normal(500, 40, 300)))
    args, run_dir = trained(tmp_path, "--data", str(path))
    settings = json.loads((run_dir / "generator.json").read_text())
    assert settings["centre"] == pytest.approx(args.data_record["centre"]) and settings["scale"] > 1
    expected = np.load(run_dir / "samples.npy")
    got = NumpyGenerator.load(run_dir)(gan.noise_grid(args))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.max(np.abs(expected)))


def test_a_mixture_is_refused_in_one_line(tmp_path):
    args = make_args("--num-steps", "20", "--pretrain-steps", "0", "--generators", "2", out_dir=tmp_path)
    gan.run(args)
    with pytest.raises(ExportError, match="not exported yet"):
        export(tmp_path / args.run_name, units_of(args))
