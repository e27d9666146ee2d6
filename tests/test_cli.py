"""The command line: bad flags answered at once, a short real run, Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, gan

GAN = os.path.join(ROOT, "gan.py")

BAD_FLAGS = [
    (["--num-steps", "0"], "--num-steps"),
    (["--num-steps", "1.5"], "--num-steps"),
    (["--num-steps", "-3"], "--num-steps"),
    (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "two"], "--batch-size"),
    (["--hidden-size", "0"], "--hidden-size"),
    (["--minibatch", "--batch-size", "1"], "--batch-size"),
    (["--seeds", "2", "--compare", "--batch-size", "1"], "--batch-size"),
    (["--learning-rate", "0"], "--learning-rate"),
    (["--learning-rate", "-0.1"], "--learning-rate"),
    (["--learning-rate", "nan"], "--learning-rate"),
    (["--learning-rate", "inf"], "--learning-rate"),
    (["--sigma", "0"], "--sigma"),
    (["--sigma", "nan"], "--sigma"),
    (["--noise-range", "-8"], "--noise-range"),
    (["--noise-range", "inf"], "--noise-range"),
    (["--mu", "nan"], "--mu"),
    (["--decay-rate", "0"], "--decay-rate"),
    (["--decay-rate", "1.5"], "--decay-rate"),
    (["--anim-every", "0"], "--anim-every"),
    (["--log-every", "0"], "--log-every"),
    (["--eval-every", "0"], "--eval-every"),
    (["--seeds", "-1"], "--seeds"),
    (["--preset", "2018"], "--preset"),
    (["--preset", "2016,2017"], "--preset"),
    (["--optimizer", "rmsprop"], "--optimizer"),
    (["--activation", "sigmoid"], "--activation"),
    (["--anim-path", "run.avi"], "--anim-path"),
    (["--run-name", "a/b"], "--run-name"),
    (["--run-name", ".."], "--run-name"),
    (["--out-dir", "/proc/no/such/place"], "--out-dir"),
    (["--beta1", "1"], "--beta1"),
    (["--ema", "-0.5"], "--ema"),
    (["--r1", "-1"], "--r1"),
    (["--d-steps", "0"], "--d-steps"),
    (["--patience", "0"], "--patience"),
    (["--resume", "--overwrite"], "--resume"),
    (["--jobs", "0"], "--jobs"),
    (["--xla", "--loop", "feed"], "--xla"),
]


@pytest.mark.parametrize("argv,flag", BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_bad_flags_get_one_line_naming_the_flag_and_exit_2(argv, flag, capsys):
    with pytest.raises(SystemExit) as exit_info:
        gan.parse_args(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gan.py: error: argument")
    assert flag in err and "Traceback" not in err


def test_an_output_folder_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit):
        gan.parse_args(["--out-dir", str(tmp_path / "file" / "runs")])
    assert "--out-dir" in capsys.readouterr().err


def test_mp4_without_ffmpeg_is_refused_before_training(monkeypatch, capsys):
    monkeypatch.setattr(gan.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit):
        gan.parse_args(["--anim-path", "run.mp4"])
    assert "ffmpeg" in capsys.readouterr().err


def test_bad_flags_are_answered_before_tensorflow_is_imported(tmp_path):
    code = "import sys, gan\ntry:\n    gan.main(['--batch-size', '0', '--out-dir', 'x'])\nexcept SystemExit as e:\n    print(e.code, 'tensorflow' in sys.modules)"
    started = time.time()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["2", "False"]
    assert time.time() - started < 10 and not os.path.exists(os.path.join(ROOT, "x"))


def test_a_short_run_from_the_command_line_writes_figure_and_gif(tmp_path):
    gif = tmp_path / "run.gif"
    argv = ["--minibatch", "--num-steps", "30", "--pretrain-steps", "10", "--out-dir", str(tmp_path)]
    out = subprocess.run(
        [sys.executable, GAN, *argv, "--anim-path", str(gif), "--anim-every", "3"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    run_dir = tmp_path / "2016_minibatch_num-steps-30_pretrain-steps-10_seed-42"
    assert f"wrote {run_dir / 'distributions.png'}" in out.stdout and "step 30/30" in out.stdout
    assert (run_dir / "distributions.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((run_dir / "config.json").read_text())["versions"]["tensorflow"]
    from PIL import Image

    with Image.open(gif) as image:
        assert image.n_frames == 11 and image.size == (512, 384)  # steps 0, 3, ..., 30
    assert out.stderr == ""


def test_ctrl_c_saves_everything_and_exits_130(tmp_path):
    argv = [
        sys.executable,
        GAN,
        "--num-steps",
        "200000",
        "--pretrain-steps",
        "0",
        "--out-dir",
        str(tmp_path),
        "--run-name",
        "r",
    ]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.startswith("step") and "/200000" in line and not line.startswith("step      0"):
            break
    process.send_signal(signal.SIGINT)
    started = time.time()
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and time.time() - started < 20, stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["status"] == "interrupted" and 0 < summary["steps"] < 200000
    assert (tmp_path / "r" / "samples.npy").exists() and list((tmp_path / "r" / "checkpoints").iterdir())
    assert "Traceback" not in stderr
