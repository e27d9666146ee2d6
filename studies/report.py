"""The equal-budget study's report: from the results.csv files its gan.py studies wrote, the
tables of docs/equal-budget.md (printed as Markdown) and its two figures (the held-out rates as a
heat map with their intervals written in, and the final histograms of one held-out seed,
method x target). Run by `python studies/equal_budget.py report`."""

import glob
import os

import numpy as np
import protocol

import gan1d.folder
from gan1d import files
from gan1d.figures import save_figure
from gan1d.lazy import plt
from gan1d.metrics import density, is_success
from gan1d.stats import separated, summarise
from gan1d.target import Target

FIGURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "plots", "readme", "equal-budget")


REFERENCE = "non-saturating"  # what every method is compared with
WEIGHT_TOLERANCE = 0.05  # the modes' weights are right when each mode's share is within this of its weight


def cell(rows):
    """k/n with its Wilson interval, the median w1 with its bootstrap interval, the diverged count:
    the study's own summary (gan1d.stats.summarise) of one method on one target."""
    s = summarise(rows)
    weighted = sum(float(r.get("weight_error", "nan")) <= WEIGHT_TOLERANCE for r in rows)  # nan: an earlier row
    return {"k": s["success"], "n": s["runs"], "ci": s["success_ci"], "w1": s["w1"][0], "w1_ci": s["w1"][1],
            "diverged": s["diverged"], "weights": weighted}  # fmt: skip


def held_out_rows(method, docs, step, sampler="plain"):
    """A method's held-out rows of one selection and sampler (docs/equal-budget/STEP/METHOD.csv, with
    its rows on the added targets from STEP-added/), or None if that selection was not rerun; the
    reference is shown in every table, from the held-out step. Rows before the samplers are plain's."""
    folders = (step, "held-out") if method == REFERENCE else (step,)
    for folder in folders:
        paths = [os.path.join(docs, f, f"{method}.csv") for f in (folder, folder + protocol.ADDED)]
        if os.path.exists(paths[0]):
            rows = [r for p in paths if os.path.exists(p) for r in files.read_results(p)]
            return [r for r in rows if r.get("sampler", "plain") == sampler]
    return None


def held_out_cells(methods, targets, docs, step="held-out", sampler="plain"):
    """{method: {target: cell}} of one selection's reruns, read by sampler; a target not run yet is left out."""
    cells = {}
    for method in methods:
        rows = held_out_rows(method, docs, step, sampler)
        if rows:
            by_target = {t: [r for r in rows if r["target"] == t] for t in targets}
            cells[method] = {t: cell(rs) for t, rs in by_target.items() if rs}
    return cells


def goal_lines(cells, targets):
    """Per method and target (mixtures held out): separated k/n, median w1, weights right k/n."""
    lines = []
    for method, by_target in cells.items():
        shown = [f"{t} {c['k']}/{c['n']}, w1 {c['w1']:.3f}, weights {c['weights']}/{c['n']}"
                 for t, c in by_target.items() if t in targets]  # fmt: skip
        lines.append(f"- {method}: " + "; ".join(shown))
    return "\n".join(lines)


def mixture_recipe(cells):
    """The method whose rerun separates the two-mode tuning target most often on the held-out seeds,
    then with the lowest median w1 there: the modes preset's recipe. The held-out targets play no part."""
    return min(cells, key=lambda m: (-cells[m]["two-modes"]["k"], cells[m]["two-modes"]["w1"]))


def mixture_selections(mixture_cells, held_out_cells, docs):
    """Each method's mixture selection on the held-out seeds: its held-out-mixtures rerun, or, where
    its search separated two-mode runs and its best there is its best over both tuning targets (so
    the protocol reran it once), its held-out rerun."""
    selections = dict(mixture_cells)
    for method, by_target in held_out_cells.items():
        path = os.path.join(docs, "search", f"{method}.csv")
        if method in selections or not os.path.exists(path):
            continue
        rows = files.read_results(path)
        if protocol.separates(rows) and protocol.one_best(rows, method):
            selections[method] = by_target
    return selections


