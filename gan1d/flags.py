"""Flags: the parser that gives one-line errors, value checks, presets, how flags, presets and
defaults combine, run names, and the checks between flags and of the paths to be written.
Every flag of gan.py is declared here, in flag_parser(); all of this runs before TensorFlow is imported."""

import argparse
import math
import os
import shutil
import tempfile

from . import search
from .presets import LEARNING_RATE_HELP, LEARNING_RATES, PRESETS, PRESETS_MINIBATCH, TARGETS

EXIT_BAD_FLAG, EXIT_DIVERGED, EXIT_INTERRUPTED = 2, 3, 130  # gan.py's exit statuses

# Flags that change where or how results are written, not the results: left out of run names.
OUTPUT_FLAGS = {
    "out_dir",
    "run_name",
    "anim_path",
    "anim_every",
    "logdir",
    "jobs",
    "resume",
    "overwrite",
    "checkpoint_every",
    "quiet",
    "seed",
    "preset",
    "seeds",
    "compare",
    "loop",
    "sweep",
    "search",
    "score",
    "plot_seeds",
}


def checked(kind, test, allowed):
    """An argparse type: converts with kind, then requires test(value); the error says what is allowed."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}") from None
        if not test(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}")
        return value

    return parse


positive_int = checked(int, lambda v: v >= 1, "a whole number >= 1")
count = checked(int, lambda v: v >= 0, "a whole number >= 0")
positive = checked(float, lambda v: math.isfinite(v) and v > 0, "a finite number > 0")
non_negative = checked(float, lambda v: math.isfinite(v) and v >= 0, "a finite number >= 0")
finite = checked(float, math.isfinite, "a finite number")
decay = checked(float, lambda v: 0 < v <= 1, "a number in (0, 1]")
fraction = checked(float, lambda v: 0 <= v < 1, "a number in [0, 1)")
# The flag types a --sweep range LOW:HIGH may span, and whether each takes whole numbers.
NUMBER_TYPES = {
    positive_int: True,
    count: True,
    positive: False,
    non_negative: False,
    finite: False,
    decay: False,
    fraction: False,
}


# Flags a study can sweep (--sweep FLAG=V1,V2,...): per-member scalars share a population, the others get one each.
SWEEPABLE = (
    "learning_rate", "g_learning_rate", "decay_rate", "decay_steps", "r1", "r2", "gp", "dragan", "instance_noise", "clip", "g_init", "d_init", "g_input_scale", "d_input_scale",
    "ema", "beta1", "beta2", "batch_size", "hidden_size", "num_steps", "d_steps", "pretrain_steps",
    "num_kernels", "kernel_dim", "minibatch_group", "pack", "unroll", "g_start", "g_start_slope", "optimizer", "activation", "loss",
    "mu", "sigma", "noise", "noise_range",
)  # fmt: skip
# Settings that may differ between the members of one population: each is a (N,) vector in the graph.
PER_MEMBER = (
    "learning_rate", "g_learning_rate", "decay_rate", "r1", "r2", "gp", "dragan", "instance_noise", "clip", "g_init",
    "d_init", "g_input_scale", "d_input_scale", "ema", "beta1", "beta2",
)  # fmt: skip
LOSSES = ("logits", "clamp", "minimax", "ls", "hinge", "wgan")
# Single-run features a study of populations does not have, and why.
NOT_IN_A_STUDY = {
    "logdir": "a study writes no TensorBoard events",
    "anim_path": "a study saves no animation",
}

SCORES = {
    "success": "the success rate (accurate on one mode, separated on a mixture), then the median w1",
    "w1": "the median w1, then the success rate",
}


def listed(item, allowed):
    """An argparse type: a comma list, each item converted and checked by item."""

    def parse(text):
        try:
            return [item(part) for part in text.split(",")]
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a comma list of {allowed}") from None

    return parse


def seed_list(text):
    try:
        return [count(part) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma list of whole numbers >= 0") from None


finite_list = listed(finite, "finite numbers")
positive_list = listed(positive, "finite numbers > 0")


def names_of(table):
    """An argparse type: a comma list of table's keys."""

    def parse(text):
        names = text.split(",")
        for name in names:
            if name not in table:
                raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(table)}")
        return names

    return parse


