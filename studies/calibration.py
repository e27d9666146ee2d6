"""Judging a GAN without the truth: the calibration study of docs/judging.md.

Populations that span success and failure (the presets on the protocol's targets, held-out seeds)
are trained once; each run's 10,000 generated samples are then judged twice: by the truth (the
run's verdict) and by a held-out sample of 100, 300, 1,000 and 10,000 draws from the target alone
(gan1d/judge.py), as a user with data of that size would judge it. How often the two agree, how
well each statistic ranks the runs by their true w1, and which statistic judges best at which size.

    python studies/calibration.py train --workers 2   # the populations (a finished one is reused)
    python studies/calibration.py report              # the tables into docs/judging/
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

import gan1d.folder  # noqa: E402
from gan1d import files, judge  # noqa: E402
from gan1d.metrics import FREE_SUCCESS, is_success  # noqa: E402
from gan1d.sources import SyntheticReference  # noqa: E402
from gan1d.stats import wilson  # noqa: E402
from gan1d.target import Target  # noqa: E402

SEED = 1000  # held-out seeds from here: never used in tuning (studies/protocol.py)
STUDIES = [  # declared before the runs: 2,000 runs, failures (2016, 2017 on mixtures) and successes
    ["--preset", "2016", "--seeds", "200", "--target", "one-mode,two-modes,three-modes"],
    ["--preset", "2016", "--minibatch", "--seeds", "100", "--target", "one-mode,two-modes"],
    ["--preset", "2017", "--seeds", "100", "--target", "one-mode,two-modes"],
    ["--preset", "robust", "--seeds", "100", "--target", "one-mode,two-modes,unequal-modes,four-modes"],
    ["--preset", "minibatch-modes", "--seeds", "50", "--target", "two-modes,unequal-modes,three-modes,four-modes"],
    [
        "--preset",
        "modes",
        "--seeds",
        "50",
        "--target",
        "one-mode,two-modes,near-modes,wide-modes,unequal-modes,three-modes,unequal-widths,four-modes",
    ],  # fmt: skip
]
SIZES = (100, 300, 1_000, 10_000)  # the held-out sample's size
HELD_OUT_SEED = 77  # each target's held-out sample of each size: the same for every run judged against it
RUNS = os.path.join(ROOT, "runs", "calibration")
DOCS = os.path.join(ROOT, "docs", "judging")
JUDGED = os.path.join(DOCS, "judged.csv")  # one row per run and size: the truth's and the held-out data's
STATISTICS = ("ho_w1", "ho_ks", "ho_ad", "ho_energy", "ho_loglik")


def train(workers):
    for flags in STUDIES:
        command = [sys.executable, os.path.join(ROOT, "gan.py"), *flags, "--seed", str(SEED), "--out-dir", RUNS]
        command += ["--workers", str(workers), "--quiet"] if workers else ["--quiet"]
        print("$", " ".join(command[1:]), flush=True)
        subprocess.run(command, check=True, cwd=ROOT)


def populations():
    """(folder, summary) of every finished population under RUNS."""
    for study in sorted(os.listdir(RUNS)):
        folder = os.path.join(RUNS, study)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            summary = gan1d.folder.read_summary(os.path.join(folder, name))
            if summary is not None and summary.get("status") == "completed":
                yield os.path.join(folder, name), summary


def judge_all():
    """Every run judged at every size (rows of JUDGED): the truth's success and true w1 beside the
    held-out sample's statistics and verdict."""
    calibrations, rows = {}, []
    for folder, summary in populations():
        cached = os.path.join(folder, f"judged-{HELD_OUT_SEED}.json")  # a population judged once (runs/ only)
        if os.path.exists(cached):
            with open(cached) as f:
                rows += json.load(f)
            continue
        before = len(rows)
        shared = summary["settings"]["shared"]
        target = Target(shared["mu"], shared["sigma"], shared["weights"])
        samples = gan1d.folder.read_samples(folder).astype(np.float64)
        plain = [r for r in summary["results"] if r.get("sampler", "plain") == "plain"]
        for size in SIZES:
            key = (target.describe(), size)
            if key not in calibrations:
                held = np.sort(target.sample(np.random.default_rng([HELD_OUT_SEED, size]), size))
                calibrations[key] = (held, judge.Calibration(SyntheticReference(target, size), held, samples.shape[1]))
            held, cal = calibrations[key]
            for row in plain:
                x = samples[int(row["member"])]
                m = judge.row_metrics(x, held, cal)
                status = row["status"] if np.all(np.isfinite(x)) else "diverged"
                label = judge.free_verdict(status, m, cal)[0]
                rows.append({"population": os.path.relpath(folder, RUNS), "target": target.describe(), "seed": row["seed"],
                             "size": size, "truth_success": is_success({**row, "status": status}), "w1": row["w1"],
                             "free_verdict": label, "free_success": label in FREE_SUCCESS, **m,
                             **{f"{d}_within": m[d] <= cal.limit[d] for d in judge.DISTANCES}})  # fmt: skip
        judged = [{k: v.item() if isinstance(v, np.generic) else v for k, v in r.items()} for r in rows[before:]]
        files.write_text(cached, json.dumps(judged))  # atomic: a stop leaves no half a file
        print(f"judged {folder}: {len(plain)} runs", flush=True)
    return rows


