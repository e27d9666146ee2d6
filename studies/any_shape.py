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
import math
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import equal_budget  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import protocol  # noqa: E402
import report as equal_budget_report  # noqa: E402  (studies/report.py: the kept held-out rows)
import shapes  # noqa: E402  (studies/shapes.py: the incumbents on the shapes)

from gan1d import files, folder  # noqa: E402
from gan1d.figures import save_figure  # noqa: E402
from gan1d.metrics import is_success  # noqa: E402
from gan1d.stats import median_interval, wilson  # noqa: E402
from gan1d.target import Target  # noqa: E402

METHOD = "any"
OUT = os.path.join(ROOT, "runs", "any")
DOCS = os.path.join(ROOT, "docs", "any")
FIGURE = os.path.join(ROOT, "plots", "readme", "any", "held-out.png")
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


def incumbents(target):
    """{name: rows} of the incumbents on a target, held-out seeds 1000-1019, each read by its own
    sampler: robust and modes (deligan's mixture selection) as their presets, dmwgan's selection by MH;
    from the kept results files of docs/equal-budget/ and docs/shapes/."""
    if target in protocol.SHAPE_HELD_OUT_TARGETS:
        return {name: [r for r in shapes.incumbent_rows(name) if r["target"] == target] for name in shapes.INCUMBENTS}
    kept = {"robust": ("robust", "held-out", "plain"), "modes": ("deligan", "held-out-mixtures", "plain"),
            "dmwgan": ("dmwgan", "held-out", "mh")}  # fmt: skip
    rows = {name: equal_budget_report.held_out_rows(method, protocol.DOCS, step, sampler) for name, (method, step, sampler) in kept.items()}  # fmt: skip
    return {name: [r for r in found if r["target"] == target] for name, found in rows.items()}


def narrowest(target):
    """The unit of the goals' w1: the narrowest mode's sigma for a mixture, the std for a shape."""
    t = Target.named(target)
    return t.unit if t.modes == 1 else float(np.min(t.sigmas))


def weights_right(r):
    return is_success(r) and float(r.get("weight_error", math.nan)) <= equal_budget_report.WEIGHT_TOLERANCE


def cell(rows, target):
    """success k/n [95% CI], median w1 in the goal's unit [95% CI], and (a mixture) separated with the
    weights right k/n."""
    k, n = sum(map(is_success, rows)), len(rows)
    low, high = wilson(k, n)
    w1 = [r["w1"] / narrowest(target) if math.isfinite(r["w1"]) else math.inf for r in rows]
    median, (m_low, m_high) = median_interval(w1)
    weighted = f" ({sum(map(weights_right, rows))} weights right)" if Target.named(target).modes > 1 else ""
    return f"{k}/{n} [{low:.2f}, {high:.2f}]{weighted}, {median:.3g} [{m_low:.3g}, {m_high:.3g}]"


def held_out_table(rows):
    names = ["any", "any + mh", *shapes.INCUMBENTS]
    lines = ["| target | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for target in protocol.ANY_HELD_OUT_TARGETS:
        mine = {
            s: [r for r in rows if r["target"] == target and r["sampler"] == s] for s in protocol.ANY_HELD_OUT_SAMPLERS
        }
        others = incumbents(target)
        found = [mine["plain"], mine["mh"], *others.values()]
        lines.append(f"| {target} | " + " | ".join(cell(f, target) if f else "" for f in found) + " |")
    return "\n".join(lines)


def goals(rows):
    """Each goal of the issue on the preset's own (plain) rows: met or not, with its figure."""
    plain = {
        t: [r for r in rows if r["target"] == t and r["sampler"] == "plain"] for t in protocol.ANY_HELD_OUT_TARGETS
    }
    lines = []
    for target, mine in plain.items():
        t = Target.named(target)
        k = sum(map(weights_right if t.modes > 1 else is_success, mine))
        median = float(np.median([r["w1"] for r in mine])) / narrowest(target)
        w1_goal = f", median w1 {median:.2f} x narrowest sigma (goal <= 0.1)" if t.modes > 1 else ""
        met = k >= 19 and (t.modes == 1 or median <= 0.1)
        kind = "separated, weights right" if t.modes > 1 else "accurate"
        lines.append(f"- {target}: {kind} {k}/{len(mine)} (goal >= 19/20){w1_goal}: {'met' if met else 'not met'}")
    scaled, original = (sum(map(is_success, plain[t])) for t in ("two-modes-x100", "two-modes"))
    low, high = wilson(original, len(plain["two-modes"]))
    inside = low <= scaled / len(plain["two-modes-x100"]) <= high
    lines.append(
        f"- two-modes-x100: {scaled}/20 against two-modes' {original}/20 [{low:.2f}, {high:.2f}]: {'within' if inside else 'outside'} its interval"
    )
    return "\n".join(lines)


def plot_histograms(path, out=OUT):
    """The held-out figure seed's samples (plain) on every held-out target against the truth."""
    study = protocol.study_folder(os.path.join(out, "held-out", METHOD))
    targets = protocol.ANY_HELD_OUT_TARGETS
    fig, axes = plt.subplots(3, 5, figsize=(17, 9))
    for ax, target in zip(axes.flat, targets, strict=False):  # 13 targets on 15 axes
        (pop,) = [os.path.join(study, d) for d in os.listdir(study) if d.endswith(f"target-{target}")]
        seeds = [r["seed"] for r in folder.read_summary(pop)["results"] if r["sampler"] == "plain"]
        x = folder.read_samples(pop)[seeds.index(protocol.FIGURE_SEED)].astype(np.float64)
        t = Target.named(target)
        low, high = t.ppf(np.array([0.0005, 0.9995]))
        xs = np.linspace(low - 0.1 * (high - low), high + 0.1 * (high - low), 400)
        ax.hist(x, bins=np.linspace(xs[0], xs[-1], 81), density=True, color="C2", alpha=0.6, label="preset any")
        ax.plot(xs, t.pdf(xs), color="C1", label="truth")
        ax.set_title(target, fontsize=10)
    for ax in axes.flat[len(targets) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"--preset any, held-out seed {protocol.FIGURE_SEED}, plain sampler")
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    save_figure(fig, path)


def report_text(rows):
    seed, seeds = protocol.HELD_OUT_SEEDS
    return (
        f"Held-out seeds {seed}-{seed + seeds - 1}. Each cell: success k/n [95% CI] (for a mixture, how many of them"
        " have every mode's share within 0.05 of its weight), then the median w1 divided by the narrowest mode's sigma"
        " (a mixture) or the std (one mode, a shape) [95% CI].\n\n" + held_out_table(rows) + "\n\n" + goals(rows) + "\n"
    )


def report(out=OUT):
    os.makedirs(DOCS, exist_ok=True)
    for step, name in KEPT.items():
        study = protocol.study_folder(os.path.join(out, step, METHOD))
        if study and os.path.exists(os.path.join(study, "results.csv")):
            shutil.copyfile(os.path.join(study, "results.csv"), os.path.join(DOCS, name))
            print(f"wrote {os.path.join(DOCS, name)}")
    print("selection:", " ".join(recipe(selection(out))))
    rows = rows_of("held-out", out)
    if rows is None:
        return
    files.write_text(os.path.join(DOCS, "held-out.md"), report_text(rows))
    print(report_text(rows))
    if protocol.study_folder(os.path.join(out, "held-out", METHOD)):
        plot_histograms(FIGURE, out)


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
