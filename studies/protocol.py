"""The equal-budget study's protocol (docs/equal-budget.md), declared before its first run: the
methods, the ranges each searches, the budget, the tuning and held-out targets and seeds, the score."""

import os

from gan1d.stats import Summaries, ranked

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BASE = ["--preset", "robust", "--r1", "0"]  # the robust preset without its R1: the plain non-saturating GAN
SHARED = [  # every method searches these, in this order (the first dimensions of the sequence)
    "learning-rate=0.0001:0.01:log",
    "beta1=0:0.9",
    "g-input-scale=0.125:1:log",
    "d-steps=1,5",
    "batch-size=64,256",
]
METHODS = {  # name: (its flags on top of BASE, its own ranges)
    "non-saturating": ([], []),
    "minimax": (["--loss", "minimax"], []),
    "least-squares": (["--loss", "ls"], []),
    "hinge": (["--loss", "hinge"], []),
    "wgan-gp": (["--loss", "wgan", "--beta2", "0.9"], ["gp=1:30:log"]),
    "r1": ([], ["r1=0.01:10:log"]),
    "instance-noise": ([], ["instance-noise=0.05:1:log"]),
    "spectral-norm": (["--spectral-norm"], []),
    "pacgan2": (["--pack", "2"], []),
    "pacgan4": (["--pack", "4"], []),
    "unrolled5": (["--unroll", "5"], []),
    "minibatch": (["--minibatch", "--minibatch-group", "16"], ["d-init=0.1:1:log"]),
    "two-time-scales": ([], ["g-learning-rate=0.0001:0.01:log"]),
}
# Generators that can jump (docs/jump.md), declared before their first run: they join with the same
# budget. K = 6 on every target, fixed: one more than the most modes of any target plus one spare.
JUMP_METHODS = {
    "dmwgan": (["--generators", "6"], ["classifier-weight=0.1:10:log"]),  # the prior learned from Q's posterior
    "mgan": (["--generators", "6", "--generator-prior", "equal"], ["classifier-weight=0.1:10:log"]),  # equal prior
    "deligan": (["--latent", "mixture", "--latent-components", "6", "--latent-weights", "learned"],
                ["sigma-penalty=0.001:1:log", "classifier-weight=0.1:10:log"]),
}  # fmt: skip
METHODS.update(JUMP_METHODS)
# The preset for data of any shape (docs/any.md), declared before its first run: the jump method
# dmwgan (six parts, the prior learned) made scale-free and drawing bells, with dmwgan's budget and
# ranges. None of its flags reads the target: --standardise trains in the data's own mean and std
# (a copy x100 + 1,000 trains on the same numbers); --noise normal feeds each part normal noise, so
# that a part draws a bell with a straight line where uniform noise needs a curve with infinite
# slopes at its ends (docs/any.md, "Why the parts drew spikes"); six parts, as for every target.
ANY_METHODS = {
    "any": (["--generators", "6", "--noise", "normal", "--standardise"], ["classifier-weight=0.1:10:log"]),
}
ANY_HELD_OUT_SAMPLERS = ["plain", "mh"]  # the preset's own (plain) and a D-guided reading on top, for the record
# Its one selection: the best of its search over both tuning targets by SCORE (SELECTIONS' "held-out").
# Its held-out runs: the tuning targets, the protocol's six held-out targets and the five shapes.
# The second round (docs/any.md, "A second round, declared before its runs"), declared after the first round's held-out runs and
# before any run of its own: the any method with its classifier term annealed to 0 at the last step, the
# cure for the seams between parts that the first round's figures showed (checked on the tuning targets
# and diagnostic seeds 2000-2003 alone). Its design saw the first round's held-out targets, so five fresh
# ones judge it; the first round's selection and the incumbents run on them too.
ANY_METHODS["any-anneal"] = (ANY_METHODS["any"][0] + ["--classifier-anneal"], ANY_METHODS["any"][1])
FRESH_TARGETS = ["skewed-gamma", "peaked", "bounded", "three-unequal", "two-modes-small"]
# The rule, declared with it: the second round's selection becomes --preset any if, on the fresh targets
# (plain sampler), its successes total at least the first round's and no target's success interval lies
# wholly below the first round's; else the first round's stays, and the second is a finding.
SEARCH = 16  # configurations per method, each on every tuning target and tuning seed
TUNING_TARGETS = ["one-mode", "two-modes"]
TUNING_SEEDS = (0, 4)  # --seed, --seeds: seeds 0-3; also the search sequence's seed
FIRST_HELD_OUT_TARGETS = ["near-modes", "wide-modes", "unequal-modes", "three-modes"]
# Added with the jump methods, before their first run: modes of different widths, and four modes.
# The earlier methods' selections are rerun on these alone, into STEP-added (ADDED).
ADDED_TARGETS = ["unequal-widths", "four-modes"]
HELD_OUT_TARGETS = FIRST_HELD_OUT_TARGETS + ADDED_TARGETS
ADDED = "-added"
# Every held-out population trained from the jump methods on is read by every sampler (docs/samplers.md).
SAMPLERS = ["plain", "drs", "mh", "jbop", "dot"]
# Declared before any run on them (docs/shapes.md): shapes beyond mixtures of normals and a moved copy,
# held out for the preset for data of any shape and the incumbents, beside the eight of the protocol.
SHAPE_HELD_OUT_TARGETS = ["skewed", "heavy-tailed", "flat", "five-unequal", "two-modes-x100"]
ANY_HELD_OUT_TARGETS = TUNING_TARGETS + HELD_OUT_TARGETS + SHAPE_HELD_OUT_TARGETS
HELD_OUT_SEEDS = (1000, 20)  # seeds 1000-1019, never used in tuning
FIGURE_SEED = 1000  # the histogram grid's seed, a held-out one
# Which configuration of each method's search is rerun on the held-out seeds (into runs/.../STEP):
# its best over both tuning targets, and its best on the two-mode one, if that is another.
SELECTIONS = {"held-out": TUNING_TARGETS, "held-out-mixtures": ["two-modes"]}
STEPS = ("search", *SELECTIONS, *(step + ADDED for step in SELECTIONS))  # each a folder of studies, one per method
# Recipes rerun on the held-out seeds as they are, without a search, beside the selections of one
# step: the presets before this study. Each stays its preset unless a selection beats it.
INCUMBENTS = {
    "robust": ("held-out", ["--preset", "robust"]),  # tuned on one mode, seeds 1-20
    "modes-before": ("held-out-mixtures", [  # tuned on two-modes, seeds 500-519
        "--preset", "robust", "--minibatch", "--minibatch-group", "16", "--d-init", "0.3", "--g-input-scale", "1",
        "--g-start-slope", "1", "--learning-rate", "0.012", "--decay-rate", "0.9", "--decay-steps", "300",
        "--num-steps", "3000", "--d-steps", "3"]),
}  # fmt: skip
SCORE = "success"  # the success rate (accurate on one mode, separated on a mixture), then the median w1
# The studies' folders (equal_budget.py --out); of them, only the results.csv files are kept, in DOCS.
OUT = os.path.join(ROOT, "runs", "equal-budget")
DOCS = os.path.join(ROOT, "docs", "equal-budget")


