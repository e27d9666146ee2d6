"""A run's settings from the command line, resolved once into a frozen RunConfig: the parser that
gives one-line errors, how flags, presets and defaults combine, the defaults that derive from other
flags, and the checks between flags and of the paths to be written. All of this runs before
TensorFlow is imported."""

import argparse
import os
import re
import shutil
import sys
import tempfile
import types

from . import data, search
from .files import available_memory
from .flags import EXIT_BAD_FLAG, FLAGS, HANDED, NOT_IN_A_STUDY, NUMBER_TYPES, SAMPLE_FLAGS, STUDY_ONLY, SWEEPABLE
from .names import run_name
from .presets import DATA_PRESET, LEARNING_RATES, NAMED_TARGETS, PRESETS, PRESETS_MINIBATCH


class RunConfig(types.SimpleNamespace):
    """A run's settings, resolved once and frozen: a changed copy is made with replace(), and a
    study's runs are resolved from their own flags (in_study=True), never by changing one."""

    def __setattr__(self, name, value):
        raise AttributeError(f"a run's settings are frozen: make a changed copy with replace({name}=...)")

    def __delattr__(self, name):
        raise AttributeError("a run's settings are frozen")

    def replace(self, **changes):
        unknown = set(changes) - set(vars(self))
        if unknown:
            raise AttributeError(f"no setting {', '.join(sorted(unknown))}")
        return RunConfig(**{**vars(self), **changes})


class FlagParser(argparse.ArgumentParser):
    """argparse with one-line errors, every flag of FLAGS declared with its default in the help
    text, and parse() resolving defaults, presets and explicit flags into a RunConfig."""

    def __init__(self, description, losses):
        super().__init__(prog="gan.py", description=description, allow_abbrev=False)  # a flag's prefix is no flag
        self.defaults = {}
        for f in FLAGS:
            kwargs, text = dict(f.kwargs), f.help
            if kwargs.get("choices") == HANDED:  # --loss: gan.py's LOSSES, each with its help
                kwargs["choices"] = list(losses)
                text += ": " + "; ".join(f"{name}: {about}" for name, about in losses.items())
            self.add(f.option, f.default, text, f.shown, **kwargs)

    def error(self, message):
        """One line, no usage block: the flag, the value and what is allowed."""
        self.exit(EXIT_BAD_FLAG, f"{self.prog}: error: {message}\n")

    def negative_lists(self, argv):
        """argv with each value that starts with a minus sign and holds a comma, as in --mu -5.25,-1.75,
        joined to its flag (--mu=-5.25,-1.75): argparse would take it for a flag of its own."""
        joined, i = [], 0
        while i < len(argv):
            action = self._option_string_actions.get(argv[i])
            takes_value = action is not None and action.nargs is None
            if takes_value and i + 1 < len(argv) and re.fullmatch(r"-[\d.][^=]*,.*", argv[i + 1]):
                joined.append(f"{argv[i]}={argv[i + 1]}")
                i += 2
            else:
                joined.append(argv[i])
                i += 1
        return joined

    def add(self, option, default, text, shown=None, **kwargs):
        if shown is None:
            shown = ",".join(map(str, default)) or "none" if isinstance(default, list) else default
        action = self.add_argument(option, default=None, help=f"{text} (default: {shown})", **kwargs)
        self.defaults[action.dest] = default

    def parse(self, argv=None):
        raw = self.parse_args(self.negative_lists(sys.argv[1:] if argv is None else list(argv)))
        given = {k: v for k, v in vars(raw).items() if v is not None}
        for flag in ("preset", "target"):
            names = getattr(raw, flag)
            if not raw.seeds and names is not None and len(names) > 1:
                self.error(
                    f"argument --{flag}: {','.join(names)!r} names several {flag}s, which only a study (--seeds) runs"
                )
        if "sweep" in given:
            given["sweep"] = self.parse_sweeps(given["sweep"])
        try:
            args = self.settings(given)
        except data.DataError as error:  # the file is read and checked here, before TensorFlow loads
            self.error(str(error))
        problem = check_combinations(args)
        if problem:
            self.error(problem)
        return args

    def settings(self, given, in_study=False):
        """A run's settings from the flags given, {dest: value}: the 2016 defaults, then the preset's,
        then the given ones; `given` lists the flags given (they name the run). in_study: a run of
        a study, which is quiet and is named with its minibatch setting."""
        values = resolve(given, self.defaults, in_study)
        if in_study or (values["run_name"] is None and not values["seeds"]):
            values["run_name"] = run_name(set(given) | ({"minibatch"} if in_study else set()), values)
        return RunConfig(**values, given=sorted(given))

    def from_config(self, config, where):
        """A run's frozen settings read back from what config.json (or a population's record of a
        member) holds, {dest: value}: every key a flag's (or given, in_study, data_record, versions),
        every value one its flag accepts, the combination one the command line accepts. where: the
        file, for the error, a ValueError of one line."""
        extra = {"given", "in_study", "data_record", "versions"}
        unknown = sorted(set(config) - set(self.defaults) - extra)
        if unknown:
            raise ValueError(f"{where} names flags that do not exist: {', '.join(unknown)}")
        values = {**self.defaults, **{k: v for k, v in config.items() if k in self.defaults}}
        for dest, value in values.items():
            if not self.accepts(dest, value):
                raise ValueError(f"{where}: {dest} = {value!r} is not a value --{dest.replace('_', '-')} takes")
        given = config.get("given", [])
        if not isinstance(given, list) or not set(given) <= set(self.defaults):
            raise ValueError(f"{where}: given is not a list of flags")
        args = RunConfig(**values, given=given, in_study=False, data_record=None)
        try:
            record = data.loaded(args.data, args.held_out, args.split_seed).record() if args.data else None
        except data.DataError as error:
            raise ValueError(f"{where}: {error}") from None
        problem = check_combinations(args.replace(data_record=record))
        if problem:
            raise ValueError(f"{where} holds settings no run could have: {problem}")
        return args.replace(data_record=record)

    def accepts(self, dest, value):
        """Whether the flag dest takes value, as the command line would have made it."""
        action = self._option_string_actions["--" + dest.replace("_", "-")]
        if value is None:
            return self.defaults[dest] is None
        if action.nargs == 0:  # a switch
            return isinstance(value, bool)
        if isinstance(value, list) and not value:  # --sweep, --plot-seeds: none
            return self.defaults[dest] == []
        if isinstance(value, bool) or not isinstance(value, (int, float, str, list)):
            return False
        text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        try:
            converted = (action.type or str)(text)
        except (argparse.ArgumentTypeError, ValueError, TypeError):
            return False
        return converted == value and (not action.choices or converted in action.choices)

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


