"""Figures: the tutorial's distributions figure, the training curves, the study figure, and the
training animation (a GIF streamed frame by frame, or an MP4 through ffmpeg)."""

import os
import textwrap

import numpy as np

from .files import announce, temporary_path, write_atomic
from .gap import preimages
from .lazy import animation, plt
from .metrics import ACCURATE_W1, CONVERGED_W1, EVAL_POINTS, density, mode_shares
from .search import Range

ANIM_POINTS = 1_000  # decision-boundary points kept per animation frame
ANIM_FPS = 30


def save_figure(fig, path):
    write_atomic(path, lambda f: fig.savefig(f, format="png", dpi=100))
    plt.close(fig)


VERDICT_COLOURS = {"accurate": "tab:green", "converged": "tab:olive", "failed": "tab:red", "diverged": "tab:red",
                   "indistinguishable": "tab:green", "close": "tab:olive", "far": "tab:red"}  # fmt: skip


def plot_distributions(path, samples, decision, grid, note="", verdict=None, plain=None, sampler="plain", index=None):  # fmt: skip
    """The reference figure: decision boundary, real data and generated data over the grid's range;
    below it the run's verdict (label, reason), if given. With a sampler, samples are its output and
    plain (G's own samples) is drawn beside them, dashed. A mixture's G (index: the part of each of
    G's own samples) also draws each part's share of the density, thin, in its colour."""
    generated = density(samples, grid.bins) if np.all(np.isfinite(samples)) else None
    outside = float(np.mean((samples < grid.bins[0]) | (samples > grid.bins[-1]))) if generated is not None else 1.0
    fig, ax = plt.subplots(figsize=(8, 5))
    apart = not 0.2 <= np.max(grid.real_density) <= 5  # the data's density on another scale than D's [0, 1]
    d_ax = ax.twinx() if apart else ax
    if decision is not None:  # None after divergence: D's weights are no longer finite
        d_ax.plot(grid.xs, decision, label="decision boundary", color="C0")
    ax.plot(
        grid.centres,
        grid.real_density,
        label="real data" + (" (held out, smoothed)" if not grid.reference.exact else ""),
        color="C1",
    )
    if generated is not None:
        label = f"generated data ({outside:.1%} outside the plot)"
        if grid.reference.modes > 1:  # each mode's share of the generated mass, against its weight
            shares = mode_shares(np.asarray(samples, dtype=float)[None], grid.reference)[0]
            pairs = zip(grid.reference.means, shares, grid.reference.weights, strict=True)
            label += "\nmodes: " + ", ".join(f"{m:g}: {s:.0%} of {w:.0%}" for m, s, w in pairs)
        if sampler != "plain":
            label = label.replace("generated data", f"generated data, {sampler}")
        ax.plot(grid.centres, generated, label=label, color="C2")
    if plain is not None and np.all(np.isfinite(plain)):
        ax.plot(grid.centres, density(plain, grid.bins), "--", color="gray", lw=1, label="G's own samples (plain)")
    own = plain if plain is not None else samples
    if index is not None and generated is not None and np.all(np.isfinite(own)):
        for k, share, drawn in part_shares(own, index):
            ax.plot(grid.centres, share * density(drawn, grid.bins), ":", lw=1.5, color=f"C{(k + 4) % 10}", label=f"part {k}: {share:.0%}")  # fmt: skip
    for i, (a, b) in enumerate(grid.reference.gaps()):  # between the modes, beyond 3 sigma of each
        ax.axvspan(
            a,
            b,
            color="gray",
            alpha=0.15,
            lw=0,
            label=f"gaps (data: {grid.reference.gap_mass():.2%})" if i == 0 else None,
        )
    peak = max(1.0, 1.05 * np.max(generated)) if generated is not None else 1.0
    if apart:  # D on its own axis; the densities' axis as high as the data's peak, or a collapsed spike's
        d_ax.set(ylim=(0, 1), ylabel="D(x)")
        peak = 1.05 * max(np.max(grid.real_density), np.max(generated) if generated is not None else 0)
    ax.set_ylim(0, peak)  # the reference's [0, 1], raised so that a collapsed spike stays visible
    ax.set_title("1D Generative Adversarial Network")
    ax.set_xlabel("Data values")
    ax.set_ylabel("Probability density")
    ax.legend(loc="upper left")
    if note:
        ax.text(0.99, 0.98, note, transform=ax.transAxes, ha="right", va="top", fontsize=9, family="monospace")
    if verdict is not None:
        label, reason = verdict
        text = textwrap.fill(f"verdict: {label} - {reason}", 110)
        fig.subplots_adjust(bottom=0.15 + 0.035 * text.count("\n"))
        fig.text(0.02, 0.015, text, fontsize=8.5, va="bottom", color=VERDICT_COLOURS[label])
    save_figure(fig, path)


