"""Checkpoints of a run or a population: TensorFlow's variables (tf.train.Saver, the last three
kept), the loop's state as JSON and its arrays as .npz (each member's numpy stream, best and kept
weights, the animation's frames). Nothing is pickled; a damaged checkpoint is reported in one line
and the one before it used."""

import json
import os
import re
import sys
import zipfile

import numpy as np

from .files import RunError, json_safe, nan_for_null, write_atomic

CHECKPOINT_INDEX = "checkpoint"  # TensorFlow's own index of a folder's checkpoints, written last


class CheckpointError(Exception):
    """A checkpoint file is missing, truncated, not what it claims to be, or would need unpickling."""


class Checkpoints:
    """A run folder's checkpoints/: save a step's state and arrays, restore the newest usable one."""

    def __init__(self, session, saver, run_dir):
        self.session, self.saver = session, saver
        self.folder = os.path.join(run_dir, "checkpoints")

    def save(self, step, state, arrays):
        """The loop's state as JSON and its arrays as .npz (nothing pickled), then the session's
        variables, whose index names the checkpoint last: a kill at any moment leaves the last
        complete checkpoint as it was."""
        os.makedirs(self.folder, exist_ok=True)
        prefix = os.path.join(self.folder, f"state-{step}")
        write_atomic(prefix + ".json", json_bytes(state), quiet=True)
        write_atomic(prefix + ".npz", lambda f: np.savez(f, **arrays), quiet=True)
        self.saver.save(self.session, os.path.join(self.folder, "model"), global_step=step)  # then CHECKPOINT_INDEX
        kept = {str(checkpoint_step(path)) for path in self.saver.last_checkpoints}
        for name in os.listdir(self.folder):
            if name.startswith("state-") and name.split("-", 1)[1].split(".")[0] not in kept:
                os.remove(os.path.join(self.folder, name))

    def restore(self):
        """Restores the newest usable checkpoint into the session; returns (state, arrays), or None if
        there is none. A damaged one is reported in one line and the one before it tried; if none is
        usable, a RunError names the folder and --overwrite."""
        steps = indexed_checkpoints(self.folder) if os.path.isdir(self.folder) else []
        for step in steps:
            try:
                state, arrays = self.read(step)
            except CheckpointError as damage:
                print(f"checkpoint at step {step} is damaged ({damage}): trying the one before", file=sys.stderr)
                continue
            earlier = [os.path.join(self.folder, f"model-{s}") for s in sorted(steps) if s <= step]
            self.saver.recover_last_checkpoints(earlier)  # pruning stays right across resumes
            state["rows"] = [nan_for_null(row) for row in state["rows"]]
            return state, arrays
        if steps:
            raise RunError(f"{self.folder} holds no usable checkpoint: start the run again with --overwrite")
        return None

    def read(self, step):
        prefix = os.path.join(self.folder, f"state-{step}")
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

        model = os.path.join(self.folder, f"model-{step}")
        try:
            self.saver.restore(self.session, model)
        except (tf.errors.OpError, ValueError) as error:
            raise CheckpointError(f"{model}: {type(error).__name__}") from None
        return state, arrays


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


def weight_arrays(name, values):
    """A list of (N, ...) weights as arrays name_0, name_1, ... (none for None)."""
    return {f"{name}_{k}": v for k, v in enumerate(values or [])}


def weight_list(arrays, prefix):
    """The arrays prefix_0, prefix_1, ... as a list, or None if there are none."""
    values = [arrays[f"{prefix}_{k}"] for k in range(len(arrays)) if f"{prefix}_{k}" in arrays]
    return values or None
