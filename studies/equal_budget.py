"""Are GANs created equal, in one dimension? The equal-budget study of docs/equal-budget.md.

Every method gets the same random search (--search) over the shared ranges and its own, on the
two tuning targets and the tuning seeds; its best configuration by the declared score is then
rerun on the held-out seeds of every target, the four held-out targets included. Every step is
a gan.py study, printed before it runs; a finished population is reused, so the same command
resumes after Ctrl-C.

    python studies/equal_budget.py search     # the searches, method by method
    python studies/equal_budget.py held-out   # each method's best configuration on held-out seeds
    python studies/equal_budget.py report     # the tables, the figures, the results files in docs/
    python studies/equal_budget.py            # all three, in order
    python studies/equal_budget.py --workers 2              # every study's populations on one local Dask cluster
    python studies/equal_budget.py --scheduler tcp://HOST:8786   # ... or on an existing one (docs/cluster.md)
"""

import argparse
import contextlib
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import protocol  # noqa: E402  (studies/protocol.py)
from report import report  # noqa: E402  (the tables and figures, studies/report.py)

from gan1d import cluster, files  # noqa: E402


def search_command(method, out):
    flags, own = protocol.method_of(method)
    sweeps = [arg for sweep in protocol.SHARED + own for arg in ("--sweep", sweep)]
    seed, seeds = protocol.TUNING_SEEDS
    return [*protocol.BASE, *flags, "--target", ",".join(protocol.TUNING_TARGETS), "--search", str(protocol.SEARCH), *sweeps,
            "--score", protocol.SCORE, "--seed", str(seed), "--seeds", str(seeds), "--out-dir", os.path.join(out, "search", method)]  # fmt: skip


def held_out_command(method, best, out, step="held-out"):
    """A method's chosen values on every target and held-out seed, read by every sampler; an
    incumbent's flags as they are. A method of the first protocol's, whose held-out rows on its
    first targets are kept (docs/equal-budget/STEP/), runs on the added targets alone, into STEP-added."""
    recipe = protocol.INCUMBENTS[method][1] if method in protocol.INCUMBENTS else recipe_of(method, best)
    seed, seeds = protocol.HELD_OUT_SEEDS
    targets = protocol.TUNING_TARGETS + protocol.HELD_OUT_TARGETS
    if kept(method, step):
        targets, step = protocol.ADDED_TARGETS, step + protocol.ADDED
    return [*recipe, "--target", ",".join(targets), "--seed", str(seed), "--seeds", str(seeds), "--sampler",
            ",".join(protocol.SAMPLERS), "--plot-seeds", str(protocol.FIGURE_SEED), "--out-dir", os.path.join(out, step, method)]  # fmt: skip


def recipe_of(method, best):
    """A method's flags with its chosen values: the base, the method's own, then each value."""
    chosen = [arg for flag, value in best.items() for arg in (f"--{flag.replace('_', '-')}", f"{value:g}")]
    return [*protocol.BASE, *protocol.method_of(method)[0], *chosen]


def kept(method, step):
    """Whether the first protocol's held-out rows of a method's selection are kept in the docs."""
    return method not in protocol.JUMP_METHODS and os.path.exists(os.path.join(protocol.DOCS, step, f"{method}.csv"))


def results_of(folder):
    """The rows of the one study in folder, or None before it has finished."""
    study = protocol.study_folder(folder)
    path = study and os.path.join(study, "results.csv")
    return files.read_results(path) if path and os.path.exists(path) else None


def search_rows(method, out):
    """A method's search rows: its study's, or those kept in the docs (docs/equal-budget/search/), or None."""
    rows = results_of(os.path.join(out, "search", method))
    kept_rows = os.path.join(protocol.DOCS, "search", f"{method}.csv")
    return rows if rows is not None or not os.path.exists(kept_rows) else files.read_results(kept_rows)


def best_configuration(method, out, targets):
    """The method's first configuration by protocol.SCORE over its search's runs on targets: {dest: value}."""
    rows = search_rows(method, out)
    if rows is None:
        raise SystemExit(f"equal_budget.py: the search of {method} has not finished: run the search step")
    return chosen_values(rows, method, targets)


