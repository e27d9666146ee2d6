"""The cures' table: each method's success rate and median w1 over its study's seeds, on one mode
and on two, read from the studies' results.csv (written by gan.py) and summarised with gan.py's
own statistics (gan1d/stats.py).

    python benchmarks/cures_table.py plots/readme/cures

Each cell is the study's own summary (gan1d.stats.summarise): its success count (gan1d.metrics.is_success:
accurate on one mode, finished and separated on two) with the 95% Wilson interval, its median w1
with the bootstrap interval, and its diverged runs.
"""

import glob
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from gan1d import files  # noqa: E402
from gan1d.stats import summarise  # noqa: E402


def rows_of(folder):
    paths = glob.glob(os.path.join(folder, "study_*", "results.csv"))
    return files.read_results(paths[0]) if len(paths) == 1 else None  # None: not run (yet)


def cell(rows):
    if rows is None:
        return "- | - | -"
    s = summarise(rows)
    (low, high), (median, (w_low, w_high)) = s["success_ci"], s["w1"]
    return f"{s['success']}/{s['runs']} [{low:.2f}, {high:.2f}] | {median:.3f} [{w_low:.3f}, {w_high:.3f}] | {s['diverged']}"


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "plots", "readme", "cures")
    methods = sorted(os.listdir(os.path.join(base, "one")))
    print(
        "| method | one mode: accurate [95% CI] | w1 median [95% CI] | diverged | two modes: separated [95% CI] | w1 median [95% CI] | diverged |"
    )
    print("|---|---|---|---|---|---|---|")
    for method in methods:
        one = cell(rows_of(os.path.join(base, "one", method)))
        two_dir = os.path.join(base, "two", method)
        two = cell(rows_of(two_dir)) if os.path.isdir(two_dir) else "- | - | -"
        print(f"| {method} | {one} | {two} |")


if __name__ == "__main__":
    main()