def search_table(methods, docs, tuned_on):
    """Each method's best configuration by the protocol's score over its search's runs on the targets tuned_on,
    with its tuning counts."""
    lines = [
        "| method | best configuration | tuning success [95% CI] | one-mode | two-modes |",
        "|---|---|---|---|---|",
    ]
    for method in methods:
        path = os.path.join(docs, "search", f"{method}.csv")
        if not os.path.exists(path):
            continue
        rows = files.read_results(path)
        keys = protocol.swept_flags(method)
        key, s = protocol.selection(rows, method, tuned_on)
        chosen = [r for r in rows if tuple(r[k] for k in keys) == key]
        per = [sum(map(is_success, [r for r in chosen if r["target"] == t])) for t in ("one-mode", "two-modes")]
        shown = " ".join(f"--{k.replace('_', '-')} {v:g}" for k, v in zip(keys, key, strict=True))
        lo, hi = s["success_ci"]
        lines.append(
            f"| {method} | `{shown}` | {s['success']}/{s['runs']} [{lo:.2f}, {hi:.2f}] | {per[0]}/4 | {per[1]}/4 |"
        )
    return "\n".join(lines)


def held_out_table(cells, targets, tuned):
    """Method x target: success k/n [CI] and median w1 [CI]; the tuning targets marked."""
    head = [f"{t} (tuning target)" if t in tuned else f"{t} (held out)" for t in targets]
    lines = ["| method | " + " | ".join(head) + " |", "|---|" + "---|" * len(targets)]
    for method, by_target in cells.items():
        parts = []
        for t in targets:
            c = by_target.get(t)
            if c is None:
                parts.append("not run")
                continue
            div = f", {c['diverged']} diverged" if c["diverged"] else ""
            parts.append(f"{c['k']}/{c['n']} [{c['ci'][0]:.2f}, {c['ci'][1]:.2f}]; w1 {c['w1']:.3f} "
                         f"[{c['w1_ci'][0]:.3f}, {c['w1_ci'][1]:.3f}]{div}")  # fmt: skip
        lines.append(f"| {method} | " + " | ".join(parts) + " |")
    return "\n".join(lines)


def against(cells, targets, reference=REFERENCE):
    """Where the intervals separate a method from the reference, target by target."""
    lines = []
    base = cells.get(reference)
    if base is None:
        return ""
    for t in targets:
        above = [m for m, c in cells.items() if m != reference and separated(c[t]["ci"], base[t]["ci"])
                 and c[t]["k"] / c[t]["n"] > base[t]["k"] / base[t]["n"]]  # fmt: skip
        below = [m for m, c in cells.items() if m != reference and separated(c[t]["ci"], base[t]["ci"])
                 and c[t]["k"] / c[t]["n"] < base[t]["k"] / base[t]["n"]]  # fmt: skip
        closer = [m for m, c in cells.items() if m != reference and separated(c[t]["w1_ci"], base[t]["w1_ci"])
                  and c[t]["w1"] < base[t]["w1"]]  # fmt: skip
        farther = [m for m, c in cells.items() if m != reference and separated(c[t]["w1_ci"], base[t]["w1_ci"])
                   and c[t]["w1"] > base[t]["w1"]]  # fmt: skip
        b = base[t]
        lines.append(
            f"- {t}: {reference} {b['k']}/{b['n']}. Success rate above it, intervals apart: "
            f"{', '.join(above) or 'none'}; below it: {', '.join(below) or 'none'}. "
            f"Median w1 below its {b['w1']:.3f}, intervals apart: {', '.join(closer) or 'none'}; "
            f"above it: {', '.join(farther) or 'none'}."
        )
    return "\n".join(lines)


