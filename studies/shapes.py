"""The incumbents on the shapes held out for the preset for data of any shape (docs/shapes.md,
studies/protocol.py's SHAPE_HELD_OUT_TARGETS), as they are, on the held-out seeds: how the recipes
chosen on mixtures of normals fare on a skewed, a heavy-tailed and a flat target, five unequal
modes, and two modes moved to 1,200 and 1,600.

    python studies/shapes.py train
    python studies/shapes.py report     # writes docs/shapes/incumbents.md
    python studies/shapes.py train-fresh  # the incumbents on the fresh targets of docs/any.md's second round
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import protocol  # noqa: E402

from gan1d import files  # noqa: E402
from gan1d.metrics import is_success  # noqa: E402
from gan1d.stats import median_interval, wilson  # noqa: E402

DMWGAN = [
    "--preset",
    "robust",
    "--r1",
    "0",
    "--generators",
    "6",
    "--learning-rate",
    "0.0026",
    "--beta1",
    "0.422",
    "--g-input-scale",
    "0.333",
    "--d-steps",
    "5",
    "--batch-size",
    "256",
    "--classifier-weight",
    "6.78",
    "--sampler",
    "mh",
]  # fmt: skip  (docs/jump.md: dmwgan's overall selection)
INCUMBENTS = {"robust": ["--preset", "robust"], "modes": ["--preset", "modes"], "dmwgan": DMWGAN}
RUNS = os.path.join(ROOT, "runs", "shapes")
DOCS = os.path.join(ROOT, "docs", "shapes")


def command(name, targets=None):
    seed, seeds = protocol.HELD_OUT_SEEDS
    targets = ",".join(targets or protocol.SHAPE_HELD_OUT_TARGETS)
    return [*INCUMBENTS[name], "--target", targets, "--seed", str(seed), "--seeds", str(seeds)]


def folder_of(targets):
    """The incumbents' studies on the shapes (runs/shapes/), or on the fresh targets (runs/shapes-fresh/)."""
    return RUNS if targets == protocol.SHAPE_HELD_OUT_TARGETS else RUNS + "-fresh"


def train(targets):
    for name in INCUMBENTS:
        out = os.path.join(folder_of(targets), name)
        argv = [sys.executable, os.path.join(ROOT, "gan.py"), *command(name, targets), "--out-dir", out, "--quiet"]
        print("$", " ".join(argv[1:]), flush=True)
        subprocess.run(argv, check=True, cwd=ROOT)


def incumbent_rows(name, targets=None):
    """An incumbent's rows on the shapes (or the fresh targets): its study's, kept beside the docs
    (docs/shapes/NAME.csv, NAME-fresh.csv) when the study has run, read from there when it has not."""
    targets = targets or protocol.SHAPE_HELD_OUT_TARGETS
    fresh = targets != protocol.SHAPE_HELD_OUT_TARGETS
    kept = os.path.join(DOCS, f"{name}{'-fresh' if fresh else ''}.csv")
    found = glob.glob(os.path.join(folder_of(targets), name, "study_*", "results.csv"))
    if found:
        os.makedirs(DOCS, exist_ok=True)
        shutil.copyfile(found[0], kept)
    return files.read_results(kept)


def report():
    lines = [
        "| incumbent | target | success [95% CI] | median w1 / unit [95% CI] | diverged |",
        "|---|---|---|---|---|",
    ]
    for name in INCUMBENTS:
        rows = incumbent_rows(name)
        for target in protocol.SHAPE_HELD_OUT_TARGETS:
            mine = [r for r in rows if r["target"] == target]
            k, n = sum(map(is_success, mine)), len(mine)
            low, high = wilson(k, n)
            scaled = [r["w1"] / r["unit"] if np.isfinite(r["w1"]) else np.inf for r in mine]
            median, (m_low, m_high) = median_interval(scaled)
            diverged = sum(r["status"] == "diverged" for r in mine)
            lines.append(f"| {name} | {target} | {k}/{n} [{low:.2f}, {high:.2f}] | {median:.3g} [{m_low:.3g}, {m_high:.3g}] | {diverged} |")  # fmt: skip
    commands = "\n".join(f"    python gan.py {' '.join(command(name))}" for name in INCUMBENTS)
    text = f"# The incumbents on the held-out shapes\n\nMade by `python studies/shapes.py train`, then `report`:\n\n{commands}\n\n" + "\n".join(lines) + "\n"  # fmt: skip
    os.makedirs(DOCS, exist_ok=True)
    files.write_text(os.path.join(DOCS, "incumbents.md"), text)
    print(text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["train", "train-fresh", "report"], help="train the incumbents on the shapes, or on the fresh targets (docs/any.md's second round), or report")  # fmt: skip
    step = parser.parse_args().step
    if step == "report":
        report()
    else:
        train(protocol.FRESH_TARGETS if step == "train-fresh" else protocol.SHAPE_HELD_OUT_TARGETS)