def plot_memorisation(path, distances):
    """How near samples lie to the nearest training value: the cumulative share of each set's
    distances (distances: {label: (n,)}), the held-out data's the yardstick of new data, the
    bootstrap's all zero (it copies the training values)."""
    fig, ax = plt.subplots(figsize=(8, 5))
    for label, d in distances.items():
        d = np.sort(d)
        ax.step(d, np.arange(1, len(d) + 1) / len(d), where="post", label=f"{label} (median {np.median(d):.3g})")
    reach = max(float(np.quantile(d, 0.99)) for d in distances.values())
    ax.set_xlim(0, 1.05 * reach or 1.0)  # the farthest 1% of any set left out: one outlier would flatten the rest
    ax.set(xlabel="distance to the nearest training value", ylabel="share of samples at most this near")
    ax.set_title("Memorisation: generated samples against held-out data")
    ax.legend(loc="lower right")
    save_figure(fig, path)


def part_shares(samples, index):
    """A mixture's parts (gan1d/mixture.py) on the grid: [(k, its share, its samples)] of those drawing."""
    return [(k, float(np.mean(index == k)), samples[index == k]) for k in np.unique(index)]


def plot_generator(path, grid, samples, slopes, scores, index=None):
    """G(z) over the noise with its slope |dG/dz| on a second axis; the noise G maps into the gaps
    shaded; L, the gap mass and its bound (scores: G's own metrics) in the title (docs/gap.md).
    A mixture (index: each point's generator or latent component) draws each part in its colour."""
    zs = grid.zs
    fig, ax = plt.subplots(figsize=(8, 5))
    if index is None:
        ax.plot(zs, samples, color="tab:blue", label="G(z)")
        spans = preimages(zs, samples, grid.reference)  # one continuous G: the noise it maps into the gaps
    else:
        for k, share, _ in part_shares(samples, index):
            ax.plot(
                zs[index == k], samples[index == k], ".", ms=1.5, color=f"C{k % 10}", label=f"part {k}: {share:.0%}"
            )
        spans = []
    for a, b in grid.reference.gaps():
        ax.axhspan(a, b, color="gray", alpha=0.15, lw=0)
    for i, (lo, hi) in enumerate(spans):
        ax.axvspan(lo, hi, color="tab:red", alpha=0.2, lw=0, label="noise mapped into the gaps" if i == 0 else None)
    ax.set_xlabel("noise z")
    ax.set_ylabel("G(z)")
    slope_ax = ax.twinx()
    if index is None:
        slope_ax.plot(zs, np.abs(slopes), color="tab:orange", lw=1, label="|dG/dz|")
    else:  # each part's own slope, as faint dots in its colour
        for k in np.unique(index):
            slope_ax.plot(zs[index == k], np.abs(slopes[index == k]), ".", ms=0.5, alpha=0.3, color=f"C{k % 10}")
    slope_ax.set_ylabel("|dG/dz|")
    ax.set_title(
        f"G over its noise: L = {scores['slope_max']:.3g}, gap mass {scores['gap_mass']:.2%}, "
        f"its bound {scores['gap_bound']:.2%}"
    )
    handles = ax.get_legend_handles_labels()
    more = slope_ax.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left")
    save_figure(fig, path)


def plot_gap_bound(path, rows):
    """A study's mixture runs, G's own samples: the measured gap mass against the bound its slope L
    implies, one point per run, coloured by target (docs/gap.md). On the diagonal, training sits on
    the bound; above it, G spends more noise in the gaps than its slope forces it to."""
    mixtures = [r for r in rows if r.get("modes", 1) > 1 and np.isfinite(r["gap_mass"]) and np.isfinite(r["gap_bound"])]
    fig, ax = plt.subplots(figsize=(6.5, 6))
    targets = sorted({str(r.get("target") or "mixture") for r in mixtures})
    for target in targets:
        chosen = [r for r in mixtures if str(r.get("target") or "mixture") == target]
        ax.scatter([r["gap_bound"] for r in chosen], [r["gap_mass"] for r in chosen], s=12, alpha=0.6, label=target)
    top = max([0.05] + [max(r["gap_mass"], r["gap_bound"]) for r in mixtures])
    ax.plot([0, top], [0, top], "k--", lw=1, label="gap mass = bound")
    ax.axhline(0.02, color="gray", lw=0.8, ls=":", label="separated below 2%")
    ax.set_xlabel("bound from G's steepest slope L")
    ax.set_ylabel("measured gap mass")
    ax.set_title(f"The gap mass and its bound: {len(mixtures)} runs")
    ax.legend(loc="upper left", fontsize=8)
    save_figure(fig, path)


