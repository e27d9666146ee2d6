"""Data of one's own, measured (docs/data.md, docs/judging.md): the presets on Old Faithful's two
columns, 20 held-out seeds each, judged by the held-out verdict and against the baselines; and
the scale-free check, a synthetic target times 100 plus 1,000 written to a file and read with
--data, against the target itself, both judged by the truth.

    python studies/own_data.py train --workers 2
    python studies/own_data.py report
"""

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

import gan1d.folder  # noqa: E402
from gan1d import baselines, data, judge  # noqa: E402
from gan1d.metrics import FREE_SUCCESS, EvalGrid, batch_metrics, is_success  # noqa: E402
from gan1d.sources import SyntheticReference  # noqa: E402
from gan1d.stats import median_interval, wilson  # noqa: E402
from gan1d.target import Target  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes  # noqa: E402  (studies/shapes.py: dmwgan's selection)

SEED, SEEDS = 1000, 20  # held-out seeds
PRESETS = ["robust", "modes", "minibatch-modes", "any"]  # and dmwgan's selection, a jump recipe but no preset
RECIPES = {**{p: ["--preset", p] for p in PRESETS}, "dmwgan": shapes.DMWGAN}
COLUMNS = ["eruptions", "waiting"]
FAITHFUL = os.path.join(ROOT, "data", "faithful.csv")
SCALED = {"one-mode": "robust", "two-modes": "modes"}  # each target with the preset that succeeds on it
SCALE, SHIFT, SCALED_VALUES = 100.0, 1_000.0, 10_000
RUNS = os.path.join(ROOT, "runs", "own-data")
DOCS = os.path.join(ROOT, "docs", "data")


def scaled_file(name):
    """The target's SCALED_VALUES draws times SCALE plus SHIFT, one per line (seeded by the name's length)."""
    path = os.path.join(RUNS, f"{name}-x{SCALE:g}+{SHIFT:g}.txt")
    if not os.path.exists(path):
        os.makedirs(RUNS, exist_ok=True)
        x = Target.named(name).sample(np.random.default_rng(len(name)), SCALED_VALUES) * SCALE + SHIFT
        with open(path, "w") as f:
            f.write("\n".join(repr(float(v)) for v in x) + "\n")
    return path


def commands():
    """{name: gan.py flags} of every study."""
    seeds = ["--seed", str(SEED), "--seeds", str(SEEDS)]
    studies = {f"faithful-{c}-{p}": ["--data", f"{FAITHFUL}:{c}", *RECIPES[p], *seeds] for c in COLUMNS for p in RECIPES}  # fmt: skip
    for name, preset in SCALED.items():
        studies[f"{name}-{preset}"] = ["--target", name, "--preset", preset, *seeds]
        studies[f"{name}-{preset}-standardised"] = ["--target", name, "--preset", preset, "--standardise", *seeds]
        studies[f"{name}-scaled-{preset}"] = ["--data", scaled_file(name), "--preset", preset, *seeds]
    return studies


def train(workers):
    for name, flags in commands().items():
        command = [sys.executable, os.path.join(ROOT, "gan.py"), *flags, "--out-dir", os.path.join(RUNS, name), "--quiet"]  # fmt: skip
        command += ["--workers", str(workers)] if workers else []
        print("$", " ".join(command[1:]), flush=True)
        subprocess.run(command, check=True, cwd=ROOT)


def own_sampler(recipe):
    """The sampler a recipe's flags name (dmwgan's selection reads with MH), or plain."""
    return recipe[recipe.index("--sampler") + 1] if "--sampler" in recipe else "plain"


def population(name):
    """(summary, samples) of the one population of a study."""
    study = os.path.join(RUNS, name)
    (folder,) = [os.path.join(study, s) for s in os.listdir(study)]
    (pop,) = [os.path.join(folder, p) for p in os.listdir(folder) if os.path.isdir(os.path.join(folder, p))]
    return gan1d.folder.read_summary(pop), gan1d.folder.read_samples(pop).astype(np.float64)


