"""Files, atomically: every write goes to a temporary name and is renamed into place (figures, CSV,
JSON, samples), and says its path; a study's results read back; the memory there is to read or
write them into. Which files a run folder holds, and reading them: gan1d/folder.py."""

import contextlib
import csv
import io
import json
import math
import os
import sys
import tempfile

import numpy as np

PRINT_WRITES = True  # False: written paths are not announced


class RunError(Exception):
    """A run that cannot start as asked; main prints its message."""


def temporary_path(path):
    folder, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=os.path.splitext(name)[1], dir=folder or ".")
    os.close(fd)
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; the renamed file gets the usual mode
    return tmp


ANNOUNCERS = [print]  # the last one says each written path: a study's progress bar while it runs


def announce(path):
    if PRINT_WRITES:
        ANNOUNCERS[-1](f"wrote {path}")


@contextlib.contextmanager
def announcing_to(say):
    ANNOUNCERS.append(say)
    try:
        yield
    finally:
        ANNOUNCERS.pop()


def write_atomic(path, write, quiet=False):
    """Writes through write(file) to a temporary name in the same folder, then renames into place:
    a crash never leaves half a file. quiet: not announced (checkpoint files)."""
    tmp = temporary_path(path)
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    if not quiet:
        announce(path)


def write_text(path, text):
    write_atomic(path, lambda f: f.write(text.encode()))


def write_json(path, obj):
    write_text(path, json.dumps(json_safe(obj), indent=2, sort_keys=True) + "\n")


def json_safe(obj):
    """NaN and infinity become null: summary.json stays standard JSON."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def available_memory():
    """Bytes of memory available now (Linux's MemAvailable), or the machine's total elsewhere."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def write_csv(path, rows, columns):
    text = io.StringIO()
    writer = csv.DictWriter(text, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: format_value(row.get(k)) for k in columns})
    write_text(path, text.getvalue())


def read_results(path):
    """A study's results.csv as its rows: numbers as floats (an empty cell as nan), True/False as
    booleans, the rest as text. Raises OSError if unreadable."""
    with open(path, newline="") as f:
        return [{key: parsed_cell(value) for key, value in row.items()} for row in csv.DictReader(f)]


def parsed_cell(text):
    if text in ("True", "False"):
        return text == "True"
    try:
        return float(text) if text != "" else math.nan
    except ValueError:
        return text


def format_value(value):
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return value


def write_npy(path, array):
    write_atomic(path, lambda f: np.save(f, array))


def config_dict(args, tf_version):
    config = {k: v for k, v in vars(args).items() if not k.startswith("_")}
    config["versions"] = {"tensorflow": tf_version, "numpy": np.__version__, "python": sys.version.split()[0]}
    return config


def nan_for_null(row):
    return {k: math.nan if v is None else v for k, v in row.items()}
