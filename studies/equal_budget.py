"""Are GANs created equal, in one dimension? The equal-budget study of docs/equal-budget.md.

Every method gets the same random search (--search) over the shared ranges and its own, on the
two tuning targets and the tuning seeds; its best configuration by the declared score is then
rerun on the held-out seeds of every target, the three held-out targets included. Every step is
a gan.py study, printed before it runs; a finished population is reused, so the same command
resumes after Ctrl-C.

    python studies/equal_budget.py search     # the searches, method by method
    python studies/equal_budget.py held-out   # each method's best configuration on held-out seeds
    python studies/equal_budget.py report     # the tables, the figures, the results files in docs/
    python studies/equal_budget.py            # all three, in order
"""

import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from gan1d import files  # noqa: E402
from gan1d.stats import ranked  # noqa: E402

# ----------------------------------------------------------------------------- the protocol
# Declared before the first run; docs/equal-budget.md states it in words.
BASE = ["--preset", "robust", "--r1", "0"]  # the robust preset without its R1: the plain non-saturating GAN
SHARED = [  # every method searches these, in this order (the first dimensions of the sequence)
    "learning-rate=0.0001:0.01:log",
    "beta1=0:0.9",
    "g-input-scale=0.125:1:log",
    "d-steps=1,5",
    "batch-size=64,256",
]
METHODS = {  # name: (its flags on top of BASE, its own ranges)
    "non-saturating": ([], []),
    "minimax": (["--loss", "minimax"], []),
    "least-squares": (["--loss", "ls"], []),
    "hinge": (["--loss", "hinge"], []),
    "wgan-gp": (["--loss", "wgan", "--beta2", "0.9"], ["gp=1:30:log"]),
    "r1": ([], ["r1=0.01:10:log"]),
    "instance-noise": ([], ["instance-noise=0.05:1:log"]),
    "spectral-norm": (["--spectral-norm"], []),
    "pacgan2": (["--pack", "2"], []),
    "pacgan4": (["--pack", "4"], []),
    "unrolled5": (["--unroll", "5"], []),
    "minibatch": (["--minibatch", "--minibatch-group", "16"], ["d-init=0.1:1:log"]),
    "two-time-scales": ([], ["g-learning-rate=0.0001:0.01:log"]),
}
SEARCH = 16  # configurations per method, each on every tuning target and tuning seed
TUNING_TARGETS = ["one-mode", "two-modes"]
TUNING_SEEDS = (0, 4)  # --seed, --seeds: seeds 0-3; also the search sequence's seed
HELD_OUT_TARGETS = ["near-modes", "unequal-modes", "three-modes"]
HELD_OUT_SEEDS = (1000, 20)  # seeds 1000-1019, never used in tuning
FIGURE_SEED = 1000  # the histogram grid's seed, a held-out one
SCORE = "success"  # the success rate (accurate on one mode, separated on a mixture), then the median w1
OUT = os.path.join(
    ROOT, "runs", "equal-budget"
)  # the studies' folders (--out); only results.csv files are kept in docs/
DOCS = os.path.join(ROOT, "docs", "equal-budget")


def search_command(method, out):
    flags, own = METHODS[method]
    sweeps = [arg for sweep in SHARED + own for arg in ("--sweep", sweep)]
    seed, seeds = TUNING_SEEDS
    return [*BASE, *flags, "--target", ",".join(TUNING_TARGETS), "--search", str(SEARCH), *sweeps,
            "--score", SCORE, "--seed", str(seed), "--seeds", str(seeds), "--out-dir", os.path.join(out, "search", method)]  # fmt: skip


def held_out_command(method, best, out):
    flags, _ = METHODS[method]
    chosen = [arg for flag, value in best.items() for arg in (f"--{flag.replace('_', '-')}", f"{value:g}")]
    seed, seeds = HELD_OUT_SEEDS
    targets = ",".join(TUNING_TARGETS + HELD_OUT_TARGETS)
    return [*BASE, *flags, *chosen, "--target", targets, "--seed", str(seed), "--seeds", str(seeds),
            "--plot-seeds", str(FIGURE_SEED), "--out-dir", os.path.join(out, "held-out", method)]  # fmt: skip


def swept_flags(method):
    """The dests a method's search draws, in the sequence's order."""
    return [sweep.split("=")[0].replace("-", "_") for sweep in SHARED + METHODS[method][1]]


def results_of(folder):
    """The rows of the one study in folder, or None before it has finished."""
    studies = [d for d in os.listdir(folder) if d.startswith("study_")] if os.path.isdir(folder) else []
    path = os.path.join(folder, studies[0], "results.csv") if len(studies) == 1 else None
    return files.read_results(path) if path and os.path.exists(path) else None


def best_configuration(method, out):
    """The method's first configuration by SCORE over the tuning targets: {dest: value}."""
    rows = results_of(os.path.join(out, "search", method))
    if rows is None:
        raise SystemExit(f"equal_budget.py: the search of {method} has not finished: run the search step")
    keys = swept_flags(method)
    (key, _), *_ = ranked(rows, keys, SCORE)
    return {dest: (int(v) if float(v).is_integer() and dest in ("d_steps", "batch_size") else v) for dest, v in zip(keys, key, strict=True)}  # fmt: skip


def run_gan(arguments):
    command = [sys.executable, os.path.join(ROOT, "gan.py"), *arguments]
    print("$ python gan.py " + " ".join(arguments), flush=True)
    status = subprocess.call(command, stdout=subprocess.DEVNULL)
    if status:
        raise SystemExit(status)


def run_searches(out):
    for method in METHODS:
        run_gan(search_command(method, out))


def run_held_out(out):
    for method in METHODS:
        run_gan(held_out_command(method, best_configuration(method, out), out))


def copy_results(out):
    """Each study's results.csv, beside the docs page: docs/equal-budget/{search,held-out}/METHOD.csv."""
    for step in ("search", "held-out"):
        os.makedirs(os.path.join(DOCS, step), exist_ok=True)
        for method in METHODS:
            folder = os.path.join(out, step, method)
            studies = [d for d in os.listdir(folder) if d.startswith("study_")] if os.path.isdir(folder) else []
            if len(studies) == 1 and os.path.exists(os.path.join(folder, studies[0], "results.csv")):
                shutil.copyfile(
                    os.path.join(folder, studies[0], "results.csv"), os.path.join(DOCS, step, f"{method}.csv")
                )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", nargs="?", default="all", choices=["search", "held-out", "report", "all"])
    parser.add_argument("--out", default=OUT, help=f"folder of the studies (default: {os.path.relpath(OUT, ROOT)})")
    options = parser.parse_args()
    out, step = os.path.abspath(options.out), options.step
    if step in ("search", "all"):
        run_searches(out)
    if step in ("held-out", "all"):
        run_held_out(out)
    if step in ("report", "all"):
        from report import report  # noqa: PLC0415  (the tables and figures, studies/report.py)

        copy_results(out)
        report(METHODS, TUNING_TARGETS, HELD_OUT_TARGETS, DOCS, out, FIGURE_SEED)


if __name__ == "__main__":
    main()