preset_list, target_list = names_of(PRESETS), names_of(TARGETS)


class FlagParser(argparse.ArgumentParser):
    """argparse with one-line errors, flags declared with their default in the help text, and
    parse() resolving defaults, presets and explicit flags into the run's settings."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.defaults = {}

    def error(self, message):
        """One line, no usage block: the flag, the value and what is allowed."""
        self.exit(EXIT_BAD_FLAG, f"{self.prog}: error: {message}\n")

    def add(self, flag, default, text, shown=None, **kwargs):
        """A flag whose value stays None unless given, so that presets can tell what was given.
        default None: derived from other flags, as shown says."""
        if shown is None:
            shown = ",".join(map(str, default)) or "none" if isinstance(default, list) else default
        action = self.add_argument(flag, default=None, help=f"{text} (default: {shown})", **kwargs)
        self.defaults[action.dest] = default

    def parse(self, argv=None):
        raw = self.parse_args(argv)
        given = {k: v for k, v in vars(raw).items() if v is not None}
        for flag in ("preset", "target"):
            names = getattr(raw, flag)
            if not raw.seeds and names is not None and len(names) > 1:
                self.error(
                    f"argument --{flag}: {','.join(names)!r} names several {flag}s, which only a study (--seeds) runs"
                )
        if "sweep" in given:
            given["sweep"] = self.parse_sweeps(given["sweep"])
        args = self.settings(given)
        problem = check_combinations(args)
        if problem:
            self.error(problem)
        return args

    def settings(self, given):
        """A run's settings from the flags given, {dest: value}: the 2016 defaults, then the preset's,
        then the given ones; `given` lists the flags given (they name the run)."""
        values = resolve(given, self.defaults)
        if not values["seeds"]:
            values["run_name"] = values["run_name"] or run_name(set(given), values)
        return argparse.Namespace(**values, given=sorted(given))

    def parse_sweeps(self, texts):
        """--sweep FLAG=V1,V2,... or FLAG=LOW:HIGH[:log] (repeatable) -> [(dest, [values] or Range)],
        each value checked as FLAG checks it."""
        sweeps = []
        for text in texts or []:
            flag, _, values = text.partition("=")
            dest = flag.removeprefix("--").replace("-", "_")
            if dest not in SWEEPABLE or not values:
                allowed = ", ".join(d.replace("_", "-") for d in SWEEPABLE)
                self.error(f"argument --sweep: {text!r} is not FLAG=V1,V2,... with FLAG one of {allowed}")
            if dest in [d for d, _ in sweeps]:
                self.error(f"argument --sweep: {flag} is swept twice")
            action = self._option_string_actions["--" + dest.replace("_", "-")]
            sweeps.append((dest, self.sweep_values(flag, values, action)))
        return sweeps

    def sweep_values(self, flag, values, action):
        """A sweep's values: a Range for LOW:HIGH[:log], else the list, each checked as FLAG checks it."""
        convert = action.type or str
        if ":" in values:
            if action.choices or convert not in NUMBER_TYPES:
                self.error(f"argument --sweep: {flag} takes a list of values, not a range {values!r}")
            try:
                return search.parse_range(values, convert, whole=NUMBER_TYPES[convert])
            except (argparse.ArgumentTypeError, ValueError) as error:
                self.error(f"argument --sweep: {flag}: {error}")
        parsed = []
        for value in values.split(","):
            try:
                parsed.append(convert(value))
            except argparse.ArgumentTypeError as error:
                self.error(f"argument --sweep: {flag}: {error}")
            if action.choices and parsed[-1] not in action.choices:
                self.error(f"argument --sweep: {flag}: {value!r} is not one of {', '.join(action.choices)}")
        return parsed


