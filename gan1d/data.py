"""A user's column of numbers (--data PATH[:COLUMN]): read safely from .csv, .tsv, .txt or .npy
(never unpickled), checked value by value, hashed, split once into a training part and a held-out
part by a seed of its own, and standardised for the model by the training part's mean and std.
Every problem is a DataError of one line that names the flag and what is allowed. Nothing here
imports TensorFlow: the file is read and checked while the flags are."""

import csv
import functools
import hashlib
import itertools
import math
import os
from typing import NamedTuple

import numpy as np

from .files import available_memory

EXTENSIONS = (".csv", ".tsv", ".txt", ".npy")
MIN_PART = 10  # values on each side of the split: fewer leave no spread to learn or to judge against
BYTES_PER_VALUE = 64  # a value read, split, standardised, sorted and bootstrapped: about 8 float64 copies
MEMORY_SHARE = 0.5  # of the memory available now, what the data may take


class DataError(ValueError):
    """A data file that cannot be used: the message is the whole one-line error, flag included."""


def problem(text):
    return DataError(f"argument --data: {text}")


def parse_spec(text):
    """'PATH[:COLUMN]' -> (path, column or None): a path that exists is taken whole, colons and all."""
    if os.path.exists(text) or ":" not in text:
        return text, None
    path, column = text.rsplit(":", 1)
    return path, column or None


