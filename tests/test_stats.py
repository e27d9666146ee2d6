"""gan1d.stats: Wilson intervals, bootstrap medians, a configuration's summary against its rows
counted by hand, each configuration summarised once, the ranking of a search."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from gan1d import stats


def test_wilson_intervals_match_the_known_values():
    assert stats.wilson(7, 20) == pytest.approx((0.181, 0.567), abs=1e-3)
    assert stats.wilson(5, 20) == pytest.approx((0.112, 0.469), abs=1e-3)
    assert stats.wilson(0, 3)[0] == 0 and stats.separated((0.1, 0.2), (0.25, 0.4))
    assert not stats.separated((0.18, 0.57), (0.11, 0.47))


def test_a_wilson_interval_is_the_score_intervals_formula():
    k, n, z = 13, 40, scipy_stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert stats.wilson(k, n) == pytest.approx((centre - half, centre + half), rel=1e-12)


def test_the_median_interval_holds_the_median_and_counts_divergence_as_far():
    median, (low, high) = stats.median_interval(np.arange(101.0))
    assert median == 50 and low < 50 < high and high - low < 30
    assert stats.median_interval([0.1, np.inf, np.inf])[0] == np.inf


def row(status="completed", w1=0.02, std_ratio=1.0, **extra):
    mode_metrics = {"modes_captured": 1.0, "high_quality": 1.0, "gap_mass": 0.0}
    return {
        "status": status,
        "w1": w1,
        "std_ratio": std_ratio,
        "ks": 0.1,
        "outside_fraction": 0.0,
        **mode_metrics,
        **extra,
    }


def test_a_summary_counts_its_rows_as_the_definitions_say():
    rows = [row(), row(w1=0.2), row(w1=0.04, std_ratio=1.3), row("diverged", w1=math.nan), row(w1=0.5)]
    s = stats.summarise(rows)
    assert (s["runs"], s["converged"], s["accurate"], s["diverged"], s["success"]) == (5, 3, 1, 1, 1)
    assert s["w1"][0] == 0.2  # the median of 0.02, 0.04, 0.2, 0.5 and the diverged run's infinity
    assert s["converged_ci"] == stats.wilson(3, 5) and s["success_ci"] == stats.wilson(1, 5)


def test_each_configuration_is_summarised_once_whatever_reads_it(monkeypatch):
    calls = []
    monkeypatch.setattr(stats, "summarise", lambda rows: calls.append(len(rows)) or {"runs": len(rows)})
    results = [{"lr": lr, "seed": s} for lr in (0.1, 0.2) for s in range(3)]
    summaries = stats.Summaries(results)
    for _ in range(3):  # a table, a figure and a ranking
        assert list(summaries.of(["lr"])) == [(0.1,), (0.2,)]
    assert calls == [3, 3]


def test_a_search_ranks_by_success_then_w1():
    results = [row(lr=lr, w1=w1) for lr, w1 in [(1, 0.01), (1, 0.3), (2, 0.02), (2, 0.03), (3, 0.5), (3, 0.6)]]
    order = stats.ranked(stats.Summaries(results), ["lr"], "success")
    assert [key for key, _ in order] == [(2,), (1,), (3,)]
    by_w1 = stats.ranked(stats.Summaries(results), ["lr"], "w1")
    assert [key for key, _ in by_w1] == [(2,), (1,), (3,)] and by_w1[0][1]["w1"][0] == 0.025