def resolve(given, defaults, in_study=False):
    """Flag values: the 2016 defaults, then the preset's and the target's, then the flags given;
    then the defaults that derive from other flags. A study's run (in_study) is quiet and has none
    of the study's own flags."""
    presets = given.get("preset", [DATA_PRESET] if given.get("data") else defaults["preset"])
    preset = presets[0]
    values = {**defaults, **PRESETS[preset], **NAMED_TARGETS.get((given.get("target") or [None])[0], {})}
    if given.get("minibatch"):
        values.update(PRESETS_MINIBATCH.get(preset, {}))
    values.update(given)
    values["preset"] = presets
    values["in_study"] = in_study
    if in_study:
        values.update({k: defaults[k] for k in STUDY_ONLY}, quiet=True)
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
    # the file's hash, column, split and units, as config.json and a study's reuse keep them
    values["data_record"] = data.loaded(values["data"], values["held_out"], values["split_seed"]).record() if values["data"] else None  # fmt: skip
    if values["g_learning_rate"] is None:  # one time scale: G's rate is D's
        values["g_learning_rate"] = values["learning_rate"]
    return values


def in_a_study(values):
    """A study (--seeds N) or one of its runs."""
    return values["in_study"] or bool(values["seeds"])


# A study compiles its populations with XLA by default where that pays (docs/speed.md: compiling
# costs 5-10 s; at batch 256 with 5 D updates it saves 9 ms a step for 20 members, at batch 12 nothing).
XLA_MIN_UPDATE_BATCH, XLA_MIN_STEPS = 256, 1000  # batch_size x d_steps, num_steps


def compiles(values):
    """Whether a run compiles its loop when --xla/--no-xla is not given: a study's large updates."""
    large = values["batch_size"] * values["d_steps"] >= XLA_MIN_UPDATE_BATCH
    return in_a_study(values) and large and values["num_steps"] >= XLA_MIN_STEPS and values["loop"] == "graph"


def study_end_only(values):
    return in_a_study(values) and not (values["early_stop"] or values["keep_best"])


TARGET_FLAGS = frozenset(
    {"mu", "sigma", "weights", "target", "standardise", "shape", "shift", "stretch"}
)  # a synthetic target's