def plot_training(path, rows):
    """Losses and the main metrics against steps, with the data's reference lines."""
    steps = [r["step"] for r in rows]
    panels = [
        ("losses", [("loss_d", "D"), ("loss_g", "G")], None, "linear"),
        ("Wasserstein-1 to the data", [("w1", "w1")], 0.0, "log"),
        ("generated std / data std", [("std_ratio", "std ratio")], 1.0, "linear"),
        ("distribution distances", [("ks", "KS"), ("js", "JS")], 0.0, "log"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for ax, (title, series, reference, scale) in zip(axes.flat, panels, strict=True):
        for key, label in series:
            ax.plot(steps, [r[key] for r in rows], label=label)
        if reference is not None:
            ax.axhline(reference, color="gray", ls="--", lw=1, label=f"data ({reference:g})")
        if scale == "log":  # symlog: linear near 0, so a metric of exactly 0 still shows
            ax.set_yscale("symlog", linthresh=1e-2)
            ax.set_ylim(bottom=0)
        ax.set_title(title)
        ax.legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("training step")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.95, hspace=0.2, wspace=0.18)
    save_figure(fig, path)


class AnimationFrames:
    """Keeps each frame's own small data (a thinned decision boundary and a histogram) and draws
    them at the end, streaming frame by frame to the writer."""

    def __init__(self, path, grid):
        self.path, self.grid = path, grid
        self.keep = np.linspace(0, EVAL_POINTS - 1, ANIM_POINTS).astype(int)
        self.frames = []  # (step, decision (ANIM_POINTS,), generated density (NUM_BINS - 1,))

    def add(self, step, samples, decision):
        generated = density(samples, self.grid.bins).astype(np.float32)
        self.frames.append((step, decision[self.keep].astype(np.float32), generated))

    def save(self):
        """Draws the frames: a GIF by blitting (the axes drawn once, then only the moving lines),
        encoded frame by frame; an MP4 through matplotlib's ffmpeg writer."""
        grid = self.grid
        fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=80)
        ax.set(xlim=(-6, 6), ylim=(0, 1.4), title="1D Generative Adversarial Network")
        ax.set(xlabel="Data values", ylabel="Probability density")
        line_db = ax.plot([], [], label="decision boundary", animated=True)[0]
        ax.plot(grid.centres, grid.real_density, label="real data")
        line_pg = ax.plot([], [], label="generated data", animated=True)[0]
        counter = ax.text(0.02, 0.95, "", transform=ax.transAxes, animated=True)
        legend = ax.legend(loc="upper right")
        legend.set_animated(True)

        def update(frame):
            step, decision, generated = frame
            line_db.set_data(grid.xs[self.keep], decision)
            line_pg.set_data(grid.centres, generated)
            counter.set_text(f"step {step}")
            return line_db, line_pg, counter, legend

        tmp = temporary_path(self.path)
        if self.path.endswith(".gif"):
            write_gif(tmp, fig, self.frames, update, fps=ANIM_FPS)
        else:
            writer = animation.FFMpegWriter(fps=ANIM_FPS)
            with writer.saving(fig, tmp, dpi=80):
                for frame in self.frames:
                    for artist in update(frame):
                        artist.set_animated(False)
                    writer.grab_frame()
        os.replace(tmp, self.path)
        plt.close(fig)
        announce(self.path)


def write_gif(path, fig, frames, update, fps):
    """Streams a looping GIF: each frame restores the static background, draws update(frame)'s
    artists, and is encoded at once with one palette (Pillow's own GIF writer keeps every frame)."""
    from PIL import GifImagePlugin, Image

    canvas = fig.canvas
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    palette = None
    with open(path, "wb") as f:
        for frame in frames:
            canvas.restore_region(background)
            for artist in update(frame):
                fig.draw_artist(artist)
            image = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
            if palette is None:  # the first frame shows every colour of the figure
                palette = image.quantize(colors=64)
                f.write(b"".join(GifImagePlugin.getheader(palette, info={"loop": 0})[0]))
            frame_image = image.quantize(palette=palette, dither=Image.Dither.NONE)
            f.write(b"".join(GifImagePlugin.getdata(frame_image, duration=round(1000 / fps))))
        f.write(b";")


