"""A run folder, and a population's: every file's name, and the one place that writes and reads
them (docs/run-folder.md). The rest of the package asks here for a path or a file's content.
Nothing read executes code: JSON, CSV and .npz/.npy without pickle; a damaged or crafted file is
a FolderError of one line (or, where the work can be redone, reported and redone)."""

import json
import math
import os
import shutil
import zipfile

import numpy as np

from . import files
from .files import RunError

CONFIG = "config.json"  # a run's settings (RunConfig), read back by gan1d/settings.py's from_config
SUMMARY = "summary.json"  # its status, verdict and final metrics; a population's settings and rows
METRICS = "metrics.csv"  # one row per evaluation
WEIGHTS = "weights.npz"  # {variable name: (N, ...)}: every member's final weights (N = 1 for a run)
SAMPLES = "samples.npy"  # G's final samples on the evaluation grid, (n,) or (N, n)
CHECKPOINTS = "checkpoints"
GENERATOR = ("generator.npz", "generator.json")  # --export (gan1d/export.py)
DRAWN = "drawn"  # --sample's files, <sampler>-n<N>-seed-<S>.npy and .csv (gan1d/sampling.py)
FIGURES = ("distributions", "generator", "training", "memorisation")  # <name>.png
DONE = ("completed", "early_stopped", "diverged")  # statuses of a run that needs no resuming


class FolderError(RunError):
    """A run folder that cannot be read as asked: its path, and what is wrong, in one line."""


def path(folder, name):
    return os.path.join(folder, name)


def figure(folder, name):
    assert name in FIGURES, name  # every figure a run folder holds is named above
    return path(folder, f"{name}.png")


def seed_figure(folder, seed):
    """A study's figure of one seed, drawn from its population's weights (--plot-seeds)."""
    return os.path.join(folder, f"seed-{seed}", "distributions.png")


def samples_file(sampler):
    """G's own final samples are samples.npy; a sampler's, samples_<name>.npy beside them."""
    return SAMPLES if sampler == "plain" else f"samples_{sampler}.npy"


def checkpoints(folder):
    return path(folder, CHECKPOINTS)


# ----------------------------------------------------------------------------- writing


def write_config(folder, config):
    files.write_json(path(folder, CONFIG), config)


def write_samples(folder, sampled):
    """Each sampler's final samples but plain's, (n,) or (N, n) float32 each."""
    for name, drawn in sampled.items():
        if name != "plain":
            files.write_npy(path(folder, samples_file(name)), np.asarray(drawn.samples).astype(np.float32))


def write_outputs(folder, samples, rows, columns, summary, weights, sampled):
    """What every finished run or population folder holds: its members' final weights, its
    evaluations, its final samples (G's own, and each sampler's) and, last, its summary."""
    files.write_atomic(path(folder, WEIGHTS), lambda f: np.savez(f, **weights))
    files.write_csv(path(folder, METRICS), rows, columns)
    files.write_npy(path(folder, SAMPLES), np.asarray(samples).astype(np.float32))
    write_samples(folder, sampled)
    files.write_json(path(folder, SUMMARY), summary)


def update_summary(folder, **changes):
    summary = read_summary(folder)
    summary.update(changes)
    files.write_json(path(folder, SUMMARY), summary)


def write_generator(folder, weights, settings):
    """generator.npz ({name: array}, gan1d/export.py's names) and generator.json; their paths."""
    npz_path, json_path = (path(folder, name) for name in GENERATOR)
    files.write_atomic(npz_path, lambda f: np.savez(f, **weights))
    files.write_json(json_path, settings)
    return npz_path, json_path


CSV_CHUNK = 100_000  # rows formatted at a time: the text of a million samples is never held at once


def write_drawn(out, name, samples, column):
    """--sample's samples as float32 .npy (as samples.npy) and a one-column .csv headed column, with
    float32's 9 significant digits (a float32 exactly)."""
    os.makedirs(out, exist_ok=True)
    values = np.asarray(samples, dtype=np.float32)
    files.write_npy(path(out, f"{name}.npy"), values)

    def rows(f):
        f.write(f"{column}\n".encode())
        for start in range(0, len(values), CSV_CHUNK):
            f.write(("\n".join(np.char.mod("%.9g", values[start : start + CSV_CHUNK])) + "\n").encode())

    files.write_atomic(path(out, f"{name}.csv"), rows)


def write_checkpoint_state(folder, step, state, arrays):
    """A checkpoint's loop state as JSON and its arrays as .npz (gan1d/checkpoints.py), unannounced."""
    prefix = os.path.join(checkpoints(folder), f"state-{step}")
    text = (json.dumps(files.json_safe(state), sort_keys=True) + "\n").encode()
    files.write_atomic(prefix + ".json", lambda f: f.write(text), quiet=True)
    files.write_atomic(prefix + ".npz", lambda f: np.savez(f, **arrays), quiet=True)