def plot_rates(path, cells, targets, tuned):
    """Method x target, as two heat maps with the intervals written in: the held-out success rate
    (k/n [95% Wilson interval]) and the median w1 ([95% bootstrap interval], a log colour scale)."""
    from matplotlib.colors import LogNorm  # noqa: PLC0415  (matplotlib loads only when a figure is drawn)

    methods = list(cells)
    rates = np.array([[cells[m][t]["k"] / cells[m][t]["n"] for t in targets] for m in methods])
    w1 = np.array([[min(cells[m][t]["w1"], 10.0) for t in targets] for m in methods])  # a diverged median: shown at 10
    fig, axes = plt.subplots(2, 1, figsize=(1.6 * len(targets) + 3.5, 2 * (0.45 * len(methods) + 1.2)))
    panels = [
        (axes[0], rates, {"vmin": 0, "vmax": 1}, "success share", "viridis",
         lambda c: f"{c['k']}/{c['n']}\n[{c['ci'][0]:.2f}, {c['ci'][1]:.2f}]", lambda v: v < 0.5),
        (axes[1], w1, {"norm": LogNorm(vmin=0.02, vmax=3)}, "median w1", "viridis_r",
         lambda c: f"{c['w1']:.3f}\n[{c['w1_ci'][0]:.3f}, {min(c['w1_ci'][1], 99):.3f}]", lambda v: v > 0.25),
    ]  # fmt: skip
    labels = [f"{t}\n({'tuning' if t in tuned else 'held out'})" for t in targets]
    for ax, values, scale, name, cmap, text, dark in panels:
        image = ax.imshow(values, cmap=cmap, aspect="auto", **scale)
        for (i, j), value in np.ndenumerate(values):
            c = cells[methods[i]][targets[j]]
            ax.text(j, i, text(c), ha="center", va="center", fontsize=6.5, color="white" if dark(value) else "black")
        ax.set_xticks(range(len(targets)), labels, fontsize=7.5)
        ax.set_yticks(range(len(methods)), methods, fontsize=8)
        fig.colorbar(image, ax=ax, label=name, fraction=0.05)
    n = cells[methods[0]][targets[0]]["n"]
    fig.suptitle(f"each method's selected configuration on {n} held-out seeds a cell", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def plain_runs(method, out, step):
    """(study folder, row) of G's own samples of a method's reruns kept under out: the step's studies
    and its added targets' (held-out: the reference's, shown in every step)."""
    rows = []
    for folder in (step, step + protocol.ADDED, "held-out"):
        study = protocol.study_folder(os.path.join(out, folder, method))
        if study and os.path.exists(os.path.join(study, "results.csv")):
            found = files.read_results(os.path.join(study, "results.csv"))
            rows += [(study, r) for r in found if r.get("sampler", "plain") == "plain"]
    return rows


def drawable(methods, targets, out, step, seed):
    """Whether every method's run of seed on every target is kept under out (its samples.npy)."""
    return all(
        any(r["target"] == t and r["seed"] == seed for _, r in plain_runs(m, out, step))
        for m in methods
        for t in targets
    )


def plot_histograms(path, methods, targets, out, seed, step):
    """Final histograms of one held-out seed over each target's density, method x target."""
    fig, axes = plt.subplots(len(methods), len(targets), figsize=(2.0 * len(targets) + 1, 0.9 * len(methods) + 0.6),
                             squeeze=False)  # fmt: skip
    for i, method in enumerate(methods):
        rows = plain_runs(method, out, step)
        for j, t in enumerate(targets):
            ax, target = axes[i][j], Target.named(t)
            xs = np.linspace(target.means.min() - 5 * target.sigma, target.means.max() + 5 * target.sigma, 200)
            ax.fill_between(xs, target.pdf(xs), color="lightgray")
            study, row = next(((f, r) for f, r in rows if r["target"] == t and r["seed"] == seed), (None, None))
            if row is not None:
                samples = gan1d.folder.read_samples(os.path.join(study, row["population"]))[int(row["member"])]
                if np.all(np.isfinite(samples)):
                    bins = np.linspace(xs[0], xs[-1], 50)
                    ax.stairs(density(samples, bins), bins, color="tab:green" if is_success(row) else "tab:red")
            ax.set(xticks=[], yticks=[], xlim=(xs[0], xs[-1]))
            if i == 0:
                ax.set_title(t, fontsize=8)
            if j == 0:
                ax.set_ylabel(method, fontsize=7, rotation=0, ha="right", va="center")
    fig.suptitle(f"seed {seed} (held out): green a success, red not; grey the data", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)


def seconds_of(folder):
    """The training seconds of every population of the one study in folder (their summary.json)."""
    total = 0.0
    for population in glob.glob(os.path.join(folder, "study_*", "*", "")):
        total += (gan1d.folder.read_summary(population) or {}).get("seconds", 0.0)
    return total


def cost_table(out):
    """Each method's training time in the search and in its held-out reruns, as measured by each
    population (TensorFlow's import and graph building excluded)."""
    steps = protocol.STEPS
    lines = ["| method | " + " | ".join(f"{s} (min)" for s in steps) + " |", "|---|" + "---|" * len(steps)]
    totals = [0.0] * len(steps)
    for method in [*protocol.METHODS, *protocol.INCUMBENTS]:
        minutes = [seconds_of(os.path.join(out, step, method)) / 60 for step in steps]
        totals = [t + m for t, m in zip(totals, minutes, strict=True)]
        lines.append(f"| {method} | " + " | ".join(f"{m:.1f}" if m else "-" for m in minutes) + " |")
    lines.append("| all | " + " | ".join(f"{t:.1f}" for t in totals) + " |")
    return "\n".join(lines)


def report(out, docs=protocol.DOCS):
    """The tables printed, the figures written under plots/readme/equal-budget/."""
    targets = protocol.TUNING_TARGETS + protocol.HELD_OUT_TARGETS
    print("## Each method's best configuration on the tuning targets\n")
    for tuned_on in protocol.SELECTIONS.values():
        print(f"### By the score on {' and '.join(tuned_on)}\n")
        print(search_table(protocol.METHODS, docs, tuned_on) + "\n")
    mixtures = [t for t in protocol.HELD_OUT_TARGETS if Target.named(t).modes > 1]
    for step in protocol.SELECTIONS:
        incumbents = [name for name, (home, _) in protocol.INCUMBENTS.items() if home == step]
        cells = held_out_cells([*protocol.METHODS, *incumbents], targets, docs, step)
        if not cells:
            continue
        for sampler in protocol.SAMPLERS[1:]:
            read = held_out_cells([*protocol.METHODS, *incumbents], targets, docs, step, sampler)
            if read:
                print(f"## {step}, read by {sampler}\n\n" + held_out_table(read, targets, protocol.TUNING_TARGETS))
                print("\n" + goal_lines(read, mixtures) + "\n")
        print(f"## {step}: the held-out mixtures, plain\n\n" + goal_lines(cells, mixtures) + "\n")
        print(f"## {step}: held-out seeds\n\n" + held_out_table(cells, targets, protocol.TUNING_TARGETS) + "\n")
        complete = {m: c for m, c in cells.items() if len(c) == len(targets)}  # every target run
        print(against(complete, targets) + "\n")
        os.makedirs(FIGURES, exist_ok=True)
        plot_rates(os.path.join(FIGURES, f"{step}-rates.png"), complete, targets, protocol.TUNING_TARGETS)
        # The first protocol's methods, and separately the jump methods (docs/jump.md); a figure whose
        # runs are not all kept under out (only their results.csv files are, in the docs) stays as it is.
        first = [m for m in cells if m not in protocol.JUMP_METHODS]
        jump = [m for m in cells if m in protocol.JUMP_METHODS]
        for methods, name in ((first, f"{step}-histograms.png"), (jump, f"{step}-jump-histograms.png")):
            if methods and drawable(methods, targets, out, step, protocol.FIGURE_SEED):
                plot_histograms(os.path.join(FIGURES, name), methods, targets, out, protocol.FIGURE_SEED, step)
            elif methods:
                print(f"{name}: kept as it is (not every run of seed {protocol.FIGURE_SEED} is under {out})\n")
        if step == "held-out-mixtures":
            chosen = mixture_selections(cells, held_out_cells(list(protocol.METHODS), targets, docs), docs)
            print(f"The mixture recipe (the modes preset): {mixture_recipe(chosen)}\n")
    print("## Cost\n\n" + cost_table(out) + "\n")
