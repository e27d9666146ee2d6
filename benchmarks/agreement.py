"""Do population members reach the outcomes of single runs of their seeds? A study's members are
not bit-identical to single runs (a batched matmul rounds differently), so compare outcomes:
converged rates with their 95% Wilson intervals, and the share of seeds with the same verdict.

    python benchmarks/agreement.py --seed 100 --seeds 200 --single 40 [--minibatch] [gan.py flags]

Trains the study's population of --seeds seeds, then --single of those seeds as single runs."""

import argparse
import contextlib
import csv
import io
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import gan  # noqa: E402
from gan1d import files  # noqa: E402
from gan1d.metrics import is_converged  # noqa: E402
from gan1d.stats import wilson  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=100, help="first seed (default: 100)")
    parser.add_argument("--seeds", type=int, default=200, help="seeds of the population (default: 200)")
    parser.add_argument("--single", type=int, default=40, help="of those, seeds also run singly (default: 40)")
    parser.add_argument("--save", default=None, help="also write every verdict to this JSON file (default: none)")
    options, flags = parser.parse_known_args()
    files.PRINT_WRITES = False
    with tempfile.TemporaryDirectory() as tmp:
        common = [*flags, "--seed", str(options.seed), "--out-dir", tmp, "--quiet"]
        with contextlib.redirect_stdout(io.StringIO()):
            gan.main([*common, "--seeds", str(options.seeds)])
            study = gan.parse_args([*common, "--seeds", str(options.seeds)])
        with open(os.path.join(gan.study.study_dir(study), "results.csv")) as f:
            members = {int(r["seed"]): r for r in csv.DictReader(f)}
        single = {}
        for seed in range(options.seed, options.seed + options.single):
            args = gan.parse_args([*flags, "--seed", str(seed), "--out-dir", tmp, "--quiet"])
            with contextlib.redirect_stdout(io.StringIO()):
                single[seed] = gan.run(args)

    def converged(r):
        return is_converged({**r, "w1": float(r["w1"]), "outside_fraction": float(r["outside_fraction"])})

    if options.save:
        verdicts = {"members": {s: r["verdict"] for s, r in members.items()}}
        verdicts["single"] = {s: r["verdict"] for s, r in single.items()}
        with open(options.save, "w") as f:
            json.dump(verdicts, f)
    same = sum(members[s]["verdict"] == single[s]["verdict"] for s in single)
    k_pop = sum(converged(r) for r in members.values())
    k_sub = sum(converged(members[s]) for s in single)
    k_single = sum(converged(r) for r in single.values())
    n, m = len(members), len(single)
    print(f"flags: {' '.join(flags) or '(defaults)'}")
    print(f"population, seeds {options.seed}-{options.seed + n - 1}: converged {k_pop}/{n} {fmt(wilson(k_pop, n))}")
    print(f"population, the {m} seeds also run singly: converged {k_sub}/{m} {fmt(wilson(k_sub, m))}")
    print(f"single runs, the same {m} seeds: converged {k_single}/{m} {fmt(wilson(k_single, m))}")
    print(f"same verdict: {same}/{m} seeds ({same / m:.0%})")
    for s in single:
        if members[s]["verdict"] != single[s]["verdict"]:
            print(f"  seed {s}: member {members[s]['verdict']} (w1 {float(members[s]['w1']):.3f}), "
                  f"single {single[s]['verdict']} (w1 {single[s]['w1']:.3f})")  # fmt: skip


def fmt(ci):
    return f"[{ci[0]:.2f}, {ci[1]:.2f}]"


if __name__ == "__main__":
    main()
