"""Honest statistics of a study: rates with 95% Wilson intervals, medians with bootstrap intervals,
and whether the intervals of two configurations separate them."""

import math

import numpy as np

from .lazy import stats
from .metrics import FREE_SUCCESS, is_accurate, is_converged, is_success

CONFIDENCE = 0.95
MODE_MEDIANS = ("modes_captured", "high_quality", "gap_mass")
READ_MEDIANS = ("gap_bound", "slope_max", "sampler_draws", "sampler_steps", "sampler_acceptance")  # nan if absent
BOOTSTRAP_RESAMPLES = 2_000


def wilson(k, n):
    """The 95% Wilson score interval of k successes in n runs."""
    if n == 0:
        return (math.nan, math.nan)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return (float(ci.low), float(ci.high))


def median_interval(values):
    """The median and a 95% percentile bootstrap interval of it (seeded, so a study's table is stable)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or np.all(values == values[0]):
        median = float(np.median(values)) if len(values) else math.nan
        return median, (median, median)
    with np.errstate(invalid="ignore"):  # a diverged run's infinite w1: its resamples' spread is undefined
        ci = stats.bootstrap(
            (values,), np.median, confidence_level=CONFIDENCE, n_resamples=BOOTSTRAP_RESAMPLES, method="percentile",
            random_state=np.random.default_rng(0),
        ).confidence_interval  # fmt: skip
    return float(np.median(values)), (float(ci.low), float(ci.high))


def summarise(rows):
    """Counts, rates with intervals and medians of one configuration's runs."""
    n = len(rows)
    converged, accurate, success = sum(map(is_converged, rows)), sum(map(is_accurate, rows)), sum(map(is_success, rows))
    w1 = [r["w1"] if r["status"] != "diverged" and math.isfinite(r["w1"]) else math.inf for r in rows]
    finished = [r for r in rows if r["status"] != "diverged" and math.isfinite(r["w1"])]
    return {
        "runs": n,
        "converged": converged,
        "converged_ci": wilson(converged, n),
        "accurate": accurate,
        "accurate_ci": wilson(accurate, n),
        "diverged": sum(r["status"] == "diverged" for r in rows),
        "w1": median_interval(w1),
        "std_ratio": np.percentile([r["std_ratio"] for r in finished], [25, 50, 75]) if finished else [math.nan] * 3,
        "ks": float(np.median([r["ks"] for r in finished])) if finished else math.nan,
        "separated": int(sum(r.get("separated", 0) == 1 for r in finished)),
        "success": success,
        "success_ci": wilson(success, n),
        "free_success": (free := sum(r.get("verdict_free") in FREE_SUCCESS for r in rows)),
        "free_success_ci": wilson(free, n),
        "indistinguishable": sum(r.get("verdict_free") == "indistinguishable" for r in rows),
        **{k: float(np.median([r[k] for r in finished])) if finished else math.nan for k in MODE_MEDIANS},
        **{k: float(np.median([r.get(k, math.nan) for r in finished])) if finished else math.nan for k in READ_MEDIANS},
    }


def group_rows(results, keys):
    groups = {}
    for r in results:
        groups.setdefault(tuple(r.get(k) for k in keys), []).append(r)
    return groups


class Summaries:
    """A study's results grouped by configuration (the values of keys), each group summarised once
    (summarise draws 2,000 bootstrap resamples): every table and figure reads them from here."""

    def __init__(self, results):
        self.results, self._groups, self._summaries = results, {}, {}

    def groups(self, keys):
        """{configuration key: [result row]}."""
        keys = tuple(keys)
        if keys not in self._groups:
            self._groups[keys] = group_rows(self.results, keys)
        return self._groups[keys]

    def of(self, keys):
        """{configuration key: summarise(its rows)}, in the groups' order."""
        keys = tuple(keys)
        if keys not in self._summaries:
            self._summaries[keys] = {key: summarise(rows) for key, rows in self.groups(keys).items()}
        return self._summaries[keys]


def rate(k, ci, n):
    return f"{k}/{n} [{ci[0]:.2f}, {ci[1]:.2f}]"


def configuration_table(summaries, keys):
    """The study's table in Markdown; for a mixture, with the mode metrics: separated (with its
    interval), and the medians of the others."""
    modes = any(r.get("modes", 1) > 1 for r in summaries.results)
    free = any(r.get("verdict_free") for r in summaries.results)  # rows of an earlier version have none
    head = [k.replace("_", " ") for k in keys]
    extra = " separated [95% CI] | modes captured median | high-quality median | gap mass median |" if modes else ""
    extra += " held-out verdict: success [95% CI] | of them indistinguishable |" if free else ""
    lines = [
        "| " + " | ".join(head) + " | runs | converged [95% CI] | accurate [95% CI] | diverged | "
        "w1 median [95% CI] | std ratio median [IQR] | KS median |" + extra,
        "|" + "---|" * (len(keys) + 7 + 4 * modes + 2 * free),
    ]
    for key, s in summaries.of(keys).items():
        w1, (lo, hi) = s["w1"]
        sr = s["std_ratio"]
        cells = ["yes" if v is True else "no" if v is False else str(v) for v in key]
        lines.append(
            "| " + " | ".join(cells) + f" | {s['runs']} | {rate(s['converged'], s['converged_ci'], s['runs'])} | "
            f"{rate(s['accurate'], s['accurate_ci'], s['runs'])} | {s['diverged']} | "
            f"{w1:.3f} [{lo:.3f}, {hi:.3f}] | {sr[1]:.2f} [{sr[0]:.2f}, {sr[2]:.2f}] | {s['ks']:.3f} |"
            + (
                f" {rate(s['separated'], wilson(s['separated'], s['runs']), s['runs'])} | {s['modes_captured']:.0f} | "
                f"{s['high_quality']:.2f} | {s['gap_mass']:.3f} |"
                if modes
                else ""
            )
            + (
                f" {rate(s['free_success'], s['free_success_ci'], s['runs'])} | {s['indistinguishable']} |"
                if free
                else ""
            )
        )
    return "\n".join(lines)


