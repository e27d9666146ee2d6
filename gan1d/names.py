"""Names of what a run or study writes: a run's folder (its preset, each result-changing flag
given, its seed), a population's (the same without the seed) and a study's."""

import hashlib
import os

from . import search
from .flags import OUTPUT_FLAGS, READ_FLAGS


def run_name(named, values, with_seed=True):
    """The preset, each result-changing flag of named, and the seed: e.g. 2016_minibatch_seed-42."""
    parts = [",".join(values["preset"])]
    for key in sorted(set(named) - OUTPUT_FLAGS):
        value = values[key]
        flag = key.replace("_", "-")
        if isinstance(value, bool):
            parts.append(flag if value else f"no-{flag}")
        elif isinstance(value, list):
            parts.append(f"{flag}-{'+'.join(f'{v:g}' if isinstance(v, float) else str(v) for v in value)}")
        elif isinstance(value, str):  # a path (--data) by its file's name: a folder name holds no separator
            parts.append(f"{flag}-{os.path.basename(value)}")
        else:
            parts.append(f"{flag}-{value:g}" if isinstance(value, float) else f"{flag}-{value}")
    if with_seed:
        parts.append(f"seed-{values['seed']}")
    return short_enough("_".join(parts))


def study_dir(args):
    """A study's folder: its flags (under --compare, minibatch left out), draws, sweeps and seeds."""
    # the samplers read its populations: a new one reads the same study's folder, training nothing
    named = set(args.given) - ({"minibatch"} if args.compare else set()) - READ_FLAGS
    base = run_name(named, vars(args), with_seed=False).replace(",", "+")
    drawn = f"_search-{args.search}" if args.search else ""
    swept = "".join("_" + search.describe(dest, spec) for dest, spec in args.sweep)
    return os.path.join(
        args.out_dir, short_enough(f"study_{base}{drawn}{swept}_seeds-{args.seed}-{args.seed + args.seeds - 1}")
    )


NAME_MAX = 200  # a folder name's bytes: filesystems refuse more than 255; room left for a temporary suffix


def short_enough(name):
    """name, or, past NAME_MAX bytes, its start with a hash of the whole: the same settings, the same folder."""
    if len(name.encode()) <= NAME_MAX:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:12]
    return name.encode()[: NAME_MAX - 13].decode(errors="ignore") + "_" + digest
