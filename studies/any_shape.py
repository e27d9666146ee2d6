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

OUT = os.path.join(ROOT, "runs", "any")
DOCS = os.path.join(ROOT, "docs", "any")
FIGURE = os.path.join(ROOT, "plots", "readme", "any", "held-out.png")
FIRST, SECOND = protocol.ANY_METHODS  # the first round ("any") and the second ("any-anneal")


def kept(method, step):
    """Where a step's results.csv is kept: docs/any/STEP.csv (the first round), METHOD-STEP.csv."""
    return os.path.join(DOCS, f"{step if method == FIRST else f'{method}-{step}'}.csv")


def rows_of(step, out=OUT, method=FIRST):
    """A step's rows: its study's, or those kept in DOCS, or None before it has run."""
    rows = equal_budget.results_of(os.path.join(out, step, method))
    path = kept(method, step)
    return rows if rows is not None or not os.path.exists(path) else files.read_results(path)


def selection(out=OUT, method=FIRST):
    """The search's best configuration over both tuning targets by the protocol's score: {dest: value}."""
    rows = rows_of("search", out, method)
    if rows is None:
        raise SystemExit(f"any_shape.py: the search of {method} has not finished: run its search step")
    return equal_budget.chosen_values(rows, method, protocol.TUNING_TARGETS)


def recipe(best, method=FIRST):
    """The preset's flags: the base, the method's own, the chosen values."""
    return equal_budget.recipe_of(method, best)


def targets_of(method, step):
    """The first round: its held-out targets, then (step fresh) the fresh ones; the second: all of them."""
    if step == "fresh":
        return protocol.FRESH_TARGETS
    return protocol.ANY_HELD_OUT_TARGETS + (protocol.FRESH_TARGETS if method == SECOND else [])


def held_out_command(best, out=OUT, method=FIRST, step="held-out"):
    seed, seeds = protocol.HELD_OUT_SEEDS
    samplers = protocol.ANY_HELD_OUT_SAMPLERS if (method, step) == (FIRST, "held-out") else ["plain"]
    return [*recipe(best, method), "--target", ",".join(targets_of(method, step)), "--seed", str(seed),
            "--seeds", str(seeds), "--sampler", ",".join(samplers), "--plot-seeds", str(protocol.FIGURE_SEED),
            "--out-dir", os.path.join(out, step, method)]  # fmt: skip


def incumbents(target):
    """{name: rows} of the incumbents on a target, held-out seeds 1000-1019, each read by its own
    sampler: robust and modes (deligan's mixture selection) as their presets, dmwgan's selection by MH;
    from the kept results files of docs/equal-budget/ and docs/shapes/."""
    for targets in (protocol.SHAPE_HELD_OUT_TARGETS, protocol.FRESH_TARGETS):
        if target in targets:
            return {name: [r for r in shapes.incumbent_rows(name, targets) if r["target"] == target] for name in shapes.INCUMBENTS}  # fmt: skip
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
    plain = {t: plain_on(rows, t) for t in protocol.ANY_HELD_OUT_TARGETS}
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