def rate(k, n):
    low, high = wilson(k, n)
    return f"{k}/{n} [{low:.2f}, {high:.2f}]"


def faithful_table():
    lines = [
        "| column | preset | indistinguishable [95% CI] | held-out success [95% CI] | ho_w1 median [95% CI] | "
        + " | ".join(f"as close as {b} [95% CI]" for b in baselines.NAMES) + " |",
        "|---|---|---|---|---|" + "---|" * len(baselines.NAMES),
    ]  # fmt: skip
    for column in COLUMNS:
        ds = data.load(f"{FAITHFUL}:{column}", 0.2, 0)
        drawn, _ = baselines.draws(ds.train, 10_000)
        base = {b: judge.two_sample(x, ds.held_out)["ho_w1"] for b, x in drawn.items()}
        for preset in RECIPES:
            summary, _ = population(f"faithful-{column}-{preset}")
            rows = [r for r in summary["results"] if r["sampler"] == own_sampler(RECIPES[preset])]
            w1 = [r["ho_w1"] if r["ho_w1"] is not None else np.inf for r in rows]
            median, (low, high) = median_interval(w1)
            cells = [rate(sum(r["verdict"] == "indistinguishable" for r in rows), len(rows))]
            cells.append(rate(sum(r["verdict"] in FREE_SUCCESS for r in rows), len(rows)))
            cells.append(f"{median:.3g} [{low:.3g}, {high:.3g}]")
            cells += [rate(sum(x <= base[b] for x in w1), len(rows)) for b in baselines.NAMES]
            lines.append(f"| {column} | {preset} | " + " | ".join(cells) + " |")
        lines.append(f"| {column} | baselines' ho_w1 | | | | " + " | ".join(f"{base[b]:.3g}" for b in baselines.NAMES) + " |")  # fmt: skip
    return "\n".join(lines)


def truth_rows(name, samples, summary, back):
    """Each member's truth verdict: samples taken back by back(x) to the target's units."""
    target = Target.named(name)
    grid = EvalGrid(SyntheticReference(target, 1_000), 8.0, 12)
    scores = batch_metrics(back(samples), grid)
    rows = [r for r in summary["results"] if r["sampler"] == "plain"]
    return [
        {**r, "modes": target.modes, **{k: float(v[i]) for k, v in scores.items()}, "judged": "truth"}
        for i, r in enumerate(rows)
    ]


def scaled_table():
    lines = [
        "| target | preset | how | success [95% CI] | w1 median (target's units) [95% CI] |",
        "|---|---|---|---|---|",
    ]
    for name, preset in SCALED.items():
        runs = {
            "the target": (f"{name}-{preset}", lambda x: x),
            "--standardise": (f"{name}-{preset}-standardised", lambda x: x),
            f"x{SCALE:g}+{SHIFT:g} in a file, --data": (f"{name}-scaled-{preset}", lambda x: (x - SHIFT) / SCALE),
        }
        for how, (study, back) in runs.items():
            summary, samples = population(study)
            rows = truth_rows(name, samples, summary, back)
            median, (low, high) = median_interval([r["w1"] for r in rows])
            lines.append(f"| {name} | {preset} | {how} | {rate(sum(map(is_success, rows)), len(rows))} | {median:.3f} [{low:.3f}, {high:.3f}] |")  # fmt: skip
    return "\n".join(lines)


def report():
    os.makedirs(DOCS, exist_ok=True)
    text = "## Old Faithful\n\n" + faithful_table() + "\n\n## Scale-free\n\n" + scaled_table() + "\n"
    path = os.path.join(DOCS, "own-data.md")
    with open(path, "w") as f:
        f.write(text)
    print(text)
    print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["train", "report"])
    parser.add_argument("--workers", type=int, default=0, help="a local Dask cluster of this many workers per study")
    args = parser.parse_args(argv)
    train(args.workers) if args.step == "train" else report()


if __name__ == "__main__":
    main()
