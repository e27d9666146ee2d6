"""The preset for data of any shape (docs/any.md), chosen by the equal-budget protocol: the method
declared in studies/protocol.py (ANY_METHODS) searched with dmwgan's budget on the tuning targets
and seeds, its best configuration over both tuning targets rerun on the held-out seeds of every
held-out target, the five shapes included. Every step is a gan.py study, printed before it runs; a
finished population is reused, so the same command resumes after Ctrl-C. Only the results.csv
files are kept, in docs/any/; the preset is rebuilt from them (tests/test_any_shape.py).

    python studies/any_shape.py search      # 16 configurations x 2 tuning targets x 4 tuning seeds
    python studies/any_shape.py held-out    # the selection on 13 targets x 20 held-out seeds
    python studies/any_shape.py report      # keeps the results files, prints the tables
"""

import argparse
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import equal_budget  # noqa: E402
import protocol  # noqa: E402

from gan1d import files  # noqa: E402
from gan1d.metrics import is_success  # noqa: E402
from gan1d.stats import median_interval, wilson  # noqa: E402

METHOD = "any"
OUT = os.path.join(ROOT, "runs", "any")
DOCS = os.path.join(ROOT, "docs", "any")
KEPT = {"search": "search.csv", "held-out": "held-out.csv"}  # each step's results.csv, kept in DOCS


def rows_of(step, out=OUT):
    """A step's rows: its study's, or those kept in DOCS, or None before it has run."""
    rows = equal_budget.results_of(os.path.join(out, step, METHOD))
    kept = os.path.join(DOCS, KEPT[step])
    return rows if rows is not None or not os.path.exists(kept) else files.read_results(kept)


def selection(out=OUT):
    """The search's best configuration over both tuning targets by the protocol's score: {dest: value}."""
    rows = rows_of("search", out)
    if rows is None:
        raise SystemExit("any_shape.py: the search has not finished: run the search step")
    key, _ = protocol.selection(rows, METHOD, protocol.TUNING_TARGETS)
    whole = ("d_steps", "batch_size")  # drawn from lists of integers
    return {d: int(v) if d in whole else v for d, v in zip(protocol.swept_flags(METHOD), key, strict=True)}


def recipe(best):
    """The preset's flags: the base, the method's own, the chosen values."""
    chosen = [arg for dest, value in best.items() for arg in (f"--{dest.replace('_', '-')}", f"{value:g}")]
    return [*protocol.BASE, *protocol.method_of(METHOD)[0], *chosen]


def held_out_command(best, out=OUT):
    seed, seeds = protocol.HELD_OUT_SEEDS
    return [*recipe(best), "--target", ",".join(protocol.ANY_HELD_OUT_TARGETS), "--seed", str(seed), "--seeds", str(seeds),
            "--sampler", ",".join(protocol.ANY_HELD_OUT_SAMPLERS), "--plot-seeds", str(protocol.FIGURE_SEED),
            "--out-dir", os.path.join(out, "held-out", METHOD)]  # fmt: skip


def cell(rows):
    """success k/n [95% CI] and the median w1 in the target's unit [95% CI]."""
    k, n = sum(map(is_success, rows)), len(rows)
    low, high = wilson(k, n)
    median, (m_low, m_high) = median_interval([r["w1"] / r["unit"] for r in rows])
    return f"{k}/{n} [{low:.2f}, {high:.2f}] | {median:.3g} [{m_low:.3g}, {m_high:.3g}]"


def held_out_table(rows):
    lines = ["| target | sampler | success [95% CI] | median w1 / unit [95% CI] |", "|---|---|---|---|"]
    for target in protocol.ANY_HELD_OUT_TARGETS:
        for sampler in protocol.ANY_HELD_OUT_SAMPLERS:
            mine = [r for r in rows if r["target"] == target and r["sampler"] == sampler]
            lines.append(f"| {target} | {sampler} | {cell(mine)} |")
    return "\n".join(lines)


def report(out=OUT):
    os.makedirs(DOCS, exist_ok=True)
    for step, name in KEPT.items():
        study = protocol.study_folder(os.path.join(out, step, METHOD))
        if study and os.path.exists(os.path.join(study, "results.csv")):
            shutil.copyfile(os.path.join(study, "results.csv"), os.path.join(DOCS, name))
            print(f"wrote {os.path.join(DOCS, name)}")
    print("selection:", " ".join(recipe(selection(out))))
    rows = rows_of("held-out", out)
    if rows is not None:
        print(held_out_table(rows))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["search", "held-out", "report"])
    parser.add_argument("--out", default=OUT, help=f"folder of the studies (default: {os.path.relpath(OUT, ROOT)})")
    options = parser.parse_args(argv)
    out = os.path.abspath(options.out)
    if options.step == "search" and rows_of("search", out) is None:
        equal_budget.run_gan(equal_budget.search_command(METHOD, out), [])
    elif options.step == "held-out":
        equal_budget.run_gan(held_out_command(selection(out), out), [])
    elif options.step == "report":
        report(out)


if __name__ == "__main__":
    main()