def plot_histograms(path, rows_folder, targets, label):
    """The held-out figure seed's samples (plain) on each target against the truth."""
    study = protocol.study_folder(rows_folder)
    populations = [os.path.join(study, d) for d in os.listdir(study) if os.path.isdir(os.path.join(study, d))]
    columns = 5  # a long folder name is cut and hashed (gan1d/names.py): each population's target is read
    fig, axes = plt.subplots(-(-len(targets) // columns), columns, figsize=(17, 3 * -(-len(targets) // columns)))
    for ax, target in zip(axes.flat, targets, strict=False):  # the last row's spare axes stay empty
        (pop,) = [p for p in populations if folder.read_summary(p)["results"][0]["target"] == target]
        seeds = [r["seed"] for r in folder.read_summary(pop)["results"] if r["sampler"] == "plain"]
        x = folder.read_samples(pop)[seeds.index(protocol.FIGURE_SEED)].astype(np.float64)
        t = Target.named(target)
        low, high = t.ppf(np.array([0.0005, 0.9995]))
        xs = np.linspace(low - 0.1 * (high - low), high + 0.1 * (high - low), 400)
        ax.hist(x, bins=np.linspace(xs[0], xs[-1], 81), density=True, color="C2", alpha=0.6, label=label)
        ax.plot(xs, t.pdf(xs), color="C1", label="truth")
        ax.set_title(target, fontsize=10)
    for ax in axes.flat[len(targets) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{label}, held-out seed {protocol.FIGURE_SEED}, plain sampler")
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


def plain_on(rows, target):
    return [r for r in rows if r["target"] == target and r["sampler"] == "plain"]


def second_round_table(second, first, fresh):
    """The second round against the first on every target, and the incumbents on the fresh ones."""
    names = [SECOND, FIRST, *shapes.INCUMBENTS]
    lines = ["| target | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for target in protocol.FRESH_TARGETS + protocol.ANY_HELD_OUT_TARGETS:
        found = [plain_on(second, target), plain_on(first + fresh, target)]
        found += list(incumbents(target).values()) if target in protocol.FRESH_TARGETS else []
        lines.append(f"| {target} | " + " | ".join(cell(f, target) if f else "" for f in found) + " |")
    return "\n".join(lines)


def second_round_wins(second, fresh):
    """protocol.py's rule on the fresh targets: (wins, the lines that say why)."""
    totals, below, lines = [0, 0], [], []
    for target in protocol.FRESH_TARGETS:
        (k2, n2), (k1, n1) = (
            (sum(map(is_success, plain_on(r, target))), len(plain_on(r, target))) for r in (second, fresh)
        )
        totals = [totals[0] + k2, totals[1] + k1]
        if wilson(k2, n2)[1] < wilson(k1, n1)[0]:
            below.append(target)
        lines.append(f"- {target}: {k2}/{n2} against {k1}/{n1}")
    wins = totals[0] >= totals[1] and not below
    lines.append(f"- in all: {totals[0]} against {totals[1]}; wholly below on: {', '.join(below) or 'none'}: the second round {'wins' if wins else 'does not win'}")  # fmt: skip
    return wins, "\n".join(lines)


def preset_method(out=OUT):
    """The round whose selection is --preset any, by protocol.py's rule on the kept rows."""
    second, fresh = rows_of("held-out", out, SECOND), rows_of("fresh", out)
    return SECOND if second is not None and fresh is not None and second_round_wins(second, fresh)[0] else FIRST


def keep(out, method, step):
    study = protocol.study_folder(os.path.join(out, step, method))
    if study and os.path.exists(os.path.join(study, "results.csv")):
        shutil.copyfile(os.path.join(study, "results.csv"), kept(method, step))
        print(f"wrote {kept(method, step)}")


def report(out=OUT):
    os.makedirs(DOCS, exist_ok=True)
    for method, step in [
        (FIRST, "search"),
        (FIRST, "held-out"),
        (FIRST, "fresh"),
        (SECOND, "search"),
        (SECOND, "held-out"),
    ]:
        keep(out, method, step)
    print("selection:", " ".join(recipe(selection(out))))
    rows = rows_of("held-out", out)
    if rows is None:
        return
    files.write_text(os.path.join(DOCS, "held-out.md"), report_text(rows))
    print(report_text(rows))
    if protocol.study_folder(os.path.join(out, "held-out", FIRST)):
        plot_histograms(FIGURE, os.path.join(out, "held-out", FIRST), protocol.ANY_HELD_OUT_TARGETS, "preset any")
    second, fresh = rows_of("held-out", out, SECOND), rows_of("fresh", out)
    if second is None or fresh is None:
        return
    _, verdict = second_round_wins(second, fresh)
    text = f"Second round: {' '.join(recipe(selection(out, SECOND), SECOND))}\n\n{second_round_table(second, rows, fresh)}\n\n{verdict}\n"  # fmt: skip
    files.write_text(os.path.join(DOCS, "second-round.md"), text)
    print(text)
    if protocol.study_folder(os.path.join(out, "held-out", SECOND)):
        targets = protocol.FRESH_TARGETS + protocol.ANY_HELD_OUT_TARGETS
        plot_histograms(FIGURE.replace("held-out", "second-round"), os.path.join(out, "held-out", SECOND), targets, SECOND)  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["search", "held-out", "fresh", "report"])
    parser.add_argument("--method", default=FIRST, choices=list(protocol.ANY_METHODS), help=f"the round (default: {FIRST})")  # fmt: skip
    parser.add_argument("--out", default=OUT, help=f"folder of the studies (default: {os.path.relpath(OUT, ROOT)})")
    options = parser.parse_args(argv)
    out, method = os.path.abspath(options.out), options.method
    if options.step == "search" and rows_of("search", out, method) is None:
        equal_budget.run_gan(equal_budget.search_command(method, out), [])
    elif options.step in ("held-out", "fresh"):
        equal_budget.run_gan(held_out_command(selection(out, method), out, method, options.step), [])
    elif options.step == "report":
        report(out)


if __name__ == "__main__":
    main()
