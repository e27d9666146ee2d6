"""The run folder and its files: atomic writes (figures, CSV, JSON, samples), the run's config,
summaries read back, and checkpoints (TensorFlow's variables, the loop's state as JSON and its
arrays as .npz). Nothing a run folder holds is unpickled when read."""

import contextlib
import csv
import io
import json
import math
import os
import re
import shutil
import sys
import tempfile
import zipfile

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


CHECKPOINT_INDEX = "checkpoint"  # TensorFlow's own index of a folder's checkpoints, written last


def save_checkpoint(session, saver, run_dir, step, state, arrays):
    """A checkpoint: the loop's state as JSON and its arrays as .npz (nothing pickled), then the
    session's variables (tf.train.Saver, last 3 kept), whose index names the checkpoint last: a kill
    at any moment leaves the last complete checkpoint as it was."""
    folder = os.path.join(run_dir, "checkpoints")
    os.makedirs(folder, exist_ok=True)
    write_atomic(os.path.join(folder, f"state-{step}.json"), json_bytes(state), quiet=True)
    write_atomic(os.path.join(folder, f"state-{step}.npz"), lambda f: np.savez(f, **arrays), quiet=True)
    saver.save(session, os.path.join(folder, "model"), global_step=step)  # data and index, then CHECKPOINT_INDEX
    kept = {str(checkpoint_step(path)) for path in saver.last_checkpoints}
    for name in os.listdir(folder):
        if name.startswith("state-") and name.split("-", 1)[1].split(".")[0] not in kept:
            os.remove(os.path.join(folder, name))


def json_bytes(obj):
    return lambda f: f.write((json.dumps(json_safe(obj), sort_keys=True) + "\n").encode())


def checkpoint_step(path):
    return int(path.rsplit("-", 1)[1])


def indexed_checkpoints(folder):
    """The steps of the folder's checkpoints, newest first: those TensorFlow's index names, or, if
    the index is unreadable, every step with a model index file."""
    try:
        with open(os.path.join(folder, CHECKPOINT_INDEX)) as f:
            named = re.findall(r'^all_model_checkpoint_paths: "(.*)"$', f.read(), re.MULTILINE)
        steps = {checkpoint_step(path) for path in named}
    except (OSError, ValueError, UnicodeDecodeError):
        steps = set()
    if not steps:
        pattern = re.compile(r"^model-(\d+)\.index$")
        steps = {int(m.group(1)) for m in map(pattern.match, os.listdir(folder)) if m}
    return sorted(steps, reverse=True)


def restore_checkpoint(session, saver, run_dir):
    """Restores the newest usable checkpoint into the session; returns (state, arrays), or None if
    the folder has no checkpoint. A damaged one is reported in one line and the one before it tried;
    if none is usable, a RunError names the folder and --overwrite."""
    folder = os.path.join(run_dir, "checkpoints")
    steps = indexed_checkpoints(folder) if os.path.isdir(folder) else []
    for step in steps:
        try:
            restored = read_checkpoint(session, saver, folder, step)
        except CheckpointError as damage:
            print(f"checkpoint at step {step} is damaged ({damage}): trying the one before", file=sys.stderr)
            continue
        saver.recover_last_checkpoints([os.path.join(folder, f"model-{s}") for s in sorted(steps) if s <= step])
        return restored
    if steps:
        raise RunError(f"{folder} holds no usable checkpoint: start the run again with --overwrite")
    return None


class CheckpointError(Exception):
    """A checkpoint file is missing, truncated, not what it claims to be, or would need unpickling."""


def read_checkpoint(session, saver, folder, step):
    prefix = os.path.join(folder, f"state-{step}")
    try:
        with open(prefix + ".json", "rb") as f:
            state = json.loads(f.read().decode())
        with np.load(prefix + ".npz", allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}  # every array read here: a damaged one raises now
    except (OSError, ValueError, UnicodeDecodeError, EOFError, zipfile.BadZipFile) as error:
        raise CheckpointError(f"{prefix}: {type(error).__name__}") from None
    if not isinstance(state, dict) or state.get("step") != step:
        raise CheckpointError(f"{prefix}.json is not this checkpoint's state")
    from .lazy import tf

    try:
        saver.restore(session, os.path.join(folder, f"model-{step}"))
    except (tf.errors.OpError, ValueError) as error:
        raise CheckpointError(f"{os.path.join(folder, f'model-{step}')}: {type(error).__name__}") from None
    return state, arrays


def rng_arrays(rngs):
    """Each member's numpy RandomState (MT19937) as plain arrays: keys, position, cached normal."""
    states = [rng.get_state() for rng in rngs]
    return {
        "rng_keys": np.stack([s[1] for s in states]),
        "rng_pos": np.array([s[2] for s in states]),
        "rng_has_gauss": np.array([s[3] for s in states]),
        "rng_cached_gaussian": np.array([s[4] for s in states]),
    }


def set_rng_states(rngs, arrays):
    if arrays["rng_keys"].shape != (len(rngs), 624):
        raise RunError(f"the checkpoint holds {len(arrays['rng_keys'])} random streams for {len(rngs)} members")
    for i, rng in enumerate(rngs):
        keys, pos = arrays["rng_keys"][i], int(arrays["rng_pos"][i])
        rng.set_state(("MT19937", keys, pos, int(arrays["rng_has_gauss"][i]), float(arrays["rng_cached_gaussian"][i])))


def weight_list(arrays, prefix):
    """The arrays prefix_0, prefix_1, ... as a list, or None if there are none."""
    values = [arrays[f"{prefix}_{k}"] for k in range(len(arrays)) if f"{prefix}_{k}" in arrays]
    return values or None


def nan_for_null(row):
    return {k: math.nan if v is None else v for k, v in row.items()}