def prune_checkpoint_states(folder, kept):
    """Removes the state files of every checkpoint step not in kept (TensorFlow prunes its own)."""
    for name in os.listdir(checkpoints(folder)):
        if name.startswith("state-") and name.split("-", 1)[1].split(".")[0] not in kept:
            os.remove(os.path.join(checkpoints(folder), name))


def prepare(folder, resume, overwrite):
    """Creates the folder; refuses to start over an unfinished checkpointed run unless told how."""
    saved = checkpoints(folder)
    if os.path.isdir(saved) and not (resume or overwrite):
        if (read_summary(folder) or {}).get("status") not in DONE:
            raise RunError(
                f"{folder} holds an unfinished run with checkpoints: continue it with --resume, or start it "
                "again with --overwrite"
            )
    if overwrite and os.path.isdir(saved):
        shutil.rmtree(saved)
    os.makedirs(folder, exist_ok=True)


# ----------------------------------------------------------------------------- reading


def read_json(file):
    """A JSON file's object, or None if it is missing or does not read as one (nothing runs)."""
    try:
        with open(file, "rb") as f:
            value = json.loads(f.read().decode())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def read_summary(folder, metric_names=()):
    """summary.json, with null metrics read back as NaN; None if there is none or it is damaged."""
    summary = read_json(path(folder, SUMMARY))
    if summary is None:
        return None
    return {k: (math.nan if v is None and k in metric_names else v) for k, v in summary.items()}


def read_config(folder):
    """config.json as written ({} if there is none or it is damaged); checked by settings.from_config."""
    return read_json(path(folder, CONFIG)) or {}


