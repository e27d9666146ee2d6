"""Studies: the same recipe over many seeds (and presets, with and without minibatch
discrimination), each run in a worker process, the runs that finished reused, and the table,
summary and figure of the outcomes. `gan.py` hands it the function that trains one run."""

import argparse
import functools
import math
import multiprocessing
import os
import signal
import sys
import time

import numpy as np

from . import files
from .figures import plot_study
from .flags import OUTPUT_FLAGS, resolve, run_name
from .metrics import (
    ACCURATE_STD_RATIO,
    ACCURATE_W1,
    CONVERGED_OUTSIDE,
    CONVERGED_W1,
    EVAL_POINTS,
    FINISHED,
    METRIC_NAMES,
    is_accurate,
    is_converged,
)
from .monitor import StopRequest

EXIT_INTERRUPTED = 130
STUDY_COLUMNS = ["preset", "minibatch", "seed", "status", "steps", *METRIC_NAMES, "wall_seconds", "run_dir"]


def study_runs(args):
    """Every run of the study: each preset, with and without minibatch if --compare, each seed."""
    minibatch = [False, True] if args.compare else [args.minibatch]
    runs = []
    for preset in args.preset:
        for mb in minibatch:
            for seed in range(args.seed, args.seed + args.seeds):
                raw = argparse.Namespace(**{**vars(args._raw), "preset": [preset], "minibatch": mb, "seed": seed})
                explicit = args._explicit | {"minibatch"}
                run_args = resolve(raw, args._defaults)
                run_args.update(quiet=True, resume=True, run_name=run_name(explicit, run_args))
                runs.append(argparse.Namespace(**run_args))
    return runs


def study_dir(args):
    skip = {"minibatch"} if args.compare else set()
    base = run_name(args._explicit, vars(args), with_seed=False, skip=skip).replace(",", "+")
    return os.path.join(args.out_dir, f"study_{base}_seeds-{args.seed}-{args.seed + args.seeds - 1}")


def run_study(args, train_run):
    """Runs the study on --jobs workers, each calling train_run(run_args, stop_event); returns the exit status."""
    folder = study_dir(args)
    os.makedirs(folder, exist_ok=True)
    runs = study_runs(args)
    for r in runs:
        r.out_dir = folder
    print(f"study: {len(runs)} runs in {folder}, {args.jobs} worker process(es)")
    started, results = time.time(), []
    context = multiprocessing.get_context("spawn")
    stop_event = context.Event()
    bar = run_bar(len(runs))
    with context.Pool(args.jobs, initializer=_init_worker, initargs=(stop_event,)) as pool, StopRequest() as stop:
        pending = pool.imap_unordered(functools.partial(run_in_worker, train_run), runs)
        while len(results) < len(runs):
            try:
                result = pending.next(timeout=0.5)
            except multiprocessing.TimeoutError:
                if stop:
                    stop_event.set()
                continue
            results.append(result)
            if bar is None:
                print(f"[{len(results)}/{len(runs)}] {describe_result(result)}", flush=True)
            else:
                bar.update(1)
                bar.set_postfix_str(f"converged {sum(map(is_converged_result, results))}")
    if bar is not None:
        bar.close()
    results.sort(key=lambda r: (args.preset.index(r["preset"]), r["minibatch"], r["seed"]))
    write_study(folder, results, time.time() - started)
    interrupted = any(r["status"] in ("interrupted", "skipped") for r in results)
    if interrupted:
        print("study interrupted: run the same command again to finish it (completed runs are kept)")
    return EXIT_INTERRUPTED if interrupted else 0


def run_bar(total):
    """One progress bar for the whole study on a terminal; None elsewhere (a line per run instead)."""
    if not sys.stdout.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="run", dynamic_ncols=True)


def is_converged_result(r):
    return "w1" in r and is_converged(r)


_STOP_EVENT = None


def _init_worker(stop_event):
    global _STOP_EVENT
    _STOP_EVENT, files.PRINT_WRITES = stop_event, False
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent asks the workers to stop through the event


