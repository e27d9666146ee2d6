"""gan1d/data.py and --data on the command line: each loader on files written here, the split, the
model's units, and every bad input's one line (before TensorFlow, nothing written)."""

import json

import numpy as np
import pytest
from conftest import gan, make_args

from gan1d import data


def write(path, text):
    path.write_text(text)
    return str(path)


def refused(argv, capsys):
    """gan.py's one-line error for argv: (exit status, the line)."""
    with pytest.raises(SystemExit) as exit_info:
        gan.parse_args(argv)
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line, no usage block, no traceback
    return exit_info.value.code, err.strip()


def test_csv_by_name_by_index_and_without_a_header(tmp_path):
    path = write(tmp_path / "d.csv", "eruptions,waiting\n3.6,79\n1.8,54\n\n3.333,74\n")
    assert data.read_values(path, "waiting").tolist() == [79, 54, 74]
    assert data.read_values(path, "0").tolist() == [3.6, 1.8, 3.333]
    bare = write(tmp_path / "bare.csv", "1,10\n2,20\n-3e2,30\n")
    assert data.read_values(bare, "0").tolist() == [1, 2, -300]
    one = write(tmp_path / "one.csv", "x\n1.5\n2.5\n")
    assert data.read_values(one).tolist() == [1.5, 2.5]


