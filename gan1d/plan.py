"""A study's plan, said before any work: how many runs, which runs train together as one
population, its members, and the memory each population needs. A population too large for the
memory it may take (this machine's, or a worker's) is split into parts that fit; a study whose
bookkeeping alone would not fit in memory or on disk is refused with the number of seeds that would."""

import math
import os
import shutil

from . import files
from .files import RunError, available_memory
from .flags import OUTPUT_FLAGS, PER_MEMBER, READ_FLAGS, STUDY_ONLY
from .metrics import EVAL_POINTS
from .names import run_name

RUN_BYTES_IN_MEMORY = 8_000  # a run's settings, results row and final samples' share, kept until the end
RUN_BYTES_ON_DISK = 4 * EVAL_POINTS + 2_000  # its final samples (float32) and its rows in the study's files
POPULATION_BASE_BYTES = 600 * 2**20  # TensorFlow and the graph, whatever the members
MEMORY_SHARE = 0.7  # of the memory available now: the rest stays for the machine


def configurations(args):
    """How many configurations the study runs, each over --seeds seeds."""
    drawn = args.search or math.prod(len(values) for _, values in args.sweep)
    return len(args.preset) * (2 if args.compare else 1) * len(args.target or [None]) * drawn


def check_size(args, memory=None):
    """Refuses, before any run is made, a study whose runs would not fit in memory or on disk."""
    memory = available_memory() if memory is None else memory
    per_seed = configurations(args)
    free = shutil.disk_usage(nearest_existing(args.out_dir)).free
    for what, limit, cost in [
        ("memory", MEMORY_SHARE * memory, RUN_BYTES_IN_MEMORY),
        ("disk", free, RUN_BYTES_ON_DISK),
    ]:
        fit = int(limit // (cost * per_seed))
        if args.seeds > fit:
            raise RunError(
                f"argument --seeds: {args.seeds} seeds x {per_seed} configurations would need "
                f"{args.seeds * per_seed * cost / 2**30:.1f} GiB of {what}, more than this machine has "
                f"({limit / 2**30:.1f} GiB); at most {fit} seeds fit"
            )


def nearest_existing(path):
    path = os.path.abspath(path)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return path


def member_bytes(s):
    """An upper estimate of one member's memory in a population with settings s: its chunk of
    drawn data and noise, and the widest tensors of a training step and of an evaluation (the
    minibatch layer's pairwise distances dominate both when it is on)."""
    from .monitor import STUDY_CHUNK

    chunk = min(s.eval_every, s.checkpoint_every or s.num_steps, STUDY_CHUNK, s.num_steps)
    feeds = chunk * (2 * s.d_steps + 1) * s.batch_size * 8  # drawn as float32, and the session's copy of the feed
    group = s.minibatch_group if s.minibatch else 0
    per_point = 16 * s.hidden_size + 1.5 * group * s.num_kernels * s.kernel_dim  # floats alive per sample
    training = 8 * s.d_steps * s.batch_size * per_point * 4  # forward and backward of each D update
    evaluation = EVAL_POINTS * (per_point * 4 + 64)  # D and G on the grid, samples, metrics (float64)
    return feeds + training + evaluation


def split(groups, memory=None):
    """{name: members} with every population that would not fit in memory split into equal parts
    that do; names of parts end in _part-K-of-P."""
    memory = available_memory() if memory is None else memory
    budget = MEMORY_SHARE * memory - POPULATION_BASE_BYTES
    planned = {}
    for name, members in groups.items():
        fit = max(1, int(budget // member_bytes(members[0].settings)))
        parts = math.ceil(len(members) / fit)
        if parts == 1:
            planned[name] = members
            continue
        size = math.ceil(len(members) / parts)
        for k in range(parts):
            planned[f"{name}_part-{k + 1}-of-{parts}"] = members[k * size : (k + 1) * size]
    return planned


SHOWN = 8  # populations listed by name in the plan; the rest are counted


def describe(groups):
    """The plan in a few lines: populations, members each, and the memory estimate."""
    lines = []
    for name, members in list(groups.items())[:SHOWN]:
        need = POPULATION_BASE_BYTES + len(members) * member_bytes(members[0].settings)
        lines.append(f"  {name}: {len(members)} members, about {need / 2**30:.1f} GiB")
    if len(groups) > SHOWN:
        lines.append(f"  ... and {len(groups) - SHOWN} more")
    return "\n".join(lines)


def make(args, folder, runs, memory=None, workers=0):
    """The study's populations, {folder name: [StudyRun]}, said in a few lines before any work; a
    study too large for this machine is refused (RunError) before runs() makes its runs. memory:
    the bytes a population may take (a worker's, on a cluster of workers), else this machine's."""
    count = configurations(args)
    print(f"study: {count * args.seeds} runs ({count} configurations x {args.seeds} seeds), in {folder}")
    check_size(args)
    groups = split(populations(runs(), args.given), memory)
    if workers:
        how = f"as tasks on {workers} workers, about {math.ceil(len(groups) / workers)} each"
    else:
        how = "trained one after another"
    print(f"{len(groups)} population(s), {how}:\n{describe(groups)}", flush=True)
    return groups


def shared_settings(run):
    """The settings a population's members share: all but the seed and the per-member scalars."""
    skip = set(PER_MEMBER) | OUTPUT_FLAGS | READ_FLAGS | STUDY_ONLY | {"run_name", "given", "in_study"}
    return {k: v for k, v in vars(run).items() if k not in skip}


def populations(runs, given):
    """{folder name: [StudyRun]}: runs that share their settings train together; given: the flags given."""
    groups = {}
    for run in runs:
        key = repr(sorted(shared_settings(run.settings).items()))
        groups.setdefault(key, []).append(run)
    named = {}
    for members in groups.values():
        first = members[0]
        graph_swept = {k for k in first.swept if k not in PER_MEMBER}
        named_by = (set(given) | {"minibatch"} | graph_swept) - READ_FLAGS  # one population, read by every sampler
        named[run_name(named_by, vars(first.settings), with_seed=False)] = members
    return named


def settings_record(members):
    """What a population was trained with: compared before a finished one is reused."""
    shared = shared_settings(members[0])
    per_member = [[m.seed, *(getattr(m, k) for k in PER_MEMBER)] for m in members]
    return files.json_safe({"shared": shared, "members": per_member})
