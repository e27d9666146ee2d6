"""The samplers on held-out seeds (docs/samplers.md): three recipes, each trained once per target on
the equal-budget protocol's held-out seeds and targets, then read with every sampler; and the two
200-seed studies of the gap bound (docs/gap.md). Every step is a gan.py study, printed before it
runs; a finished population is reused (and read with any sampler it lacks, training nothing).

    python studies/samplers.py run [--workers 2]   # the studies
    python studies/samplers.py report              # the tables of docs/samplers.md from their results
"""

import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import protocol  # noqa: E402  (studies/protocol.py)

from gan1d import files  # noqa: E402
from gan1d.folder import samples_file  # noqa: E402
from gan1d.metrics import mode_shares  # noqa: E402
from gan1d.samplers import SAMPLERS  # noqa: E402
from gan1d.stats import Summaries, rate  # noqa: E402
from gan1d.target import Target  # noqa: E402

OUT = os.path.join(ROOT, "runs", "samplers")
DOCS = os.path.join(ROOT, "docs", "samplers")
NON_SATURATING = [
    "--batch-size",
    "256",
    "--beta1",
    "0.122",
    "--d-steps",
    "1",
    "--g-input-scale",
    "0.219",
    "--learning-rate",
    "0.00821",
]  # fmt: skip  (its equal-budget selection, docs/equal-budget.md)
RECIPES = {  # name: flags; each on every protocol target and held-out seed, read with every sampler
    "non-saturating": [*protocol.BASE, *NON_SATURATING],
    "robust": ["--preset", "robust"],
    "modes": ["--preset", "minibatch-modes"],  # the modes preset when this study ran
}
TARGETS = protocol.TUNING_TARGETS + protocol.FIRST_HELD_OUT_TARGETS  # the six targets of its run (docs/samplers.md)
SCATTER = {
    "scatter-robust": ["--preset", "robust"],
    "scatter-modes": ["--preset", "minibatch-modes"],
}  # 200 seeds, two modes


def commands(extra):
    seed, seeds = protocol.HELD_OUT_SEEDS
    for name, flags in RECIPES.items():
        yield name, [*flags, "--target", ",".join(TARGETS), "--seeds", str(seeds), "--seed", str(seed),
                     "--sampler", ",".join(SAMPLERS), *extra]  # fmt: skip
    for name, flags in SCATTER.items():
        yield name, [*flags, "--target", "two-modes", "--seeds", "200", "--seed", str(seed), *extra]


def run(extra):
    for name, flags in commands(extra):
        argv = [sys.executable, os.path.join(ROOT, "gan.py"), *flags, "--quiet", "--out-dir", os.path.join(OUT, name)]
        print("$ python gan.py " + " ".join(flags), flush=True)
        subprocess.run(argv, check=True)
        study = protocol.study_folder(os.path.join(OUT, name))
        os.makedirs(DOCS, exist_ok=True)
        shutil.copy(os.path.join(study, "results.csv"), os.path.join(DOCS, f"{name}.csv"))
        shutil.copy(os.path.join(study, "summary.md"), os.path.join(DOCS, f"{name}.md"))


def table(rows, cell):
    """A recipe's samplers (rows) by target (columns), each cell cell(summary) of its 20 runs."""
    summaries = Summaries(rows).of(["sampler", "target"])
    lines = ["| sampler | " + " | ".join(TARGETS) + " |", "|---|" + "---|" * len(TARGETS)]
    for sampler in SAMPLERS:
        cells = [cell(summaries[(sampler, t)]) if (sampler, t) in summaries else "" for t in TARGETS]
        lines.append(f"| {sampler} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def heavy_mode_share(name, rows):
    """On unequal-modes (1:3), each sampler's median share of samples within 3 sigma of the heavier mode
    (weight 0.75), read from the populations' samples files under runs/ (None where they are gone)."""
    target = Target.named("unequal-modes")
    shares = {}
    for sampler in SAMPLERS:
        chosen = [r for r in rows if r["sampler"] == sampler and r["target"] == "unequal-modes"]
        values = []
        for r in chosen:
            path = os.path.join(
                protocol.study_folder(os.path.join(OUT, name)) or "", r["population"], samples_file(sampler)
            )
            if not os.path.exists(path):
                return None
            values.append(mode_shares(np.load(path, allow_pickle=False)[int(r["member"])][None], target)[0, 1])
        shares[sampler] = float(np.median(values)) if values else float("nan")
    return shares


def gap_report():
    """The 200-seed studies of the bound: how far above it training sits (docs/gap.md)."""
    for name in SCATTER:
        path = os.path.join(DOCS, f"{name}.csv")
        if not os.path.exists(path):
            continue
        rows = files.read_results(path)
        gap, bound = (np.array([r[k] for r in rows]) for k in ("gap_mass", "gap_bound"))
        slope = np.array([r["slope_max"] for r in rows])
        both = bound > 0  # G on both sides of the gap: the bound binds
        ratio = gap[both] / bound[both]
        lines = [
            f"- {name}: {len(rows)} runs; G on both sides of the gap in {both.sum()}, on one side in {(~both).sum()}",
            f"  (then modes captured: {sorted(set(int(r['modes_captured']) for r, b in zip(rows, both, strict=True) if not b))});"
            f" separated {int(sum(r['separated'] for r in rows))}",
            f"- gap mass / bound where it binds: median {np.median(ratio):.2f}, 10%-90% {np.percentile(ratio, 10):.2f}-"
            f"{np.percentile(ratio, 90):.2f}, least {ratio.min():.3f}; runs below the bound by more than the grid's"
            f" 2e-4: {int(np.sum(gap < bound - 2e-4))}",
            f"- L median {np.median(slope):.2f} (10%-90% {np.percentile(slope, 10):.2f}-{np.percentile(slope, 90):.2f});"
            f" gap mass median {np.median(gap):.3f}, bound median {np.median(bound):.3f}",
        ]
        print("\n".join(lines) + "\n")


def report():
    gap_report()
    for name in RECIPES:
        path = os.path.join(DOCS, f"{name}.csv")
        if not os.path.exists(path):
            continue
        rows = files.read_results(path)
        print(f"### {name}: successes [95% CI], median samples drawn per kept sample\n")
        print(table(rows, lambda s: f"{rate(s['success'], s['success_ci'], s['runs'])}, {s['sampler_draws']:.1f}"))
        print(f"\n### {name}: median w1, median gap mass\n")
        print(table(rows, lambda s: f"{s['w1'][0]:.3f}, {s['gap_mass']:.3f}"))
        print(f"\n### {name}: median modes captured, median gap bound of G itself\n")
        print(table(rows, lambda s: f"{s['modes_captured']:.0f}, {s['gap_bound']:.3f}"))
        shares = heavy_mode_share(name, rows)
        if shares:
            print(f"\n{name} on unequal-modes, the heavier mode's median share (its weight 0.75): "
                  + ", ".join(f"{k} {v:.2f}" for k, v in shares.items()))  # fmt: skip
        print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["run", "report"])
    parser.add_argument("--workers", type=int, default=0, help="each study's populations on a local Dask cluster")
    args = parser.parse_args()
    if args.step == "run":
        run(["--workers", str(args.workers)] if args.workers else [])
    else:
        report()


if __name__ == "__main__":
    main()