def run_in_worker(train_run, args):
    """One study run; a completed run already on disk is read back, a failure is recorded."""
    run_dir = os.path.join(args.out_dir, args.run_name)
    result = {"preset": args.preset[0], "minibatch": args.minibatch, "seed": args.seed, "run_dir": run_dir}
    done = files.read_summary(run_dir, METRIC_NAMES)
    if done is not None and done["status"] in files.DONE and same_settings(done, args):
        return {**result, **done, "reused": True}
    if _STOP_EVENT is not None and _STOP_EVENT.is_set():
        return {**result, "status": "skipped"}
    try:
        return {**result, **train_run(args, _STOP_EVENT)}
    except Exception as error:  # recorded, and the study goes on
        return {**result, "status": "failed", "error": f"{type(error).__name__}: {error}"}


def same_settings(summary, args):
    """True when a finished run on disk was made with the settings that change results."""
    saved = summary.get("config", {})
    keys = [k for k in vars(args) if k in saved and k not in OUTPUT_FLAGS]  # a flag newer than the run: its default
    return all(saved[k] == getattr(args, k) for k in keys)


def describe_result(r):
    text = f"{r['preset']} {'minibatch' if r['minibatch'] else 'no minibatch'} seed {r['seed']}: {r['status']}"
    if "w1" in r:
        text += f"  w1 {r['w1']:.4f}  std_ratio {r['std_ratio']:.3f}"
    if "wall_seconds" in r:
        text += f"  ({r['wall_seconds']:.1f} s{', from disk' if r.get('reused') else ''})"
    return text + (f"  {r['error']}" if "error" in r else "")


def configurations(results):
    groups = {}
    for r in results:
        groups.setdefault((r["preset"], r["minibatch"]), []).append(r)
    return groups


def quartiles(values):
    values = [v for v in values if math.isfinite(v)]
    return np.percentile(values, [25, 50, 75]) if values else [math.nan] * 3


def summary_table(results):
    lines = [
        "| preset | minibatch | runs | converged | accurate | diverged | failed | w1 median [IQR] | std ratio median [IQR] |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (preset, mb), rs in configurations(results).items():
        w1 = quartiles([r.get("w1", math.nan) for r in rs])
        sr = quartiles([r.get("std_ratio", math.nan) for r in rs])
        lines.append(
            f"| {preset} | {'yes' if mb else 'no'} | {len(rs)} | {sum(map(is_converged, rs))} | "
            f"{sum(map(is_accurate, rs))} | {sum(r['status'] == 'diverged' for r in rs)} | "
            f"{sum(r['status'] in ('failed', 'interrupted', 'skipped') for r in rs)} | "
            f"{w1[1]:.3f} [{w1[0]:.3f}, {w1[2]:.3f}] | {sr[1]:.2f} [{sr[0]:.2f}, {sr[2]:.2f}] |"
        )
    return "\n".join(lines)


def write_study(folder, results, wall_seconds):
    rows = [{**r, **{m: r.get(m, math.nan) for m in METRIC_NAMES}} for r in results]
    files.write_csv(os.path.join(folder, "results.csv"), rows, STUDY_COLUMNS)
    low, high = ACCURATE_STD_RATIO
    run_seconds = sum(r.get("wall_seconds") or 0 for r in results)
    text = (
        f"# Study: {len(results)} runs\n\nThis invocation: {wall_seconds:.0f} s; the runs' own times, added up: "
        f"{run_seconds:.0f} s.\n\n{summary_table(results)}\n\n"
        f"- converged: finished (not diverged), w1 <= {CONVERGED_W1} and outside_fraction <= {CONVERGED_OUTSIDE:.0%}"
        f" (samples beyond mu +- 4 sigma)\n"
        f"- accurate: finished, w1 <= {ACCURATE_W1} and {low} <= std_ratio <= {high}\n"
        "- failed: the run raised an error, was interrupted or was not started\n"
        f"- w1, std ratio: final metrics on {EVAL_POINTS:,} generated samples; quartiles over finished runs\n"
    )
    files.write_text(os.path.join(folder, "summary.md"), text)
    groups = {f"{p}\n{'minibatch' if mb else 'plain'}": rs for (p, mb), rs in configurations(results).items()}
    plot_study(os.path.join(folder, "study.png"), groups, load_samples)
    print(text)


def load_samples(result):
    if not result or result.get("status") not in FINISHED:
        return None
    path = os.path.join(result["run_dir"], "samples.npy")
    return np.load(path) if os.path.exists(path) else None