def agreement_table(rows):
    lines = [
        "| held-out size | runs | agree [95% CI] | truth success, held-out success | truth success, held-out failure | truth failure, held-out success | truth failure, held-out failure |",  # fmt: skip
        "|---|---|---|---|---|---|---|",
    ]
    for size in SIZES:
        at = [r for r in rows if r["size"] == size]
        cells = [sum(r["truth_success"] == a and r["free_success"] == b for r in at) for a in (True, False) for b in (True, False)]  # fmt: skip
        agree = cells[0] + cells[3]
        low, high = wilson(agree, len(at))
        lines.append(f"| {size:,} | {len(at)} | {agree / len(at):.1%} [{low:.1%}, {high:.1%}] | " + " | ".join(map(str, cells)) + " |")  # fmt: skip
    return "\n".join(lines)


def correlation_table(rows):
    """Each statistic's Spearman rank correlation with the true w1, over the finished runs."""
    from scipy.stats import spearmanr

    lines = ["| held-out size | " + " | ".join(STATISTICS) + " | best |", "|---|" + "---|" * (len(STATISTICS) + 1)]
    for size in SIZES:
        at = [r for r in rows if r["size"] == size and math.isfinite(r["w1"]) and math.isfinite(r["ho_w1"])]
        w1 = [r["w1"] for r in at]
        rho = {s: spearmanr([(-r[s] if s == "ho_loglik" else r[s]) for r in at], w1).statistic for s in STATISTICS}
        best = max(rho, key=rho.get)
        lines.append(f"| {size:,} | " + " | ".join(f"{rho[s]:.3f}" for s in STATISTICS) + f" | {best} |")
    return "\n".join(lines)


def threshold_table(rows):
    """Each calibrated distance used alone as the verdict (within real data's 95% spread = success):
    its agreement with the truth's success."""
    lines = ["| held-out size | " + " | ".join(judge.DISTANCES) + " | the verdict's rule |", "|---|" + "---|" * (len(judge.DISTANCES) + 1)]  # fmt: skip
    for size in SIZES:
        at = [r for r in rows if r["size"] == size]
        cells = []
        for s in judge.DISTANCES:
            agree = sum(r["truth_success"] == (r[f"{s}_within"]) for r in at)
            cells.append(f"{agree / len(at):.1%}")
        agree = sum(r["truth_success"] == r["free_success"] for r in at)
        lines.append(f"| {size:,} | " + " | ".join(cells) + f" | {agree / len(at):.1%} |")
    return "\n".join(lines)


def population_table(rows):
    """Each population's truth successes, held-out successes and agreement, at every size."""
    head = " | ".join(f"held-out success at {size:,} (agree)" for size in SIZES)
    lines = [f"| population | runs | truth success | {head} |", "|---|---|---|" + "---|" * len(SIZES)]
    names = sorted({r["population"] for r in rows})
    for name in names:
        at = {size: [r for r in rows if r["population"] == name and r["size"] == size] for size in SIZES}
        first = at[SIZES[0]]
        cells = [f"{sum(r['free_success'] for r in at[s])} ({sum(r['free_success'] == r['truth_success'] for r in at[s])})" for s in SIZES]  # fmt: skip
        label = name.split("/")[-1].replace("_no-minibatch", "").replace("_minibatch", " minibatch").replace("_target-", ", ")  # fmt: skip
        lines.append(
            f"| {label} | {len(first)} | {sum(r['truth_success'] for r in first)} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def report():
    os.makedirs(DOCS, exist_ok=True)
    rows = judge_all()
    with open(JUDGED, "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: f"{v:.5g}" if isinstance(v, float) else v for k, v in r.items()} for r in rows)
    print(f"wrote {JUDGED}")
    print(f"{len({(r['population'], r['seed']) for r in rows})} runs\n")
    print("## Agreement\n\n" + agreement_table(rows) + "\n")
    mixed = {r["population"] for r in rows if r["truth_success"]}  # populations the truth finds any success in
    print(
        "## Agreement where the truth finds some success\n\n"
        + agreement_table([r for r in rows if r["population"] in mixed])
        + "\n"
    )
    print("## Rank correlation with the true w1\n\n" + correlation_table(rows) + "\n")
    print("## Each distance alone\n\n" + threshold_table(rows) + "\n")
    print("## By population\n\n" + population_table(rows) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["train", "report"])
    parser.add_argument("--workers", type=int, default=0, help="a local Dask cluster of this many workers per study")
    args = parser.parse_args(argv)
    if args.step == "train":
        train(args.workers)
    else:
        report()


if __name__ == "__main__":
    main()
