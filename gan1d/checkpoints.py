"""Checkpoints of a run or a population: TensorFlow's variables (tf.train.Saver, the last three
kept), the loop's state as JSON and its arrays as .npz (each member's numpy stream, best and kept
weights, the animation's frames). Nothing is pickled; a damaged checkpoint is reported in one line
and the one before it used."""

import os
import re
import sys

import numpy as np

from . import folder
from .files import RunError

CHECKPOINT_INDEX = "checkpoint"  # TensorFlow's own index of a folder's checkpoints, written last


class CheckpointError(Exception):
    """A checkpoint file is missing, truncated, not what it claims to be, or would need unpickling."""


class Checkpoints:
    """A run folder's checkpoints/: save a step's state and arrays, restore the newest usable one."""

    def __init__(self, session, saver, run_dir):
        self.session, self.saver, self.run_dir = session, saver, run_dir
        self.folder = folder.checkpoints(run_dir)

    def save(self, step, state, arrays):
        """The loop's state as JSON and its arrays as .npz (nothing pickled), then the session's
        variables, whose index names the checkpoint last: a kill at any moment leaves the last
        complete checkpoint as it was."""
        os.makedirs(self.folder, exist_ok=True)
        folder.write_checkpoint_state(self.run_dir, step, state, arrays)
        self.saver.save(self.session, os.path.join(self.folder, "model"), global_step=step)  # then CHECKPOINT_INDEX
        folder.prune_checkpoint_states(
            self.run_dir, {str(checkpoint_step(path)) for path in self.saver.last_checkpoints}
        )

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
            return state, arrays
        if steps:
            raise RunError(f"{self.folder} holds no usable checkpoint: start the run again with --overwrite")
        return None

    def read(self, step):
        try:
            state, arrays = folder.read_checkpoint_state(self.run_dir, step)  # every array read: damage raises now
        except ValueError as error:
            raise CheckpointError(str(error)) from None
        from .lazy import tf

        model = os.path.join(self.folder, f"model-{step}")
        try:
            self.saver.restore(self.session, model)
        except (tf.errors.OpError, ValueError) as error:
            raise CheckpointError(f"{model}: {type(error).__name__}") from None
        return state, arrays


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