def configuration_label(key, keys):
    parts = []
    for k, v in zip(keys, key, strict=True):
        if k == "minibatch":
            parts.append("minibatch" if v else "plain")
        else:
            parts.append(str(v) if k == "preset" else f"{k.replace('_', ' ')} {v}")
    return "\n".join(parts)


def plot_study(path, summaries, keys, samples_of, target_of, seeds_shown=10):
    """The study: converged and accurate rates with their 95% intervals, each run's final w1, and
    the final histograms of the first seeds of each configuration over the data's density.
    summaries: gan1d.stats.Summaries of the study; samples_of(row) and target_of(row) give a run's
    final samples and its data's distribution."""
    groups, s = summaries.groups(keys), list(summaries.of(keys).values())
    labels = [configuration_label(key, keys) for key in groups]
    fig = plt.figure(figsize=(max(10, 1.6 * len(groups) + 4), 4.5 + 1.1 * len(groups)))
    spec = fig.add_gridspec(1 + len(groups), seeds_shown, height_ratios=[4] + [1] * len(groups))
    top = spec[0, :].subgridspec(1, 2)
    ax = fig.add_subplot(top[0, 0])
    truth = not any(r.get("judged") == "held-out" for r in summaries.results)  # a data file: no truth to read
    rates = [(-0.12, "converged"), (0.12, "accurate")] if truth else [(0.0, "free_success")]
    for offset, what in rates:
        values = np.array([x[what] / x["runs"] for x in s])
        low = values - np.array([x[f"{what}_ci"][0] for x in s])
        high = np.array([x[f"{what}_ci"][1] for x in s]) - values
        label = what if truth else "held-out verdict: indistinguishable or close"
        ax.errorbar(np.arange(len(s)) + offset, values, yerr=[low, high], fmt="o", capsize=4, label=label)
    ax.set(ylim=(-0.02, 1.02), ylabel="share of runs", title="rates with 95% Wilson intervals")
    tick = {"fontsize": 8 if len(labels) <= 6 else 6, "rotation": 0 if len(labels) <= 6 else 30}
    ax.set_xticks(range(len(labels)), labels, **tick)
    ax.legend(fontsize=8)
    ax = fig.add_subplot(top[0, 1])
    for i, rows in enumerate(groups.values()):
        w1 = np.array([r["w1"] for r in rows], dtype=float)
        ax.scatter(i + np.linspace(-0.25, 0.25, len(w1)), np.where(np.isfinite(w1), w1, np.nan), s=6, alpha=0.5)
        diverged = int(np.sum(~np.isfinite(w1)))
        ax.text(
            i, 1.0, f"{diverged} diverged", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7
        )
    for value, name in [(ACCURATE_W1, "accurate"), (CONVERGED_W1, "converged")] if truth else []:
        ax.axhline(value, color="gray", ls="--", lw=1)
        ax.text(len(groups) - 0.5, value, f" {name}", fontsize=7, va="center", color="gray")
    ax.set_xticks(range(len(labels)), labels, **tick)
    ax.set_yscale("symlog", linthresh=0.1)  # linear near 0, logarithmic for the far failures
    ax.set_ylim(bottom=0)
    ax.set_title("final Wasserstein-1 of each run" + ("" if truth else " to the held-out data"), pad=14)
    plot_histogram_grid(fig, spec, groups, labels, samples_of, target_of, seeds_shown)
    fig.tight_layout()
    save_figure(fig, path)


def plot_histogram_grid(fig, spec, groups, labels, samples_of, target_of, seeds_shown):
    for row, (label, rows) in enumerate(zip(labels, groups.values(), strict=True), start=1):
        for col, r in enumerate(rows[:seeds_shown]):
            ax = fig.add_subplot(spec[row, col])
            target = target_of(r)
            xs = np.linspace(*target.span(), 200)
            ax.fill_between(xs, target.pdf(xs), color="lightgray")
            samples = samples_of(r)
            if samples is not None and np.all(np.isfinite(samples)):
                bins = np.linspace(xs[0], xs[-1], 40)
                ax.stairs(density(samples, bins), bins, color=VERDICT_COLOURS.get(r["verdict"], "C1"))
            ax.set(xticks=[], yticks=[], xlim=(xs[0], xs[-1]))
            ax.set_title(f"{r['seed']}: {r['verdict']}", fontsize=7 if len(r["verdict"]) < 10 else 5.5)
            if col == 0:
                ax.set_ylabel(label, fontsize=6)