def chosen_values(rows, method, targets):
    """The method's configuration chosen by protocol.SCORE over its search rows on targets: {dest: value}."""
    keys = protocol.swept_flags(method)
    key, _ = protocol.selection(rows, method, targets)
    return {dest: (int(v) if float(v).is_integer() and dest in ("d_steps", "batch_size") else v) for dest, v in zip(keys, key, strict=True)}  # fmt: skip


def run_gan(arguments, spread):
    """One gan.py study; spread: the flags that send its populations to a cluster, or none."""
    arguments = [*arguments, *spread]
    command = [sys.executable, os.path.join(ROOT, "gan.py"), *arguments]
    print("$ python gan.py " + " ".join(arguments), flush=True)
    status = subprocess.call(command, stdout=subprocess.DEVNULL)
    if status:
        raise SystemExit(status)


def run_searches(out, methods, spread):
    for method in methods:
        if search_rows(method, out) is None:  # a search kept in the docs is not run again
            run_gan(search_command(method, out), spread)


def run_held_out(out, methods, spread):
    """Each method's best configuration, then its best for mixtures where that is another one."""
    for step, targets in protocol.SELECTIONS.items():
        for method in methods:
            if method in protocol.INCUMBENTS:
                if step == protocol.INCUMBENTS[method][0]:
                    run_gan(held_out_command(method, None, out, step), spread)
                continue
            if method not in protocol.JUMP_METHODS:  # a method of the first protocol: its kept selections only
                if kept(method, step):
                    run_gan(held_out_command(method, best_configuration(method, out, targets), out, step), spread)
                continue
            if step == "held-out" or protocol.mixture_rerun(search_rows(method, out), method):
                run_gan(held_out_command(method, best_configuration(method, out, targets), out, step), spread)


def copy_results(out):
    """Each study's results.csv, beside the docs page: docs/equal-budget/STEP/METHOD.csv."""
    for step in protocol.STEPS:
        os.makedirs(os.path.join(protocol.DOCS, step), exist_ok=True)
        for method in [*protocol.METHODS, *protocol.INCUMBENTS]:
            study = protocol.study_folder(os.path.join(out, step, method))
            if study and os.path.exists(os.path.join(study, "results.csv")):
                shutil.copyfile(os.path.join(study, "results.csv"), os.path.join(protocol.DOCS, step, f"{method}.csv"))


@contextlib.contextmanager
def cluster_for(options):
    """The flags that send every study's populations to one cluster: a local one started here for
    the whole protocol (--workers), an existing one (--scheduler), or none."""
    if options.scheduler:
        yield ["--scheduler", options.scheduler]
    elif options.workers:
        client = cluster.start_local(options.workers)
        try:
            yield ["--scheduler", client.scheduler.address]
        finally:
            cluster.close(client)
    else:
        yield []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", nargs="?", default="all", choices=["search", "held-out", "report", "all"])
    parser.add_argument(
        "--out", default=protocol.OUT, help=f"folder of the studies (default: {os.path.relpath(protocol.OUT, ROOT)})"
    )
    parser.add_argument("--method", action="append", choices=[*protocol.METHODS, *protocol.INCUMBENTS],
                        help="only this method's studies (repeatable; default: every method)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=0,
                        help="every study's populations on one local Dask cluster of this many worker processes (default: 0, in each study's process)")  # fmt: skip
    parser.add_argument(
        "--scheduler", default=None, help="... or on the Dask cluster whose scheduler is at this address"
    )
    options = parser.parse_args()
    out, step, methods = (
        os.path.abspath(options.out),
        options.step,
        options.method or [*protocol.METHODS, *protocol.INCUMBENTS],
    )
    with cluster_for(options) as spread:
        if step in ("search", "all"):
            run_searches(out, methods, spread)
        if step in ("held-out", "all"):
            run_held_out(out, methods, spread)
    if step in ("report", "all"):
        copy_results(out)
        report(out)


if __name__ == "__main__":
    main()