def test_tsv_txt_and_npy(tmp_path):
    tsv = write(tmp_path / "d.tsv", "a\tb\n1\t2\n3\t4\n")
    assert data.read_values(tsv, "b").tolist() == [2, 4]
    txt = write(tmp_path / "d.txt", "# a comment\n1.0\n\n  2.5  # the second\n-3\n")
    assert data.read_values(txt).tolist() == [1.0, 2.5, -3.0]
    np.save(tmp_path / "one.npy", np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert data.read_values(str(tmp_path / "one.npy")).tolist() == [1.0, 2.0, 3.0]
    np.save(tmp_path / "two.npy", np.arange(6).reshape(3, 2))
    assert data.read_values(str(tmp_path / "two.npy"), "1").tolist() == [1, 3, 5]


def test_path_and_column_are_read_from_the_right(tmp_path):
    assert data.parse_spec("a/b.csv:waiting") == ("a/b.csv", "waiting")
    odd = tmp_path / "odd:name.txt"
    odd.write_text("1\n")
    assert data.parse_spec(str(odd)) == (str(odd), None)  # a path that exists is taken whole


@pytest.mark.parametrize(
    "name, text, column, expected",
    [
        ("d.csv", "a,b\n1,2\n", None, "has 2 columns (a, b): name one, PATH:COLUMN"),
        ("d.csv", "a,b\n1,2\n", "c", "has no column 'c': its columns are a, b (by name or 0-based index)"),
        ("d.csv", "a\n1\nx\n", None, "line 3, a: 'x' is not a number"),
        ("d.csv", "a\n1\n\n", None, None),
        ("d.csv", "", None, "holds no values"),
        ("d.csv", "a\n1\nnan\n2\ninf\n", None, "holds 2 NaN or infinite value(s), the first at line 3: remove them"),
        ("d.txt", "5\n5\n5\n", None, "holds one value only (5, 3 times): there is no spread to learn"),
        ("d.txt", "1\n2 3\n", None, "line 2: '2 3' is not a number (one number per line)"),
        ("d.json", "[1]", None, "read are .csv, .tsv, .txt, .npy files, not .json"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, name, text, column, expected):
    path = write(tmp_path / name, text)
    if expected is None:  # a single value: read, but then constant
        expected = "holds one value only"
    with pytest.raises(data.DataError) as error:
        data.read_values(path, column)
    message = str(error.value)
    assert message.startswith(f"argument --data: {path}") and expected in message and "\n" not in message


def test_npy_of_objects_is_never_unpickled(tmp_path):
    path = tmp_path / "objects.npy"
    np.save(path, np.array([{"x": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(data.DataError, match="holds objects: only numbers are read"):
        data.read_values(str(path))
    np.save(tmp_path / "two.npy", np.zeros((4, 3)))
    with pytest.raises(data.DataError, match="2-D array of 3 columns: name one by its index, PATH:0 to PATH:2"):
        data.read_values(str(tmp_path / "two.npy"))
    (tmp_path / "fake.npy").write_bytes(b"not an array")
    with pytest.raises(data.DataError, match="is not a .npy file"):
        data.read_values(str(tmp_path / "fake.npy"))


def test_too_many_values_for_memory_says_how_many_fit(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "max_values", lambda: 3)
    with pytest.raises(data.DataError, match="holds more than 3 values, which is what fits in memory here"):
        data.read_values(write(tmp_path / "d.txt", "1\n2\n3\n4\n"))
    np.save(tmp_path / "big.npy", np.arange(4.0))
    with pytest.raises(data.DataError, match="more than 3 values"):
        data.read_values(str(tmp_path / "big.npy"))


def test_a_part_of_one_value_is_refused():
    values = np.array([1.0] * 95 + [2.0, 3.0, 4.0, 5.0, 6.0])
    with pytest.raises(data.DataError, match="part is one value repeated"):
        for seed in range(50):  # some split leaves one of its parts all ones
            data.split_data("d.txt", None, "0" * 64, values, 0.2, seed)


def test_the_split_is_disjoint_reproducible_and_its_own_seed(tmp_path):
    train, held = data.split(100, 0.2, seed=0)
    assert len(held) == 20 and len(train) == 80
    assert sorted(np.concatenate([train, held]).tolist()) == list(range(100))
    again, held_again = data.split(100, 0.2, seed=0)
    assert np.array_equal(held, held_again) and np.array_equal(train, again)
    assert not np.array_equal(held, data.split(100, 0.2, seed=1)[1])


def test_the_model_units_are_the_training_part_s_and_round_trip(tmp_path):
    values = np.random.default_rng(3).normal(1000, 100, 500)
    path = write(tmp_path / "d.txt", "\n".join(repr(float(v)) for v in values))
    ds = data.load(path, 0.2, 0)
    assert ds.units.centre == pytest.approx(np.mean(ds.train), rel=1e-15)
    assert ds.units.scale == pytest.approx(np.std(ds.train), rel=1e-15)
    model = ds.units.to_model(values)
    assert abs(np.mean(ds.units.to_model(ds.train))) < 1e-12 and np.std(ds.units.to_model(ds.train)) == pytest.approx(1)
    eps = np.finfo(float).eps
    assert np.max(np.abs(ds.units.to_data(model) - values)) <= 4 * eps * np.max(np.abs(values))
    assert data.Units().to_model(values) is values  # the identity touches nothing: a synthetic target's bytes


def test_data_flags_refuse_bad_input_before_training(tmp_path, capsys):
    few = write(tmp_path / "few.txt", "\n".join(map(str, range(30))))
    code, line = refused(["--data", few, "--out-dir", str(tmp_path / "out")], capsys)
    assert code == 2 and "leaves 6 held out and 24 to train on: at least 10 are needed on each side" in line
    code, line = refused(["--data", str(tmp_path / "missing.csv")], capsys)
    assert line == f"gan.py: error: argument --data: {tmp_path / 'missing.csv'} does not exist"
    code, line = refused(["--data", str(tmp_path)], capsys)
    assert "is a folder" in line
    ok = write(tmp_path / "ok.txt", "\n".join(map(str, range(100))))
    code, line = refused(["--data", ok, "--target", "two-modes"], capsys)
    assert line.endswith("argument --data: trains on the file, not on a target: leave out --target")
    code, line = refused(["--data", ok, "--held-out-size", "50"], capsys)
    assert "--held-out-size: a synthetic target's" in line
    assert not (tmp_path / "out").exists()


def test_a_data_run_records_its_file_and_split(tmp_path):
    path = write(tmp_path / "d.csv", "x,y\n" + "\n".join(f"{i},{i % 7}" for i in range(50)))
    args = make_args("--data", f"{path}:y", out_dir=tmp_path)
    record = args.data_record
    assert record["column"] == "y" and record["values"] == 50 and (record["train"], record["held_out"]) == (40, 10)
    assert len(record["sha256"]) == 64 and args.run_name == "any_data-d.csv:y_seed-42"  # --data: the any preset
    json.dumps(record)  # config.json keeps it as it is


def test_negative_comma_lists_and_exact_long_flags(capsys):
    args = make_args("--mu", "-5.25,-1.75", "--sigma", "0.5")
    assert args.mu == [-5.25, -1.75]
    assert make_args("--mu", "-3").mu == [-3.0]
    code, line = refused(["--sampl", "plain"], capsys)
    assert code == 2 and "unrecognized arguments: --sampl plain" in line
