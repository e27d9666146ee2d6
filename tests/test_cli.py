"""The command line as a subprocess: bad flags answered before TensorFlow, a short real run, Ctrl-C."""

import json
import os
import signal
import subprocess
import sys

import pytest
from conftest import ROOT

GAN = os.path.join(ROOT, "gan.py")


def test_bad_flags_are_answered_before_tensorflow_is_imported(tmp_path):
    code = "import sys, gan\ntry:\n    gan.main(['--batch-size', '0', '--out-dir', 'x'])\nexcept SystemExit as e:\n    print(e.code, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["2", "False"]  # exit status 2, and TensorFlow never imported
    assert not os.path.exists(os.path.join(ROOT, "x"))


@pytest.mark.slow
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


@pytest.mark.slow
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
    stdout, stderr = process.communicate(timeout=60)  # the current chunk of steps, then the files
    assert process.returncode == 130, stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["status"] == "interrupted" and 0 < summary["steps"] < 200000
    assert (tmp_path / "r" / "samples.npy").exists() and list((tmp_path / "r" / "checkpoints").iterdir())
    assert "Traceback" not in stderr
