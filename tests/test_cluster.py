"""gan1d.cluster with a real LocalCluster of worker processes: the same files as a study in one
process, a worker killed mid-task, Ctrl-C of the client, a scheduler that does not answer, and a
worker that raises."""

import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest
from conftest import ROOT, gan, make_args, read, run_study

from gan1d import files, names

pytestmark = pytest.mark.slow  # each test starts worker processes that import TensorFlow

STUDY = ("--seeds", "2", "--num-steps", "400", "--pretrain-steps", "20", "--sweep", "d-steps=1,2")


def outputs_of(args):
    """{path in the study folder: bytes} of every population's samples and metrics and the results."""
    folder = names.study_dir(args)
    found = {}
    for here, _, in_here in os.walk(folder):
        for name in in_here:
            if name in ("samples.npy", "metrics.csv", "results.csv"):
                path = os.path.join(here, name)
                found[os.path.relpath(path, folder)] = read(path)
    return found


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    args = make_args(*STUDY, out_dir=tmp_path_factory.mktemp("in-process"))
    assert run_study(args) == 0
    return outputs_of(args)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_study_on_workers_writes_the_files_of_a_study_in_one_process(tmp_path, in_process, workers):
    args = make_args(*STUDY, "--workers", workers, out_dir=tmp_path)
    assert run_study(args) == 0
    assert outputs_of(args) == in_process and len(in_process) == 5  # 2 populations x 2 files, results.csv


def worker_processes():
    return [p for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())]


def kill_a_worker_after_a_checkpoint(folder, killed):
    """Waits for a population's first checkpoint, then SIGKILLs the first worker process."""
    workers = worker_processes() if first_checkpoint(folder) else []
    if workers:
        workers[0].send_signal(signal.SIGKILL)
        killed.append(workers[0].pid)


def test_a_worker_killed_mid_task_is_retried_and_the_study_ends_as_if_it_had_not_been(tmp_path):
    """Two populations of 2,000 steps on two workers, one worker killed at the first checkpoint (step
    200 of its population, both workers busy): its population resumes from a checkpoint on a retry."""
    long = [*STUDY, "--num-steps", "2000"]
    whole = make_args(*long, out_dir=tmp_path / "whole")
    assert run_study(whole) == 0
    args = make_args(*long, "--workers", "2", out_dir=tmp_path / "killed")
    killed = []
    killer = threading.Thread(target=kill_a_worker_after_a_checkpoint, args=(names.study_dir(args), killed))
    killer.start()
    assert run_study(args) == 0
    killer.join()
    assert killed, "no worker was killed"
    assert outputs_of(args) == outputs_of(whole)


def first_checkpoint(folder, seconds=120):
    """Waits until a population under folder has written a checkpoint; True if one did in time."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if any("checkpoint" in in_here for _, _, in_here in os.walk(folder)):
            return True
        time.sleep(0.1)
    return False


def test_ctrl_c_of_the_client_stops_the_tasks_keeps_what_finished_and_exits_130(tmp_path):
    long = [*STUDY, "--num-steps", "200000"]  # minutes of training: it is stopped long before its end
    command = [sys.executable, os.path.join(ROOT, "gan.py"), *long, "--workers", "2", "--out-dir", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert first_checkpoint(tmp_path), "no population checkpointed"
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=180)
    assert process.returncode == 130, out
    assert "stopping: 2 running population(s) checkpoint" in out and "run the same command again to finish it" in out
    states = [f for _, _, in_here in os.walk(tmp_path) for f in in_here if f.startswith("state-")]
    assert len(states) >= 4  # each population's state (JSON and npz) at its interruption


def test_a_scheduler_that_does_not_answer_is_one_line_before_any_training(tmp_path, capsys):
    argv = ["--seeds", "2", "--num-steps", "20", "--scheduler", "tcp://127.0.0.1:9", "--out-dir", str(tmp_path)]
    assert gan.main([*argv, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gan.py: error: argument --scheduler: no scheduler answers at")
    assert not os.listdir(tmp_path)  # no study folder, no population


def test_a_worker_that_raises_fails_its_population_and_the_rest_of_the_study_finishes(tmp_path, capsys):
    sys.path.insert(0, os.path.dirname(__file__))
    import failing_tutorial

    from gan1d import study

    args = make_args(*STUDY, "--workers", "2", out_dir=tmp_path)
    assert study.run_study(args, gan.flag_parser().settings, failing_tutorial.TUTORIAL) == 4
    out = capsys.readouterr().out
    assert "failed on its worker: RuntimeError: this population's loop fails on purpose" in out
    assert "study incomplete: 1 population(s) failed (2016_d-steps-2_no-minibatch" in out
    rows = files.read_results(os.path.join(names.study_dir(args), "results.csv"))
    assert [(r["d_steps"], r["seed"], r["status"]) for r in rows] == [(1, 42, "completed"), (1, 43, "completed")]
