"""gan1d.files: atomic writes, JSON without NaN, CSV values, checkpointed folders."""

import json
import math
import os

import numpy as np
import pytest

from gan1d import files, folder


def test_write_atomic_leaves_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_bytes(b"old")

    def broken(f):
        f.write(b"half")
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        files.write_atomic(str(path), broken)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["metrics.csv"]
    files.write_atomic(str(path), lambda f: f.write(b"new"))
    assert path.read_bytes() == b"new" and os.stat(path).st_mode & 0o044 == 0o044  # readable by others


def test_json_writes_nan_and_infinity_as_null(tmp_path):
    path = str(tmp_path / "summary.json")
    files.write_json(path, {"w1": math.nan, "kde": math.inf, "n": np.int64(3), "xs": [np.float32(0.5)]})
    assert json.loads(open(path).read()) == {"w1": None, "kde": None, "n": 3, "xs": [0.5]}
    back = folder.read_summary(str(tmp_path), ("w1",))
    assert math.isnan(back["w1"]) and back["kde"] is None  # only the named metrics come back as NaN


def test_csv_keeps_every_digit_of_a_float(tmp_path):
    path = str(tmp_path / "rows.csv")
    files.write_csv(path, [{"a": 0.1 + 0.2, "b": "x"}], ["a", "b"])
    assert open(path).read() == "a,b\n0.30000000000000004,x\n"


def test_a_folder_with_an_unfinished_checkpointed_run_is_refused(tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "checkpoints").mkdir(parents=True)
    with pytest.raises(files.RunError, match="--resume.*--overwrite"):
        folder.prepare(str(run_dir), resume=False, overwrite=False)
    (run_dir / "summary.json").write_text(json.dumps({"status": "completed"}))
    folder.prepare(str(run_dir), resume=False, overwrite=False)  # finished: simply rerun
    folder.prepare(str(run_dir), resume=False, overwrite=True)
    assert not (run_dir / "checkpoints").exists()
