"""Run folders that are safe to share and survive damage: checkpoints hold no pickle, a damaged one
is reported and an older one used, a damaged finished population is trained again, and a study
says its plan and refuses what cannot fit."""

import os
import pickle

import numpy as np
import pytest
from conftest import StopAfter, gan, make_args, read, run_study

from gan1d import files, study


class Malicious:
    """Unpickling this creates a marker file: the proof that a checkpoint's state was unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def population_folder(args):
    """The folder of the study's one population."""
    (name,) = [n for n in os.listdir(study.study_dir(args)) if os.path.isdir(os.path.join(study.study_dir(args), n))]
    return os.path.join(study.study_dir(args), name)


def checkpoint_steps(run_dir):
    names = os.listdir(os.path.join(run_dir, "checkpoints"))
    return sorted(int(n[6:-5]) for n in names if n.startswith("state-") and n.endswith(".json"))


def interrupted_run(tiny, name):
    args = tiny("--checkpoint-every", "10", "--run-name", name)
    assert gan.run(args, stop_event=StopAfter(3))["status"] == "interrupted"
    run_dir = os.path.join(args.out_dir, name)
    return args, run_dir, checkpoint_steps(run_dir)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(d, marks=pytest.mark.slow) for d in ("pickle", "garbage", "tensorflow")
    ],  # a study's malicious checkpoint stays fast
)
def test_a_damaged_newest_checkpoint_is_reported_and_the_one_before_resumed(tiny, tmp_path, damage, capsys):
    whole = tiny("--checkpoint-every", "10", "--run-name", "whole")
    gan.run(whole)
    args, run_dir, steps = interrupted_run(tiny, "parts")
    assert len(steps) >= 2
    newest = os.path.join(run_dir, "checkpoints", f"state-{steps[-1]}")
    marker = tmp_path / "unpickled"
    if damage == "pickle":
        with open(newest + ".npz", "wb") as f:
            pickle.dump({"rng": Malicious(str(marker))}, f)
    elif damage == "garbage":
        with open(newest + ".json", "w") as f:
            f.write("not a checkpoint\n")
    else:
        with open(os.path.join(run_dir, "checkpoints", f"model-{steps[-1]}.index"), "wb") as f:
            f.write(b"\x00" * 20)
    capsys.readouterr()
    args = args.replace(resume=True)
    assert gan.run(args)["status"] == "completed"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"checkpoint at step {steps[-1]} is damaged" in err and "Traceback" not in err
    assert not marker.exists()
    for name in ("metrics.csv", "samples.npy"):  # resumed from the step before: the same run in the end
        assert read(os.path.join(run_dir, name)) == read(os.path.join(whole.out_dir, "whole", name))


def test_no_usable_checkpoint_is_one_error_naming_the_folder_and_overwrite(tiny):
    args, run_dir, steps = interrupted_run(tiny, "lost")
    for step in steps:
        with open(os.path.join(run_dir, "checkpoints", f"state-{step}.json"), "w") as f:
            f.write("{")
    args = args.replace(resume=True)
    with pytest.raises(files.RunError, match=r"checkpoints holds no usable checkpoint.*--overwrite"):
        gan.run(args)


def test_checkpoint_state_holds_no_python_objects(tiny):
    _, run_dir, steps = interrupted_run(tiny, "plain")
    with np.load(os.path.join(run_dir, "checkpoints", f"state-{steps[-1]}.npz"), allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)  # readable without pickle
        assert npz["rng_keys"].shape == (1, 624) and npz["rng_keys"].dtype == np.uint32


def test_a_study_resumes_past_a_malicious_checkpoint_without_running_it(tmp_path, capsys):
    flags = ("--seeds", "2", "--num-steps", "40", "--pretrain-steps", "10", "--checkpoint-every", "10")
    whole = make_args(*flags, out_dir=tmp_path / "whole")
    run_study(whole)
    args = make_args(*flags, out_dir=tmp_path / "parts")
    assert run_study(args, stop_event=StopAfter(3)) == study.EXIT_INTERRUPTED
    folder = population_folder(args)
    name = os.path.basename(folder)
    steps = checkpoint_steps(folder)
    marker = tmp_path / "unpickled"
    with open(os.path.join(folder, "checkpoints", f"state-{steps[-1]}.npz"), "wb") as f:
        pickle.dump(Malicious(str(marker)), f)
    capsys.readouterr()
    assert run_study(args) == 0  # the same command again resumes
    assert not marker.exists() and f"checkpoint at step {steps[-1]} is damaged" in capsys.readouterr().err
    assert read(os.path.join(folder, "samples.npy")) == read(os.path.join(study.study_dir(whole), name, "samples.npy"))


@pytest.mark.parametrize("damaged", ["summary.json", "weights.npz"])
def test_a_damaged_finished_population_is_trained_again(tmp_path, capsys, damaged):
    args = make_args(
        "--seeds", "2", "--num-steps", "20", "--pretrain-steps", "5", "--plot-seeds", "43", out_dir=tmp_path
    )
    assert run_study(args) == 0
    folder = population_folder(args)
    before = read(os.path.join(folder, "samples.npy"))
    with open(os.path.join(folder, damaged), "wb") as f:
        f.write(b"\x80garbage")
    os.remove(os.path.join(folder, "seed-43", "distributions.png"))
    capsys.readouterr()
    assert run_study(args) == 0
    out = capsys.readouterr().out
    assert "damaged" in out and "training" in out and "(from disk)" not in out
    assert read(os.path.join(folder, "samples.npy")) == before  # the same seeds train the same way
    assert os.path.getsize(os.path.join(folder, "seed-43", "distributions.png")) > 10_000


def test_a_reused_population_draws_a_newly_asked_seed_from_its_saved_weights(tmp_path, capsys):
    flags = ("--seeds", "2", "--num-steps", "20", "--pretrain-steps", "5")
    run_study(make_args(*flags, out_dir=tmp_path))
    args = make_args(*flags, "--plot-seeds", "42", out_dir=tmp_path)
    capsys.readouterr()
    assert run_study(args) == 0
    assert "(from disk)" in capsys.readouterr().out
    folder = population_folder(args)
    assert os.path.getsize(os.path.join(folder, "seed-42", "distributions.png")) > 10_000


def test_resume_refuses_a_run_trained_with_other_settings(tiny):
    gan.run(tiny("--run-name", "kept", "--checkpoint-every", "20"))
    with pytest.raises(files.RunError, match="trained with --learning-rate 0.03, not 0.5"):
        gan.run(tiny("--run-name", "kept", "--learning-rate", "0.5", "--resume"))
    gan.run(tiny("--run-name", "kept", "--checkpoint-every", "20", "--resume", "--export"))  # output flags may differ