def resolve(given, defaults):
    """Flag values: the 2016 defaults, then the preset's and the target's, then the flags given;
    then the defaults that derive from other flags."""
    preset = given.get("preset", defaults["preset"])[0]
    values = {**defaults, **PRESETS[preset], **TARGETS.get((given.get("target") or [None])[0], {})}
    if given.get("minibatch"):
        values.update(PRESETS_MINIBATCH.get(preset, {}))
    values.update(given)
    values["preset"] = given.get("preset", defaults["preset"])
    derived = {
        "learning_rate": LEARNING_RATES[values["optimizer"], bool(values["minibatch"])],
        # a study evaluates at the end only, unless it stops early or keeps the best
        "eval_every": values["num_steps"] if study_end_only(values) else values["log_every"],
        "minibatch_group": values["batch_size"] // values["pack"]
        if values["batch_size"] % values["pack"] == 0
        else values["batch_size"],
        "xla": compiles(values),
        "jobs": os.cpu_count() or 1,
    }
    for key, value in derived.items():
        if values[key] is None:
            values[key] = value
    if values["g_learning_rate"] is None:  # one time scale: G's rate is D's
        values["g_learning_rate"] = values["learning_rate"]
    return values


# A study compiles its populations with XLA by default where that pays (docs/speed.md: compiling
# costs 5-10 s; at batch 256 with 5 D updates it saves 9 ms a step for 20 members, at batch 12 nothing).
XLA_MIN_UPDATE_BATCH, XLA_MIN_STEPS = 256, 1000  # batch_size x d_steps, num_steps


def compiles(values):
    """Whether a run compiles its loop when --xla/--no-xla is not given: a study's large updates."""
    large = values["batch_size"] * values["d_steps"] >= XLA_MIN_UPDATE_BATCH
    return bool(values["seeds"]) and large and values["num_steps"] >= XLA_MIN_STEPS and values["loop"] == "graph"


def study_end_only(values):
    return bool(values["seeds"]) and not (values["early_stop"] or values["keep_best"])


def run_name(explicit, resolved, with_seed=True, skip=frozenset()):
    """The preset, each result-changing flag given, and the seed: e.g. 2016_minibatch_seed-42."""
    parts = [",".join(resolved["preset"])]
    for key in sorted(explicit - OUTPUT_FLAGS - set(skip)):
        value = resolved[key]
        flag = key.replace("_", "-")
        if isinstance(value, bool):
            parts.append(flag if value else f"no-{flag}")
        elif isinstance(value, list):
            parts.append(f"{flag}-{'+'.join(f'{v:g}' if isinstance(v, float) else str(v) for v in value)}")
        else:
            parts.append(f"{flag}-{value:g}" if isinstance(value, float) else f"{flag}-{value}")
    if with_seed:
        parts.append(f"seed-{resolved['seed']}")
    return "_".join(parts)