def plot_sweep(path, summaries, keys):
    """The converged rate against a swept flag's value (one line per other configuration, with 95%
    intervals), or, for two swept flags, a grid of rates per other configuration."""
    swept = [k for k in keys if k not in ("preset", "minibatch")]
    lines = {}
    for key, summary in summaries.of(keys).items():
        fixed = tuple(v for k, v in zip(keys, key, strict=True) if k in ("preset", "minibatch"))
        values = tuple(v for k, v in zip(keys, key, strict=True) if k in swept)
        lines.setdefault(fixed, {})[values] = summary
    if len(swept) == 1:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for fixed, points in lines.items():
            xs = sorted(points)
            rates = np.array([points[x]["converged"] / points[x]["runs"] for x in xs])
            ci = np.array([points[x]["converged_ci"] for x in xs])
            label = configuration_label(fixed, ["preset", "minibatch"]).replace("\n", " ")
            ax.errorbar([x[0] for x in xs], rates, yerr=[rates - ci[:, 0], ci[:, 1] - rates], marker="o", capsize=4,
                        label=label)  # fmt: skip
        ax.set(xlabel=swept[0].replace("_", "-"), ylabel="converged share (95% Wilson interval)", ylim=(-0.02, 1.02))
        runs = {p["runs"] for points in lines.values() for p in points.values()}
        ax.set_title(
            f"converged runs against --{swept[0].replace('_', '-')}, {'/'.join(map(str, sorted(runs)))} seeds a point"
        )
        if all(isinstance(x[0], float) and x[0] > 0 for p in lines.values() for x in p):
            ax.set_xscale("log")
        ax.legend(fontsize=8)
    else:
        fig, axes = plt.subplots(1, len(lines), figsize=(4.5 * len(lines), 4), squeeze=False)
        for ax, (fixed, points) in zip(axes[0], lines.items(), strict=True):
            first, second = sorted({x[0] for x in points}), sorted({x[1] for x in points})
            grid = np.array([[points[(a, b)]["converged"] / points[(a, b)]["runs"] for a in first] for b in second])
            image = ax.imshow(grid, vmin=0, vmax=1, origin="lower", cmap="viridis")
            ax.set_xticks(range(len(first)), first)
            ax.set_yticks(range(len(second)), second)
            ax.set(
                xlabel=swept[0],
                ylabel=swept[1],
                title=configuration_label(fixed, ["preset", "minibatch"]).replace("\n", " "),
            )
            for (j, i), value in np.ndenumerate(grid):
                ax.text(i, j, f"{value:.2f}", ha="center", va="center", color="white" if value < 0.5 else "black")
        fig.colorbar(image, ax=axes[0], label="converged share")
    save_figure(fig, path)


def plot_search(path, summaries, keys, sweeps):
    """A random search: each configuration's success rate against each drawn flag, one panel a flag
    (log axes for log ranges), the success counted over every target the configuration ran on."""
    fig, axes = plt.subplots(1, len(sweeps), figsize=(3.6 * len(sweeps), 3.4), squeeze=False, sharey=True)
    points = [(dict(zip(keys, key, strict=True)), s) for key, s in summaries.of(keys).items()]
    for ax, (dest, spec) in zip(axes[0], sweeps, strict=True):
        xs = [values[dest] for values, _ in points]
        rates = [s["success"] / s["runs"] for _, s in points]
        if isinstance(spec, Range):
            ax.scatter(xs, rates, s=18)
            ax.set_xscale("log" if spec.log else "linear")
        else:
            ax.scatter([spec.index(x) for x in xs], rates, s=18)
            ax.set_xticks(range(len(spec)), [str(v) for v in spec])
        ax.set(xlabel=f"--{dest.replace('_', '-')}", ylim=(-0.04, 1.04))
    axes[0][0].set_ylabel("success share")
    fig.suptitle(f"{len(points)} configurations drawn, {points[0][1]['runs'] if points else 0} runs each")
    fig.tight_layout()
    save_figure(fig, path)
