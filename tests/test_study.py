"""gan1d.study: runs of many seeds and presets, the table and figure, resuming."""

import csv
import json
import os

from conftest import gan, make_args, read

from gan1d import study


def load_summary(run_dir):
    with open(os.path.join(run_dir, "summary.json")) as f:
        return json.load(f)


def test_a_small_study_writes_its_table_and_figure_and_resumes(tmp_path, capsys):
    argv = ["--seeds", "2", "--compare", "--num-steps", "20", "--pretrain-steps", "10", "--jobs", "2"]
    args = make_args(*argv, out_dir=tmp_path)
    assert study.run_study(args, gan.run) == 0
    folder = study.study_dir(args)
    with open(os.path.join(folder, "results.csv")) as f:
        results = list(csv.DictReader(f))
    assert [(r["minibatch"], r["seed"]) for r in results] == [
        ("False", "42"),
        ("False", "43"),
        ("True", "42"),
        ("True", "43"),
    ]
    summary = read(os.path.join(folder, "summary.md")).decode()
    assert "| 2016 | no | 2 |" in summary and "| 2016 | yes | 2 |" in summary and "w1 <= 0.3" in summary
    assert os.path.getsize(os.path.join(folder, "study.png")) > 10_000
    # as if interrupted: one run lost its summary; the same command redoes only that one
    lost = results[1]["run_dir"]
    os.remove(os.path.join(lost, "summary.json"))
    kept = os.path.join(results[0]["run_dir"], "summary.json")
    before = os.path.getmtime(kept)
    capsys.readouterr()
    assert study.run_study(args, gan.run) == 0
    out = capsys.readouterr().out
    assert out.count("from disk") == 3 and os.path.getmtime(kept) == before
    assert load_summary(lost)["status"] == "completed"


def test_a_study_of_several_presets_gives_each_run_its_preset(tmp_path):
    args = make_args("--preset", "2016,robust", "--seeds", "1", "--num-steps", "4", out_dir=tmp_path)
    runs = study.study_runs(args)
    assert [(r.preset, r.optimizer, r.d_steps, r.g_input_scale, r.num_steps) for r in runs] == [
        (["2016"], "sgd", 1, 1.0, 4),
        (["robust"], "adam", 3, 0.125, 4),
    ]
    runs = study.study_runs(make_args("--preset", "robust", "--seeds", "2", "--compare", out_dir=tmp_path))
    assert [(r.minibatch, r.seed, r.d_steps, r.d_init) for r in runs] == [
        (False, 42, 3, 1.0), (False, 43, 3, 1.0), (True, 42, 5, 0.3), (True, 43, 5, 0.3),
    ]  # fmt: skip