def separated(a, b):
    """True when two intervals do not overlap."""
    return a[1] < b[0] or b[1] < a[0]


def comparisons(summaries, keys):
    """For each pair of configurations that differ in minibatch discrimination alone: do the
    intervals of their converged and accurate rates separate them?"""
    if "minibatch" not in keys:
        return ""
    at, summarised = keys.index("minibatch"), summaries.of(keys)
    lines = ["## With and without minibatch discrimination", ""]
    for key, plain in summarised.items():
        other = key[:at] + (True,) + key[at + 1 :]
        if key[at] is not False or other not in summarised:
            continue
        mb = summarised[other]
        label = ", ".join(f"{k} {v}" for k, v in zip(keys, key, strict=True) if k != "minibatch")
        for what in ("converged", "accurate"):
            a, b = plain[f"{what}_ci"], mb[f"{what}_ci"]
            p, q = plain[what] / plain["runs"], mb[what] / mb["runs"]
            if separated(a, b):
                verdict = (
                    f"the intervals separate them: {'with' if q > p else 'without'} minibatch discrimination is higher"
                )
            else:
                verdict = "the intervals overlap: this study cannot tell them apart"
            lines.append(
                f"- {label}, {what}: without {p:.0%} [{a[0]:.0%}, {a[1]:.0%}], with {q:.0%} [{b[0]:.0%}, {b[1]:.0%}]; "
                f"{verdict}"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def ranked(summaries, keys, score):
    """[(configuration key, summary)], best first by score (flags.SCORES): the success rate then
    the median w1, or the median w1 then the success rate. A configuration pools its targets' runs."""
    pairs = list(summaries.of(keys).items())
    rate = {key: s["success"] / s["runs"] for key, s in pairs}
    if score == "w1":
        return sorted(pairs, key=lambda ks: (ks[1]["w1"][0], -rate[ks[0]]))
    return sorted(pairs, key=lambda ks: (-rate[ks[0]], ks[1]["w1"][0]))


def ranking_table(summaries, keys, score):
    """A search's configurations ranked by score, in Markdown: success and median w1 with their
    intervals, each target's successes, and whether the intervals set a configuration below the first."""
    results = summaries.results
    targets = sorted({r["target"] for r in results if r.get("target") is not None})
    order = ranked(summaries, keys, score)
    by_target = {t: group_rows([r for r in results if r.get("target") == t], keys) for t in targets}
    head = ["rank", *[k.replace("_", " ") for k in keys], "runs", "success [95% CI]", "w1 median [95% CI]", "diverged"]
    lines = ["| " + " | ".join(head + [f"{t} success" for t in targets] + ["below the first"]) + " |"]
    lines.append("|" + "---|" * (len(head) + len(targets) + 1))
    best = order[0][1] if order else None
    for i, (key, s) in enumerate(order, 1):
        w1, (lo, hi) = s["w1"]
        below = separated(s["success_ci"], best["success_ci"]) or separated(s["w1"][1], best["w1"][1])
        cells = [str(i), *map(str, key), str(s["runs"]), rate(s["success"], s["success_ci"], s["runs"])]
        cells += [f"{w1:.3f} [{lo:.3f}, {hi:.3f}]", str(s["diverged"])]
        for t in targets:
            rows = by_target[t].get(key, [])
            cells.append(f"{sum(map(is_success, rows))}/{len(rows)}")
        cells.append("yes" if i > 1 and below else "no")
        lines.append("| " + " | ".join(cells) + " |")
    return f"## Configurations ranked by {score}\n\n" + "\n".join(lines) + "\n\n"


def sampler_table(summaries, keys):
    """The samplers read on each configuration, in Markdown: success and median w1 with intervals, the
    gap mass against its bound (G's own), what each sampler cost (medians), and whether the success
    intervals set it apart from plain on the same configuration."""
    at, summarised = keys.index("sampler"), summaries.of(keys)
    others = [k for k in keys if k != "sampler"]
    head = [*[k.replace("_", " ") for k in others], "sampler", "runs", "success [95% CI]", "w1 median [95% CI]"]
    head += [
        "gap mass median",
        "G's gap bound median",
        "drawn per kept",
        "steps per kept",
        "acceptance",
        "against plain",
    ]
    lines = ["## Samplers", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, s in sorted(summarised.items(), key=lambda ks: tuple(map(str, ks[0][:at] + ks[0][at + 1 :]))):
        plain = summarised.get(key[:at] + ("plain",) + key[at + 1 :])
        w1, (lo, hi) = s["w1"]
        if plain is None or key[at] == "plain":
            against = ""
        elif separated(s["success_ci"], plain["success_ci"]):
            against = "higher" if s["success"] > plain["success"] else "lower"
        else:
            against = "overlaps"
        cells = [str(v) for i, v in enumerate(key) if i != at] + [key[at], str(s["runs"])]
        cells += [rate(s["success"], s["success_ci"], s["runs"]), f"{w1:.3f} [{lo:.3f}, {hi:.3f}]"]
        cells += [f"{s['gap_mass']:.3f}", f"{s['gap_bound']:.3f}", f"{s['sampler_draws']:.2f}"]
        cells += [f"{s['sampler_steps']:.0f}", f"{s['sampler_acceptance']:.2f}", against]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n"
