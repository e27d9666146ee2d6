"""`gan.py --sample N --from RUN`: draws from a trained run without training, the same bytes for the
same command, a study member's saved samples where the draws coincide, a run folder read back
(config round trip, an older folder, a moved data run), and one line for each bad input."""

import json
import os
import shutil

import numpy as np
import pytest
from conftest import gan, make_args, run_study

from gan1d.files import config_dict


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    args = make_args("--num-steps", "60", "--pretrain-steps", "20", "--minibatch", out_dir=out)
    gan.run(args)
    return out / args.run_name


def sample(capsys, *argv):
    """gan.main on argv: (exit status, stdout, stderr)."""
    status = gan.main([*map(str, argv), "--quiet"])
    out, err = capsys.readouterr()
    return status, out, err


def drawn(run, name):
    return np.load(os.path.join(run, "drawn", f"{name}.npy"), allow_pickle=False)


@pytest.mark.parametrize("sampler", ["plain", pytest.param("jbop", marks=pytest.mark.slow)])
def test_the_same_command_gives_the_same_bytes(run_dir, capsys, sampler):
    status, out, _ = sample(capsys, "--sample", 12_000, "--from", run_dir, "--sampler", sampler)
    assert status == 0 and "verdict (10,000 of them)" in out
    first = {ext: (run_dir / "drawn" / f"{sampler}-n12000-seed-42.{ext}").read_bytes() for ext in ("npy", "csv")}
    sample(capsys, "--sample", 12_000, "--from", run_dir, "--sampler", sampler)
    again = {ext: (run_dir / "drawn" / f"{sampler}-n12000-seed-42.{ext}").read_bytes() for ext in ("npy", "csv")}
    assert first == again
    values = drawn(run_dir, f"{sampler}-n12000-seed-42")
    assert values.shape == (12_000,) and values.dtype == np.float32
    csv = np.loadtxt(run_dir / "drawn" / f"{sampler}-n12000-seed-42.csv", skiprows=1, dtype=np.float32)
    assert np.array_equal(csv, values)  # 9 significant digits hold a float32 exactly
    sample(capsys, "--sample", 12_000, "--from", run_dir, "--sampler", sampler, "--seed", 7)
    assert not np.array_equal(drawn(run_dir, f"{sampler}-n12000-seed-7"), values)


def test_plain_draws_follow_the_run_s_own_samples(run_dir, capsys):
    """G's plain draws are G on random noise: their quantiles are those of G on the grid."""
    sample(capsys, "--sample", 200_000, "--from", run_dir)
    x, grid = drawn(run_dir, "plain-n200000-seed-42"), np.load(run_dir / "samples.npy")
    q = np.linspace(0.05, 0.95, 19)
    spread = np.quantile(grid, 0.95) - np.quantile(grid, 0.05)
    np.testing.assert_allclose(np.quantile(x, q), np.quantile(grid, q), atol=0.01 * spread)


def test_a_study_member_draws_its_own_saved_samples(tmp_path, capsys):
    args = make_args("--seeds", "2", "--num-steps", "60", "--pretrain-steps", "20", "--sampler", "plain,jbop,mh", out_dir=tmp_path)  # fmt: skip
    assert run_study(args) == 0
    (population,) = [p for p in tmp_path.glob("study_*/*") if p.is_dir()]
    for name in ("jbop", "mh"):  # draws of the member's seed and the sampler's stream, 10,000 as the study's
        status, _, err = sample(capsys, "--sample", 10_000, "--from", population, "--member", 1, "--sampler", name)
        assert status == 0, err
        got = drawn(population, f"{name}-n10000-seed-43-member-1")
        saved = np.load(population / f"samples_{name}.npy")[1]
        # the same noise and uniforms; G and D in a single run's graph instead of the population's (float32)
        if name == "jbop":
            np.testing.assert_allclose(got, saved, rtol=1e-5, atol=1e-5 * np.max(np.abs(saved)))
        else:  # MH's accept/reject may flip where a rounded logit sits at u: nearly all samples agree
            assert np.mean(np.isclose(got, saved, rtol=1e-5, atol=1e-4)) > 0.999


def test_config_round_trip(tiny):
    args = tiny("--ema", "0.9", "--mu", "-2,2", "--sigma", "0.3,0.6")
    config = json.loads(json.dumps(config_dict(args, "test")))  # as written and read: JSON
    assert vars(gan.flag_parser().from_config(config, "config.json")) == vars(args)


def test_an_older_run_folder_reads(run_dir, tmp_path, capsys):
    """A run folder of the last landed version: config.json without the flags added since."""
    old = tmp_path / "old"
    shutil.copytree(run_dir, old, ignore=shutil.ignore_patterns("drawn"))
    config = json.loads((old / "config.json").read_text())
    for key in ("sample", "from", "member"):
        del config[key]
    (old / "config.json").write_text(json.dumps(config))
    status, out, _ = sample(capsys, "--sample", 10_000, "--from", old)
    assert status == 0 and drawn(old, "plain-n10000-seed-42").shape == (10_000,)