def check_combinations(args):
    """Checks between flags, and of the paths to be written; returns the problem or None."""
    if args.sample is not None or {"from", "member"} & set(args.given):
        return check_sample(args)
    if (args.compare or args.minibatch) and args.batch_size < 2:
        return f"argument --batch-size: {args.batch_size} is too small for minibatch discrimination, which needs >= 2"
    if args.data and set(args.given) & TARGET_FLAGS:
        named = ", ".join(f"--{f.replace('_', '-')}" for f in sorted(set(args.given) & TARGET_FLAGS))
        return f"argument --data: trains on the file, not on a target: leave out {named}"
    if args.shape and set(args.given) & {"mu", "sigma", "weights"}:
        named = ", ".join(f"--{f}" for f in sorted(set(args.given) & {"mu", "sigma", "weights"}))
        return f"argument --shape: a distribution of its own, not modes: leave out {named}"
    if args.held_out_size is not None and args.data:
        return "argument --held-out-size: a synthetic target's; --data holds out --held-out's share of the file"
    if args.weights is not None and len(args.weights) != len(args.mu):
        return f"argument --weights: {len(args.weights)} weights for {len(args.mu)} modes (--mu)"
    if isinstance(args.sigma, list) and len(args.sigma) != len(args.mu):
        return f"argument --sigma: {len(args.sigma)} sigmas for {len(args.mu)} modes (--mu); give one, or one per mode"
    if args.generators > 1 and args.latent == "mixture":
        return "arguments --generators and --latent mixture: choose one, several generators or one fed a mixture"
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
    if len(args.sampler) > 1 and not args.seeds:
        return "argument --sampler: a run is judged on one sampler; a comma list reads a study's populations: add --seeds N"
    if len(set(args.sampler)) < len(args.sampler):
        return f"argument --sampler: {','.join(args.sampler)} names a sampler twice"
    if args.plot_seeds and not args.seeds:
        return "argument --plot-seeds: draws seeds of a study: add --seeds N"
    outside = [s for s in args.plot_seeds if not args.seed <= s < args.seed + args.seeds]
    if outside:
        last = args.seed + args.seeds - 1
        return f"argument --plot-seeds: {','.join(map(str, outside))} not among the study's seeds {args.seed}-{last}"
    for dest, why in NOT_IN_A_STUDY.items():
        if args.seeds and getattr(args, dest):
            return f"argument --{dest.replace('_', '-')}: {why} (--seeds); run single seeds for it"
    for dest in ("workers", "scheduler"):
        if getattr(args, dest) and not args.seeds:
            return f"argument --{dest}: runs a study's populations as tasks: add --seeds N"
    if args.workers and args.scheduler:
        return "arguments --workers and --scheduler: choose one, a local cluster or an existing one"
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


def check_sample(args):
    """--sample's checks: what it draws from, that nothing would change the trained model, that the
    samples fit in memory, and where they are written."""
    if args.sample is None:
        flag = "--from" if "from" in args.given else "--member"
        return f"argument {flag}: names the run --sample draws from: add --sample N"
    if getattr(args, "from") is None:
        return "argument --sample: draws from a trained run: add --from RUN_DIR"
    training = sorted(set(args.given) - SAMPLE_FLAGS)
    if training:
        named = ", ".join(f"--{f.replace('_', '-')}" for f in training)
        return f"argument --sample: draws from the run as it was trained, which {named} would change: leave them out"
    if len(args.sampler) > 1:
        return f"argument --sampler: --sample draws with one sampler, not {','.join(args.sampler)}"
    fits = int(available_memory() * SAMPLE_MEMORY_SHARE // sample_bytes(args))
    if args.sample > fits:
        need = args.sample * sample_bytes(args) / 1e9
        return (
            f"argument --sample: {args.sample:,} samples need about {need:,.1f} GB here; at most {fits:,} fit in memory"
        )
    problem = "out_dir" in args.given and unwritable(args.out_dir)
    return f"argument --out-dir: {args.out_dir!r} {problem}" if problem else None


SAMPLE_MEMORY_SHARE = 0.5  # of the memory available now, what --sample's arrays may take


def sample_bytes(args):
    """Bytes --sample holds per sample at its peak: noise, uniforms, outputs, G's hidden layer and
    the .csv's text, and what its sampler keeps (candidates, chains, rounds)."""
    sampler = args.sampler[0]
    extra = {"mh": 48 * args.mh_chain, "jbop": 96 / (1 - args.jbop_fraction), "drs": 400, "dot": 96}
    return 256 + extra.get(sampler, 0)


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