def method_of(name):
    """(flags on top of BASE, own ranges) of a protocol method or the any-shape preset's."""
    return {**METHODS, **ANY_METHODS}[name]


def swept_flags(method):
    """The dests a method's search draws, in the sequence's order."""
    return [sweep.split("=")[0].replace("-", "_") for sweep in SHARED + method_of(method)[1]]


def separates(rows):
    """Whether a search separated any run on the two-mode tuning target: without one, its best for
    mixtures would be chosen on w1 alone, among bridges and collapses."""
    return any(r["success"] == 1 for r in rows if r["target"] == "two-modes")


def one_best(rows, method):
    """Whether a method's best on the two-mode tuning target is its best over both tuning targets."""
    overall, mixtures = (selection(rows, method, targets)[0] for targets in SELECTIONS.values())
    return overall == mixtures


def mixture_rerun(rows, method):
    """Whether a method's best on the two-mode tuning target is rerun on its own (held-out-mixtures)."""
    return separates(rows) and not one_best(rows, method)


def study_folder(folder):
    """The one gan.py study in folder (a method's folder of one step), or None if there is none yet."""
    studies = [d for d in os.listdir(folder) if d.startswith("study_")] if os.path.isdir(folder) else []
    return os.path.join(folder, studies[0]) if len(studies) == 1 else None


def selection(rows, method, targets):
    """The method's configuration chosen by SCORE over its search's rows on targets: (its swept
    values in swept_flags' order, its summary)."""
    chosen = Summaries([r for r in rows if r["target"] in targets])
    (key, summary), *_ = ranked(chosen, swept_flags(method), SCORE)
    return key, summary