@pytest.mark.slow
def test_a_data_run_moved_with_its_file_draws_in_the_data_s_units(tmp_path, capsys):
    path = tmp_path / "d.txt"
    path.write_text("\n".join(repr(float(v)) for v in np.random.default_rng(0).normal(500, 40, 400)))
    args = make_args("--num-steps", "40", "--pretrain-steps", "20", "--data", str(path), out_dir=tmp_path / "runs")
    gan.run(args)
    moved = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "runs" / args.run_name, moved)
    shutil.copy(path, moved / "d.txt")  # the folder carries its data file
    path.write_text("1\n2\n")  # the original changes
    status, out, _ = sample(capsys, "--sample", 10_000, "--from", moved)
    assert status == 0 and "held-out" in out
    assert abs(np.median(drawn(moved, "plain-n10000-seed-42")) - 500) < 200  # in the data's units, not the model's
    (moved / "d.txt").write_text("3\n4\n")
    status, _, err = sample(capsys, "--sample", 10_000, "--from", moved)
    assert status == 2 and "copy the file into the folder" in err and len(err.splitlines()) == 1


def crafted(run_dir, tmp_path, change):
    bad = tmp_path / "bad"
    shutil.copytree(run_dir, bad, ignore=shutil.ignore_patterns("drawn"))
    change(bad)
    return bad


def edit_config(**changes):
    def change(folder_):
        config = json.loads((folder_ / "config.json").read_text())
        (folder_ / "config.json").write_text(json.dumps({**config, **changes}))

    return change


def object_npz(folder_):
    np.savez(folder_ / "weights.npz", **{"G/g0/w": np.array([{"x": 1}], dtype=object)})


BAD_FOLDERS = {
    "no summary": (lambda f: os.remove(f / "summary.json"), "is not a finished run"),
    "unfinished": (lambda f: (f / "summary.json").write_text('{"status": "interrupted"}'), "finish it with --resume"),
    "no weights": (lambda f: os.remove(f / "weights.npz"), "no final weights (weights.npz)"),
    "damaged config": (lambda f: (f / "config.json").write_text("{not json"), "config.json: missing or damaged"),
    "unknown flag": (edit_config(run_code="os.system('x')"), "names flags that do not exist: run_code"),
    "wrong type": (edit_config(hidden_size="4"), "hidden_size = '4' is not a value --hidden-size takes"),
    "impossible settings": (edit_config(pack=3), "holds settings no run could have"),
    "truncated weights": (
        lambda f: (f / "weights.npz").write_bytes(b"PK\x03\x04junk"),
        "is damaged or not numbers alone",
    ),
    "object array": (object_npz, "is damaged or not numbers alone"),
    "other weights": (
        lambda f: np.savez(f / "weights.npz", **{"G/g0/w": np.zeros((1, 1, 3))}),
        "are missing or of another shape",
    ),
}


@pytest.mark.parametrize("case", BAD_FOLDERS)
def test_a_bad_run_folder_is_one_line(run_dir, tmp_path, capsys, case):
    change, message = BAD_FOLDERS[case]
    bad = crafted(run_dir, tmp_path, change)
    before = sorted(os.listdir(bad))
    status, out, err = sample(capsys, "--sample", 100, "--from", bad)
    assert status == 2 and message in err and len(err.splitlines()) == 1, err
    assert sorted(os.listdir(bad)) == before  # nothing written


BAD_FLAGS = {
    ("--sample", "0", "--from", "x"): "argument --sample: '0' is not a whole number >= 1",
    ("--sample", "-5", "--from", "x"): "argument --sample: '-5' is not a whole number >= 1",
    ("--sample", "10", "--from", "x", "--num-steps", "5"): "which --num-steps would change: leave them out",
    ("--sample", "10"): "add --from RUN_DIR",
    ("--from", "x"): "argument --from: names the run --sample draws from: add --sample N",
    ("--sample", "10", "--from", "x", "--sampler", "plain,dot"): "draws with one sampler",
    ("--sample", str(10**14), "--from", "x"): "fit in memory",
    ("--samp", "10", "--from", "x"): "unrecognized arguments: --samp",
    ("--sample", "10", "--from", "x", "--seeds", "3"): "--seeds would change",
}


@pytest.mark.parametrize("argv", BAD_FLAGS)
def test_bad_sample_flags_are_one_line(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        gan.parse_args(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and BAD_FLAGS[argv] in err and len(err.splitlines()) == 1, err


def test_members_are_named_and_counted(run_dir, tmp_path, capsys):
    status, _, err = sample(capsys, "--sample", 100, "--from", run_dir, "--member", 2)
    assert status == 2 and "is a single run, not a study's population" in err
    status, _, err = sample(capsys, "--sample", 100, "--from", tmp_path / "nowhere")
    assert status == 2 and "nowhere is not a finished run" in err
    status, out, _ = sample(capsys, "--sample", 100, "--from", run_dir)
    assert status == 0 and "draw at least that many to be judged" in out
