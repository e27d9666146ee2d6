"""--data in a run and a study, in-process: the samples, figures and summary in the data's own
units, the held-out verdict, the baselines and memorisation figure, and a changed file refused."""

import json

import numpy as np
import pytest
from conftest import gan, make_args, run_study

from gan1d import files, judge


@pytest.fixture
def scaled_csv(tmp_path):
    """Two modes at 200 and 600 (the two-mode target times 100): 600 values, a header and a second column."""
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(200, 50, 300), rng.normal(600, 50, 300)])
    path = tmp_path / "scaled.csv"
    path.write_text("id,value\n" + "\n".join(f"{i},{float(v)!r}" for i, v in enumerate(values)))
    return f"{path}:value", values


def test_a_data_run_is_judged_in_the_data_s_units_against_its_held_out_part(tmp_path, scaled_csv, monkeypatch):
    monkeypatch.setattr(judge, "CALIBRATION_DRAWS", 40)  # the calibration's cost; its accuracy: tests/test_judge.py
    spec, values = scaled_csv
    args = make_args("--data", spec, "--preset", "robust", "--num-steps", "100", "--sampler", "mh", out_dir=tmp_path)
    summary = gan.run(args)
    run_dir = tmp_path / args.run_name
    samples = np.load(run_dir / "samples_mh.npy")
    assert samples.shape == (10_000,) and 50 < np.median(samples) < 750  # the data's units, not the model's
    assert summary["judged"] == "held-out" and summary["verdict"] == summary["verdict_free"]
    assert summary["verdict"] in ("indistinguishable", "close", "far") and "held-out data" in summary["verdict_reason"]
    assert summary["held_out_size"] == 120 and summary["ho_modes"] == 2
    assert set(summary["baselines"]) == {"gaussian", "kde", "gmm", "bootstrap"}
    assert summary["baselines"]["gmm"]["parts"] >= 2
    assert summary["nearest_training_median"]["bootstrap"] == 0.0
    for figure in ("distributions.png", "memorisation.png", "generator.png"):
        assert (run_dir / figure).read_bytes()[:4] == b"\x89PNG"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["data_record"]["held_out"] == 120 and config["data_record"]["column"] == "value"
    assert config["data_record"]["centre"] == pytest.approx(np.mean(values), rel=0.05)


@pytest.mark.slow
def test_a_data_study_and_a_changed_file_refused(tmp_path, scaled_csv, capsys):
    spec, values = scaled_csv
    flags = ("--data", spec, "--preset", "robust", "--num-steps", "50", "--seeds", "2")
    args = make_args(*flags, out_dir=tmp_path)
    assert run_study(args) == 0
    study_dir = tmp_path / "study_robust_data-scaled.csv:value_num-steps-50_seeds-42-43"
    results = files.read_results(study_dir / "results.csv")
    assert len(results) == 2 and all(r["judged"] == "held-out" for r in results)
    assert all(r["verdict"] == r["verdict_free"] for r in results)
    path = spec.rsplit(":", 1)[0]
    with open(path, "a") as f:
        f.write("\n600,400.0")
    with pytest.raises(files.RunError, match=r"argument --data: .*scaled.csv has changed since .* was trained on it"):
        run_study(make_args(*flags, out_dir=tmp_path))


def test_resume_refuses_a_changed_file_before_training(tmp_path, scaled_csv):
    spec, _ = scaled_csv
    args = make_args("--data", spec, "--resume", out_dir=tmp_path)
    run_dir = tmp_path / args.run_name
    run_dir.mkdir()
    earlier = {**args.data_record, "sha256": "0" * 64}
    (run_dir / "config.json").write_text(json.dumps({"data_record": earlier}))
    with pytest.raises(files.RunError, match=r"has changed since .* was trained on it \(sha256 000000000000 then"):
        gan.run(args)
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.json"]  # nothing written
