"""The run folder and its files: atomic writes (figures, CSV, JSON, samples), the run's config,
summaries read back, and checkpoints (TensorFlow's variables plus numpy's state)."""

import csv
import io
import json
import math
import os
import shutil
import sys
import tempfile

import numpy as np

PRINT_WRITES = True  # study workers leave it to the study's own line per run
DONE = ("completed", "early_stopped", "diverged")  # statuses of a run that needs no resuming


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


def announce(path):
    if PRINT_WRITES:
        print(f"wrote {path}")


def write_atomic(path, write):
    """Writes through write(file) to a temporary name in the same folder, then renames into place:
    a crash never leaves half a file."""
    tmp = temporary_path(path)
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
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


def write_csv(path, rows, columns):
    text = io.StringIO()
    writer = csv.DictWriter(text, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: format_value(row.get(k)) for k in columns})
    write_text(path, text.getvalue())


def format_value(value):
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return value


def write_npy(path, array):
    write_atomic(path, lambda f: np.save(f, array))


def read_summary(run_dir, metric_names=()):
    """The run's summary.json, with null metrics read back as NaN; None if there is none."""
    try:
        with open(os.path.join(run_dir, "summary.json")) as f:
            return {k: (math.nan if v is None and k in metric_names else v) for k, v in json.load(f).items()}
    except (OSError, ValueError):
        return None


def config_dict(args, tf_version):
    config = {k: v for k, v in vars(args).items() if not k.startswith("_")}
    config["versions"] = {"tensorflow": tf_version, "numpy": np.__version__, "python": sys.version.split()[0]}
    return config


def prepare_run_dir(run_dir, resume, overwrite):
    """Creates the run folder; refuses to start over an unfinished checkpointed run unless told how."""
    checkpoints = os.path.join(run_dir, "checkpoints")
    if os.path.isdir(checkpoints) and not (resume or overwrite):
        summary = read_summary(run_dir) or {}
        if summary.get("status") not in DONE:
            raise RunError(
                f"{run_dir} holds an unfinished run with checkpoints: continue it with --resume, or start it "
                "again with --overwrite"
            )
    if overwrite and os.path.isdir(checkpoints):
        shutil.rmtree(checkpoints)
    os.makedirs(run_dir, exist_ok=True)


def save_checkpoint(session, saver, run_dir, step, extra):
    """The session's variables (tf.train.Saver, last 3 kept) plus extra, what numpy and the loop hold."""
    folder = os.path.join(run_dir, "checkpoints")
    os.makedirs(folder, exist_ok=True)
    saver.save(session, os.path.join(folder, "model"), global_step=step)
    write_atomic(os.path.join(folder, f"state-{step}.npy"), lambda f: np.save(f, np.array(extra, dtype=object)))
    kept = {f"state-{path.rsplit('-', 1)[1]}.npy" for path in saver.last_checkpoints}
    for name in os.listdir(folder):
        if name.startswith("state-") and name not in kept:
            os.remove(os.path.join(folder, name))


def restore_checkpoint(session, saver, run_dir, latest_checkpoint):
    """Restores the last checkpoint into the session; returns its extra state, or None if there is none."""
    folder = os.path.join(run_dir, "checkpoints")
    latest = latest_checkpoint(folder) if os.path.isdir(folder) else None
    if latest is None:
        return None
    saver.restore(session, latest)
    step = int(latest.rsplit("-", 1)[1])
    return np.load(os.path.join(folder, f"state-{step}.npy"), allow_pickle=True).item()