def max_values():
    """How many values fit in memory here."""
    return int(available_memory() * MEMORY_SHARE // BYTES_PER_VALUE)


def too_many(path, limit):
    return problem(f"{path} holds more than {limit:,} values, which is what fits in memory here")


def read_values(path, column=None):
    """The file's values as a float64 array (n,), each finite; raises DataError."""
    if os.path.isdir(path):
        raise problem(f"{path} is a folder: give a file ({', '.join(EXTENSIONS)})")
    if not os.path.exists(path):
        raise problem(f"{path} does not exist")
    ext = os.path.splitext(path)[1].lower()
    if ext not in EXTENSIONS:
        raise problem(f"{path}: read are {', '.join(EXTENSIONS)} files, not {ext or 'a file without extension'}")
    try:
        if ext == ".npy":
            values, places = read_npy(path, column), None
        elif ext == ".txt":
            if column is not None:
                raise problem(f"{path} is one number per line: it has no column {column!r}")
            values, places = read_lines(path)
        else:
            values, places = read_table(path, "," if ext == ".csv" else "\t", column)
    except (OSError, UnicodeDecodeError) as error:
        raise problem(f"{path} cannot be read ({type(error).__name__}: {error})") from None
    check_values(path, values, places)
    return values


def check_values(path, values, places):
    """No NaN or infinity (how many, and the first one's line), not empty, not constant."""
    if len(values) == 0:
        raise problem(f"{path} holds no values")
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        where = f"line {places[bad[0]]}" if places is not None else f"index {bad[0]}"
        raise problem(f"{path} holds {len(bad)} NaN or infinite value(s), the first at {where}: remove them")
    if np.all(values == values[0]):
        raise problem(f"{path} holds one value only ({values[0]:g}, {len(values)} times): there is no spread to learn")


def number(text):
    """A cell as a float, or None if it is not a number (NaN and infinity are numbers here: checked later)."""
    try:
        return float(text)
    except ValueError:
        return None


def collected(path, numbered):
    """(values (n,), their line numbers) of (line number, value) pairs, stopping past what fits in memory."""
    values, places, limit = [], [], max_values()
    for line_no, value in numbered:
        values.append(value)
        places.append(line_no)
        if len(values) > limit:
            raise too_many(path, limit)
    return np.array(values, dtype=np.float64), places


def read_lines(path):
    """A .txt file: one number per line; '#' starts a comment; blank lines skipped."""
    with open(path, encoding="utf-8") as f:
        return collected(path, numbered_lines(path, f))


def numbered_lines(path, lines):
    for line_no, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        value = number(text)
        if value is None:
            raise problem(f"{path} line {line_no}: {text[:40]!r} is not a number (one number per line)")
        yield line_no, value


def read_table(path, delimiter, column):
    """A .csv or .tsv file: a header row if its first row is not all numbers; one column, by name or
    0-based index, or the only one."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = ((i, row) for i, row in enumerate(csv.reader(f, delimiter=delimiter), 1) if any(c.strip() for c in row))
        first = next(rows, None)
        if first is None:
            raise problem(f"{path} holds no values")
        _, row = first
        header = [c.strip() for c in row] if any(number(c) is None for c in row) else None
        index = column_index(path, header, len(row), column)
        name = header[index] if header else f"column {index}"
        return collected(path, numbered_cells(path, itertools.chain([] if header else [first], rows), index, name))


def numbered_cells(path, rows, index, name):
    for line_no, row in rows:
        cell = row[index].strip() if index < len(row) else ""
        value = number(cell)
        if value is None:
            raise problem(f"{path} line {line_no}, {name}: {cell[:40]!r} is not a number")
        yield line_no, value


def column_index(path, header, width, column):
    """The column's 0-based index, by name (with a header) or by number."""
    names = header or [str(i) for i in range(width)]
    listed = ", ".join(names)
    if column is None:
        if width == 1:
            return 0
        raise problem(f"{path} has {width} columns ({listed}): name one, PATH:COLUMN")
    if header and column in header:
        return header.index(column)
    if column.isdigit() and int(column) < width:
        return int(column)
    raise problem(f"{path} has no column {column!r}: its columns are {listed} (by name or 0-based index)")


def read_npy(path, column):
    """A .npy file: a 1-D array of numbers, or a 2-D one with a column index; its header is read
    first, so an array of objects is refused before any of it is loaded (never unpickled)."""
    with open(path, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            read_header = (
                np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read_header(f)
        except ValueError as error:
            raise problem(f"{path} is not a .npy file ({error})") from None
    if dtype.hasobject or dtype.kind not in "biuf":
        raise problem(f"{path} holds {'objects' if dtype.hasobject else dtype}: only numbers are read")
    limit = max_values()
    if math.prod(shape) > limit:
        raise too_many(path, limit)
    if len(shape) == 2:
        if column is None or not column.isdigit() or int(column) >= shape[1]:
            raise problem(f"{path} is a 2-D array of {shape[1]} columns: name one by its index, PATH:0 to PATH:{shape[1] - 1}")  # fmt: skip
        return np.load(path, allow_pickle=False, mmap_mode="r")[:, int(column)].astype(np.float64)
    if len(shape) != 1:
        raise problem(f"{path} holds a {len(shape)}-D array: a 1-D one, or a 2-D one with a column, is read")
    if column is not None:
        raise problem(f"{path} is a 1-D array: it has no column {column!r}")
    return np.load(path, allow_pickle=False).astype(np.float64)


def content_hash(path):
    """The file's SHA-256: what a run records, and what --resume and a study's reuse compare."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def split(n, fraction, seed):
    """(training indices, held-out indices), disjoint, each sorted: round(n * fraction) values held
    out, chosen by a permutation of its own seed (the same for every seed of a study)."""
    held = int(round(n * fraction))
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


class Units(NamedTuple):
    """The model's units: (data - centre) / scale. Identity for a synthetic target as the tutorial
    trains it; else the training part's mean and std (docs/data.md says why not the median and IQR)."""

    centre: float = 0.0
    scale: float = 1.0

    @property
    def identity(self):
        return self.centre == 0.0 and self.scale == 1.0

    def to_model(self, x):
        return x if self.identity else (np.asarray(x, dtype=np.float64) - self.centre) / self.scale

    def to_data(self, x):
        return x if self.identity else np.asarray(x, dtype=np.float64) * self.scale + self.centre


IDENTITY = Units()  # a synthetic target's, as the tutorial trains it


class DataSet(NamedTuple):
    """A data file read and split: its values in its own units, the training and held-out parts."""

    path: str
    column: object
    sha256: str
    train: np.ndarray  # (n - k,) sorted
    held_out: np.ndarray  # (k,) sorted
    units: Units

    def record(self):
        """What config.json keeps of it."""
        return {
            "path": self.path,
            "column": self.column,
            "sha256": self.sha256,
            "values": len(self.train) + len(self.held_out),
            "train": len(self.train),
            "held_out": len(self.held_out),
            "centre": self.units.centre,
            "scale": self.units.scale,
        }


def load(spec, fraction, seed):
    """The DataSet of --data spec, split by --held-out fraction and --split-seed seed (read once per
    process for the file's current content); raises DataError."""
    path, column = parse_spec(spec)
    values = read_values(path, column)
    return split_data(path, column, content_hash(path), values, fraction, seed)


@functools.lru_cache(maxsize=4)
def load_cached(spec, fraction, seed, stamp):
    """load(), kept while the file's (size, mtime) stamp is unchanged."""
    return load(spec, fraction, seed)


def loaded(spec, fraction, seed):
    path, _ = parse_spec(spec)
    try:
        info = os.stat(path)
        stamp = (info.st_size, info.st_mtime_ns)
    except OSError:
        stamp = None
    return load_cached(spec, fraction, seed, stamp)


def split_data(path, column, sha256, values, fraction, seed):
    train_idx, held_idx = split(len(values), fraction, seed)
    if min(len(train_idx), len(held_idx)) < MIN_PART:
        raise problem(
            f"{path} holds {len(values)} values; --held-out {fraction:g} leaves {len(held_idx)} held out and "
            f"{len(train_idx)} to train on: at least {MIN_PART} are needed on each side"
        )
    train, held = np.sort(values[train_idx]), np.sort(values[held_idx])
    scale = float(np.std(train))
    for part, values in (("training", train), ("held-out", held)):
        if values[0] == values[-1]:  # sorted: one value repeated
            raise problem(
                f"{path}: the {part} part is one value repeated ({values[0]:g}): there is no spread to learn or judge"
            )
    return DataSet(path, column, sha256, train, held, Units(float(np.mean(train)), scale))