def check_combinations(args):
    """Checks between flags, and of the paths to be written; returns the problem or None."""
    if (args.compare or args.minibatch) and args.batch_size < 2:
        return f"argument --batch-size: {args.batch_size} is too small for minibatch discrimination, which needs >= 2"
    if args.weights is not None and len(args.weights) != len(args.mu):
        return f"argument --weights: {len(args.weights)} weights for {len(args.mu)} modes (--mu)"
    if args.clip and args.loss != "wgan":
        return f"argument --clip: clips a WGAN critic's weights; it needs --loss wgan, not --loss {args.loss}"
    if args.batch_size % args.pack:
        return f"argument --pack: {args.pack} does not divide --batch-size {args.batch_size}"
    if args.pack > 1 and args.pretrain_steps:
        return "argument --pack: pretraining fits D to the density of single samples, not packs: add --pretrain-steps 0"
    if (args.batch_size // args.pack) % args.minibatch_group:
        packs = f" / --pack {args.pack}" if args.pack > 1 else ""
        return (
            f"argument --minibatch-group: {args.minibatch_group} does not divide --batch-size {args.batch_size}{packs}"
        )
    if args.sweep and not args.seeds:
        return "argument --sweep: sweeps belong to a study: add --seeds N"
    if args.search and not args.sweep:
        return "argument --search: draws configurations from the sweeps: add --sweep FLAG=LOW:HIGH or FLAG=V1,V2,..."
    ranged = [dest for dest, spec in args.sweep if isinstance(spec, search.Range)]
    if ranged and not args.search:
        flag = ranged[0].replace("_", "-")
        return f"argument --sweep: {flag}'s range is drawn from by a random search: add --search N, or list values"
    if args.plot_seeds and not args.seeds:
        return "argument --plot-seeds: draws seeds of a study: add --seeds N"
    outside = [s for s in args.plot_seeds if not args.seed <= s < args.seed + args.seeds]
    if outside:
        last = args.seed + args.seeds - 1
        return f"argument --plot-seeds: {','.join(map(str, outside))} not among the study's seeds {args.seed}-{last}"
    for dest, why in NOT_IN_A_STUDY.items():
        if args.seeds and getattr(args, dest):
            return f"argument --{dest.replace('_', '-')}: {why} (--seeds); run single seeds for it"
    if args.seeds and args.loop == "feed":
        return "argument --loop: a study trains in the in-graph loop; --loop feed is for single runs"
    if args.anim_path:
        ext = os.path.splitext(args.anim_path)[1].lower()
        if ext not in (".gif", ".mp4"):
            return f"argument --anim-path: {args.anim_path!r} must end in .gif or .mp4"
        if ext == ".mp4" and shutil.which("ffmpeg") is None:
            return f"argument --anim-path: {args.anim_path!r} needs ffmpeg, which is not installed; use a .gif path"
    if args.run_name is not None and (
        os.sep in args.run_name or "/" in args.run_name or args.run_name in (".", "..", "")
    ):
        return f"argument --run-name: {args.run_name!r} must be a plain folder name, without a path separator"
    if args.unroll and args.loop == "feed":
        return "arguments --unroll and --loop feed: unrolling needs the step's D batch, which only the in-graph loop hands G"
    if args.xla and args.loop == "feed" and "xla" in args.given:
        return "argument --xla: compiles the in-graph loop, so it cannot go with --loop feed"
    if args.resume and args.overwrite:
        return "arguments --resume and --overwrite: choose one"
    for flag, path in [
        ("--out-dir", args.out_dir),
        ("--logdir", args.logdir),
        ("--anim-path", args.anim_path and os.path.dirname(args.anim_path) or None),
    ]:
        problem = path is not None and unwritable(path)
        if problem:
            return f"argument {flag}: {path!r} {problem}"
    return None


def unwritable(folder):
    """Why folder cannot be created or written, or None. Probes with a temporary file that it removes."""
    path = os.path.abspath(folder or ".")
    while not os.path.exists(path):
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        return f"cannot be created: {path} is a file"
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        return f"cannot be written: {error.strerror} in {path}"
    return None


def flag_parser(description):
    """Every flag of gan.py, declared once with its help text; description: gan.py's first line."""
    p = FlagParser(prog="gan.py", description=description)
    # fmt: off
    p.add("--preset", ["2016"], "hyperparameters at once: 2016 or 2017 reference code, robust, or modes (robust retuned for two modes, with minibatch discrimination); a comma list in a study", type=preset_list)
    p.add("--minibatch", False, "minibatch discrimination in D", action=argparse.BooleanOptionalAction)
    p.add("--num-steps", 1200, "training steps", type=positive_int)
    p.add("--batch-size", 12, "samples per batch (>= 2 with --minibatch)", type=positive_int)
    p.add("--hidden-size", 4, "G's hidden units; D is twice as wide", type=positive_int)
    p.add("--learning-rate", None, "initial learning rate", shown=LEARNING_RATE_HELP, type=positive)
    p.add("--decay-rate", 0.95, "learning-rate decay factor per --decay-steps (1 = none)", type=decay)
    p.add("--decay-steps", 150, "steps between learning-rate decays (staircase)", type=positive_int)
    p.add("--optimizer", "sgd", "optimizer of D_pre, D and G", choices=["sgd", "adam"])
    p.add("--beta1", 0.9, "Adam's beta1", type=fraction)
    p.add("--beta2", 0.999, "Adam's beta2", type=fraction)
    p.add("--activation", "tanh", "D's hidden activation", choices=["tanh", "relu"])
    p.add("--loss", "logits", "logits: the reference's non-saturating loss computed safely from D's logits; clamp: its 2017 form log(max(p, 1e-5)); minimax: G's saturating log(1 - D(G(z))); ls: least squares; hinge; wgan: a critic without the sigmoid (docs/cures/losses.md)", choices=list(LOSSES))
    p.add("--clip", 0.0, "clip D's weights to [-C, C] after each update, the WGAN critic's constraint (0 = none; --loss wgan only)", type=non_negative)
    p.add("--pretrain-steps", 1000, "least-squares pretraining steps of D_pre (0 = none)", type=count)
    p.add("--num-kernels", 5, "minibatch discrimination kernels", type=positive_int)
    p.add("--kernel-dim", 3, "minibatch discrimination kernel dimension", type=positive_int)
    p.add("--minibatch-group", None, "minibatch discrimination compares each sample with the others of its group of this size, which divides --batch-size", shown="--batch-size", type=positive_int)
    p.add("--d-steps", 1, "D updates per G update, each on fresh data", type=positive_int)
    p.add("--r1", 0.0, "R1 gradient penalty weight gamma on real data (0 = none)", type=non_negative)
    p.add("--r2", 0.0, "R2 gradient penalty weight gamma on generated data (0 = none)", type=non_negative)
    p.add("--pack", 1, "D judges packs of this many samples, all real or all generated, as one input (PacGAN; divides --batch-size)", type=positive_int)
    p.add("--unroll", 0, "G's update differentiates through this many unrolled updates of D (Unrolled GAN; 0 = none)", type=count)
    p.add("--spectral-norm", False, "D's weight matrices divided by their largest singular value, estimated by one power iteration per D update", action=argparse.BooleanOptionalAction)
    p.add("--gp", 0.0, "WGAN-GP penalty weight lambda: (|dD/dx| - 1)^2 at random interpolates of real and generated samples (0 = none)", type=non_negative)
    p.add("--dragan", 0.0, "DRAGAN penalty weight lambda: (|dD/dx| - 1)^2 around perturbed real data (0 = none)", type=non_negative)
    p.add("--instance-noise", 0.0, "std of Gaussian noise added to every input of D, real and generated, annealed linearly to 0 at the last step (0 = none)", type=non_negative)
    p.add("--g-learning-rate", None, "G's own initial learning rate, D keeping --learning-rate (two time scales)", shown="--learning-rate", type=positive)
    p.add("--g-input-scale", 1.0, "G's noise is multiplied by this before its first layer", type=positive)
    p.add("--d-input-scale", 1.0, "D's input is multiplied by this before its first layer", type=positive)
    p.add("--g-init", 1.0, "std of G's initial weights (--g-start random)", type=positive)
    p.add("--g-start", "random", "G's start: random, N(0, g-init^2) weights; spread, bends spread over the noise and the output bias at a real batch's mean", choices=["random", "spread"])
    p.add("--g-start-slope", 3.0, "weight of each hidden unit of G's spread start, on the scaled noise", type=positive)
    p.add("--g-start-std", False, "the spread start's output weights rescaled so that G starts with a real batch's std", action=argparse.BooleanOptionalAction)
    p.add("--d-init", 1.0, "std of D's initial weights (the minibatch layer keeps 0.02)", type=positive)
    p.add("--ema", 0.0, "decay of an exponential moving average of G's weights used for evaluation (0 = none)", type=fraction)
    p.add("--mu", [4.0], "mean of the data; a comma list for a mixture of modes, e.g. 2,6", type=finite_list)
    p.add("--sigma", 0.5, "standard deviation of the data (of each mode)", type=positive)
    p.add("--weights", None, "the modes' weights, a comma list as long as --mu", shown="equal", type=positive_list)
    p.add("--target", None, f"a classic data shape at once: {', '.join(TARGETS)}; sets --mu, --sigma, --weights; a comma list in a study, which runs every configuration on each", type=target_list)
    p.add("--noise", "uniform", "G's noise: the reference's stratified uniform, or the normal quantiles of the same stratified points", choices=["uniform", "normal"])
    p.add("--noise-range", 8.0, "G's noise is spread over [-range, range]; also the plotted range", type=positive)
    p.add("--seed", 42, "seeds numpy and TensorFlow; a study's first seed", type=count)
    p.add("--log-every", 10, "steps between log lines", type=positive_int)
    p.add("--eval-every", None, "steps between evaluations", shown="--log-every; in a study only the end", type=positive_int)
    p.add("--early-stop", 0.0, "stop once w1 <= this for --patience evaluations (0 = never); in a study, each seed on its own", type=non_negative)
    p.add("--patience", 3, "evaluations for --early-stop", type=positive_int)
    p.add("--keep-best", False, "end with the weights of the evaluation with the lowest w1", action=argparse.BooleanOptionalAction)
    p.add("--loop", "graph", "graph: many steps per session.run in a tf.while_loop; feed: the reference's two session.run per step (same numbers, slower)", choices=["graph", "feed"])
    p.add("--xla", None, "compile the training loop with XLA: faster after a few seconds of compiling; not bit-identical to --loop feed", shown="off; on in a study of --batch-size x --d-steps >= 256 and >= 1000 steps", action=argparse.BooleanOptionalAction)
    p.add("--out-dir", "plots", "folder of the run folders", type=str)
    p.add("--run-name", None, "run folder name", shown="the settings that differ from the defaults, and the seed", type=str)
    p.add("--anim-path", None, "save the training animation here (.gif, or .mp4 with ffmpeg)", type=str)
    p.add("--anim-every", 1, "steps per animation frame", type=positive_int)
    p.add("--logdir", None, "also write TensorBoard summaries here", type=str)
    p.add("--checkpoint-every", 0, "steps between checkpoints in the run folder (0 = only when interrupted)", type=count)
    p.add("--resume", False, "continue the run from its folder's last checkpoint", action="store_true")
    p.add("--overwrite", False, "start again a run whose folder holds an unfinished run", action="store_true")
    p.add("--seeds", 0, "a study: this many seeds from --seed (0 = one run)", type=count)
    p.add("--compare", False, "a study with and without minibatch discrimination", action="store_true")
    p.add("--sweep", [], "a study over values of a flag, FLAG=V1,V2,... (a grid), or with --search a range FLAG=LOW:HIGH, FLAG=LOW:HIGH:log; repeatable", action="append")
    p.add("--search", 0, "a random search: this many configurations drawn over the sweeps' ranges and lists by a scrambled quasi-random sequence seeded with --seed (0 = the grid)", type=count)
    p.add("--score", "success", f"what ranks a study's configurations: {'; '.join(f'{k}, {v}' for k, v in SCORES.items())}", choices=list(SCORES))
    p.add("--plot-seeds", [], "a study also draws these seeds' figures from their saved weights", type=seed_list)
    p.add("--jobs", None, "threads TensorFlow uses in a study", shown="the number of cores", type=positive_int)
    p.add("--quiet", False, "print only the verdict and the written paths", action="store_true")
    # fmt: on
    return p