def read_npz(file, what):
    """{name: array} of an .npz, every array read now: numbers only, never an object array (no pickle).
    A missing, damaged or crafted file is a FolderError."""
    try:
        with np.load(file, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except FileNotFoundError:
        raise FolderError(f"{file}: no {what}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise FolderError(f"{file} is damaged or not numbers alone ({type(error).__name__}): cannot read its {what}") from None  # fmt: skip
    odd = [name for name, a in arrays.items() if a.dtype.kind not in "biuf"]
    if odd:
        raise FolderError(f"{file}: {odd[0]} is not an array of numbers ({arrays[odd[0]].dtype})")
    return arrays


def read_weights(folder):
    """{variable name: (N, ...)} of weights.npz (a FolderError if missing or damaged)."""
    return read_npz(path(folder, WEIGHTS), "final weights (weights.npz)")


def read_samples(folder, sampler="plain"):
    """A finished folder's final samples of a sampler, or None if it has none."""
    file = path(folder, samples_file(sampler))
    return np.load(file, allow_pickle=False) if os.path.exists(file) else None


def read_generator(folder):
    """(generator.npz's arrays, generator.json's settings) of an exported run."""
    npz_path, json_path = (path(folder, name) for name in GENERATOR)
    settings = read_json(json_path)
    if settings is None:
        raise FolderError(f"{json_path}: missing or damaged; write it with --export")
    return read_npz(npz_path, "exported generator"), settings


def read_checkpoint_state(folder, step):
    """A checkpoint's (state, arrays); raises ValueError naming the file if either does not read."""
    prefix = os.path.join(checkpoints(folder), f"state-{step}")
    state = read_json(prefix + ".json")
    if state is None or state.get("step") != step:
        raise ValueError(f"{prefix}.json is missing, damaged or not this checkpoint's state")
    try:
        arrays = read_npz(prefix + ".npz", "checkpoint arrays")
    except FolderError as error:
        raise ValueError(str(error)) from None
    state["rows"] = [files.nan_for_null(row) for row in state.get("rows", [])]
    return state, arrays


def read_population(folder, record, metric_names, plain_costs):
    """A finished population's (summary, weights as a list in the file's order), if both read back
    whole and its settings equal record; None otherwise, a damaged file reported (it trains again).
    One trained on another content of its data file is refused (check_data). Rows of an earlier
    version, read with plain only, gain the sampler's column and plain's costs."""
    summary = read_summary(folder, metric_names)
    saved = (summary or {}).get("settings")
    shared = saved.get("shared") if isinstance(saved, dict) and isinstance(saved.get("shared"), dict) else {}
    check_data(folder, shared.get("data_record"), record["shared"].get("data_record"))
    if summary is None or summary.get("settings") != record or summary.get("status") != "completed":
        if os.path.exists(path(folder, SUMMARY)) and summary is None:
            print(f"{path(folder, SUMMARY)} is damaged: training this population again")
        return None
    try:
        weights = list(read_weights(folder).values())
        results = summary["results"]
        if not all(isinstance(r, dict) and "w1" in r for r in results):
            raise ValueError("results")
        for row in results:
            row.setdefault("sampler", "plain")
            for column, cost in plain_costs.items():
                row.setdefault(column, cost)
        read = summary.get("samplers") or {"plain": {}}
        if not isinstance(read, dict) or any(
            sum(r["sampler"] == s for r in results) != len(record["members"]) for s in read
        ):
            raise ValueError("samplers")
    except (FolderError, ValueError, KeyError, TypeError) as error:
        print(f"{folder} holds a damaged finished population ({type(error).__name__}): training it again")
        return None
    return {"results": results, "weights": weights, "samplers": read}


def saved_settings(folder, member=None):
    """The saved settings of a finished run ({flag: value} as config.json holds them), or of one member
    of a finished population (its shared settings, seed and per-member values); FolderError otherwise."""
    summary = read_summary(folder)
    if summary is None:
        what = "a run or population folder" if os.path.isdir(folder) else "a folder"
        raise FolderError(f"{folder} is not a finished run: no readable {SUMMARY} ({what})")
    if summary.get("status") not in DONE:
        raise FolderError(f"{folder} is not a finished run (status {summary.get('status')!r}): finish it with --resume")
    record = summary.get("settings")
    if record is None:  # a single run
        if member not in (None, 0):
            raise FolderError(f"argument --member: {folder} is a single run, not a study's population")
        config = read_config(folder)
        if not config:
            raise FolderError(f"{path(folder, CONFIG)}: missing or damaged")
        return config
    return member_settings(folder, record, member)


def member_settings(folder, record, member):
    """One member's settings from a population's record {"shared": {...}, "members": [[seed, ...]]}."""
    from .flags import PER_MEMBER

    members = record.get("members") if isinstance(record, dict) else None
    if not isinstance(members, list) or not isinstance(record.get("shared"), dict):
        raise FolderError(f"{path(folder, SUMMARY)}: its settings are damaged")
    if member is None:
        raise FolderError(f"argument --member: {folder} is a population of {len(members)} runs: name one, 0-{len(members) - 1}")  # fmt: skip
    if not 0 <= member < len(members):
        raise FolderError(f"argument --member: {member} is not among {folder}'s members 0-{len(members) - 1}")
    values = members[member]
    if not isinstance(values, list) or len(values) != 1 + len(PER_MEMBER):
        raise FolderError(f"{path(folder, SUMMARY)}: member {member}'s settings are damaged")
    return {**record["shared"], "seed": values[0], **dict(zip(PER_MEMBER, values[1:], strict=True))}


def check_data(folder, saved, record):
    """Refuses to continue or reuse, in folder, what was trained on another content of the data file:
    saved and record are config.json's data_record then and now (None without --data)."""
    old, new = (saved or {}).get("sha256"), (record or {}).get("sha256")
    if old and new and old != new:
        raise RunError(
            f"argument --data: {record['path']} has changed since {folder} was trained on it (sha256 {old[:12]} "
            f"then, {new[:12]} now): give another --out-dir, or --overwrite"
        )


def check_resume(folder, saved, config):
    """Refuses --resume where config.json's settings differ from the command line's in a flag that
    changes the run (where and how it is written, the sampler and the data file's path aside; its
    content is check_data's); saved: config.json as read, config: the one the run would write."""
    from .flags import OUTPUT_FLAGS, READ_FLAGS

    if not saved:
        return
    free = OUTPUT_FLAGS | READ_FLAGS | {"versions", "given", "in_study", "data", "data_record"}
    now = json.loads(json.dumps(files.json_safe(config)))  # as config.json holds it
    changed = sorted(k for k in now if k not in free and k in saved and saved[k] != now[k])
    changed.sort(key=lambda k: k not in now.get("given", []))  # a flag given before one derived from it
    if changed:
        k = changed[0]
        raise RunError(
            f"argument --resume: {folder} was trained with --{k.replace('_', '-')} {saved[k]}, not {now[k]}: "
            "resume it with its own settings, or start again with --overwrite"
        )


def carried_data(folder, record):
    """Where the data file of a run folder is now: its saved path, or a copy of it carried in the
    folder, whichever holds the content it was trained on (sha256); FolderError if neither does."""
    from .data import content_hash

    saved = record.get("path") if isinstance(record, dict) else None
    if not isinstance(saved, str) or not isinstance(record.get("sha256"), str):
        raise FolderError(f"{path(folder, CONFIG)}: its data_record is damaged")
    for candidate in (saved, os.path.join(folder, os.path.basename(saved))):
        if os.path.isfile(candidate) and content_hash(candidate) == record["sha256"]:
            return candidate
    raise FolderError(
        f"{folder} was trained on {saved} (sha256 {record['sha256'][:12]}), which is neither there nor carried in "
        "the folder with that content: copy the file into the folder"
    )
