"""Every flag of gan.py, declared once in FLAGS: its default, its help, its check (an argparse
type or choices), and its facts: whether a study may sweep it, whether it may differ between the
members of one population, whether it changes only where or how results are written (left out of
run names), why a study cannot take it. The lists the rest of the package reads derive from here.
The penalties' flags come from their declarations in gan1d/cures.py, --loss's choices from
gan.py's LOSSES. Nothing here imports TensorFlow."""

import argparse
import math
from typing import NamedTuple

from .cures import PENALTIES
from .presets import LEARNING_RATE_HELP, NAMED_TARGETS, PRESETS
from .samplers import SAMPLERS
from .shapes import SHAPES
from .shapes import check as shape_spec

EXIT_BAD_FLAG, EXIT_DIVERGED, EXIT_FAILED, EXIT_INTERRUPTED = 2, 3, 4, 130  # gan.py's exit statuses


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


def listed(item, allowed):
    """An argparse type: a comma list, each item converted and checked by item."""

    def parse(text):
        try:
            return [item(part) for part in text.split(",")]
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a comma list of {allowed}") from None

    return parse


def names_of(table):
    """An argparse type: a comma list of table's keys."""

    def parse(text):
        names = text.split(",")
        for name in names:
            if name not in table:
                raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(table)}")
        return names

    return parse


def one_or_listed(item, allowed):
    """An argparse type: one value as it is, or a comma list of them."""
    many = listed(item, allowed)

    def parse(text):
        values = many(text)
        return values[0] if len(values) == 1 else values

    return parse


finite_list = listed(finite, "finite numbers")
sigma_value = one_or_listed(positive, "finite numbers > 0")
positive_list = listed(positive, "finite numbers > 0")
seed_list = listed(count, "whole numbers >= 0")
preset_list, target_list, sampler_list = names_of(PRESETS), names_of(NAMED_TARGETS), names_of(SAMPLERS)

SCORES = {
    "success": "the success rate (accurate on one mode, separated on a mixture), then the median w1",
    "w1": "the median w1, then the success rate",
}
HANDED = "handed"  # choices handed to the parser when it is built (--loss: gan.py's LOSSES)


class Flag(NamedTuple):
    """One flag: its value stays None unless given, so that presets can tell what was given;
    default None means derived from other flags, as shown says."""

    option: str
    default: object
    help: str
    shown: object = None  # what the help says the default is, when it is derived
    sweep: bool = False  # --sweep may vary it
    per_member: bool = False  # a (N,) vector in a population's graph: members may differ in it
    output: bool = False  # where or how results are written, not the results: not in run names
    not_in_study: str = ""  # why a study cannot take it
    reads: bool = False  # how a trained run is read (its samplers): a study reads one population many ways
    kwargs: dict = {}  # argparse's: type, choices, action

    @property
    def dest(self):
        return self.option[2:].replace("-", "_")


def flag(option, default, text, shown=None, sweep=False, per_member=False, output=False, not_in_study="", reads=False, **kwargs):  # fmt: skip
    return Flag(option, default, text, shown, sweep, per_member, output, not_in_study, reads, kwargs)


BOOL = argparse.BooleanOptionalAction
SWEPT_NUMBER = {"sweep": True, "per_member": True}  # a hyperparameter each member of a population may have its own of
# fmt: off
FLAGS = (
    flag("--preset", ["2016"], "hyperparameters at once: 2016 or 2017 reference code, robust (one mode), modes (mixtures: a learned mixture latent, the equal-budget protocol's choice), any (data of unknown shape: six generators with a learned prior, normal noise, standardised; docs/any.md) or minibatch-modes (the modes preset before it); a comma list in a study", shown="2016; any with --data", output=True, type=preset_list),
    flag("--minibatch", False, "minibatch discrimination in D", action=BOOL),
    flag("--num-steps", 1200, "training steps", sweep=True, type=positive_int),
    flag("--batch-size", 12, "samples per batch (>= 2 with --minibatch)", sweep=True, type=positive_int),
    flag("--hidden-size", 4, "G's hidden units; D is twice as wide", sweep=True, type=positive_int),
    flag("--learning-rate", None, "initial learning rate", shown=LEARNING_RATE_HELP, **SWEPT_NUMBER, type=positive),
    flag("--decay-rate", 0.95, "learning-rate decay factor per --decay-steps (1 = none)", **SWEPT_NUMBER, type=decay),
    flag("--decay-steps", 150, "steps between learning-rate decays (staircase)", sweep=True, type=positive_int),
    flag("--optimizer", "sgd", "optimizer of D_pre, D and G", sweep=True, choices=["sgd", "adam"]),
    flag("--beta1", 0.9, "Adam's beta1", **SWEPT_NUMBER, type=fraction),
    flag("--beta2", 0.999, "Adam's beta2", **SWEPT_NUMBER, type=fraction),
    flag("--activation", "tanh", "D's hidden activation", sweep=True, choices=["tanh", "relu"]),
    flag("--loss", "logits", "D's and G's losses (docs/cures/losses.md)", sweep=True, choices=HANDED),
    flag("--clip", 0.0, "clip D's weights to [-C, C] after each update, the WGAN critic's constraint (0 = none; --loss wgan only)", **SWEPT_NUMBER, type=non_negative),
    flag("--pretrain-steps", 1000, "least-squares pretraining steps of D_pre (0 = none)", sweep=True, type=count),
    flag("--num-kernels", 5, "minibatch discrimination kernels", sweep=True, type=positive_int),
    flag("--kernel-dim", 3, "minibatch discrimination kernel dimension", sweep=True, type=positive_int),
    flag("--minibatch-group", None, "minibatch discrimination compares each sample with the others of its group of this size, which divides --batch-size", shown="--batch-size", sweep=True, type=positive_int),
    flag("--d-steps", 1, "D updates per G update, each on fresh data", sweep=True, type=positive_int),
    *(flag(f"--{name}", 0.0, penalty.help, **SWEPT_NUMBER, type=non_negative) for name, penalty in PENALTIES.items()),
    flag("--pack", 1, "D judges packs of this many samples, all real or all generated, as one input (PacGAN; divides --batch-size)", sweep=True, type=positive_int),
    flag("--unroll", 0, "G's update differentiates through this many unrolled updates of D (Unrolled GAN; 0 = none)", sweep=True, type=count),
    flag("--spectral-norm", False, "D's weight matrices divided by their largest singular value, estimated by one power iteration per D update", action=BOOL),
    flag("--instance-noise", 0.0, "std of Gaussian noise added to every input of D, real and generated, annealed linearly to 0 at the last step (0 = none)", **SWEPT_NUMBER, type=non_negative),
    flag("--g-learning-rate", None, "G's own initial learning rate, D keeping --learning-rate (two time scales)", shown="--learning-rate", **SWEPT_NUMBER, type=positive),
    flag("--g-input-scale", 1.0, "G's noise is multiplied by this before its first layer", **SWEPT_NUMBER, type=positive),
    flag("--d-input-scale", 1.0, "D's input is multiplied by this before its first layer", **SWEPT_NUMBER, type=positive),
    flag("--g-init", 1.0, "std of G's initial weights (--g-start random)", **SWEPT_NUMBER, type=positive),
    flag("--g-start", "random", "G's start: random, N(0, g-init^2) weights; spread, bends spread over the noise and the output bias at a real batch's mean", sweep=True, choices=["random", "spread"]),
    flag("--g-start-slope", 3.0, "weight of each hidden unit of G's spread start, on the scaled noise", sweep=True, type=positive),
    flag("--g-start-std", False, "the spread start's output weights rescaled so that G starts with a real batch's std", action=BOOL),
    flag("--d-init", 1.0, "std of D's initial weights (the minibatch layer keeps 0.02)", **SWEPT_NUMBER, type=positive),
    flag("--generators", 1, "G draws each sample from one of this many copies of the tutorial's generator, chosen by a categorical index (docs/jump.md)", sweep=True, type=positive_int),
    flag("--generator-prior", "learned", "the generators' prior: learned from the encoder's posterior on real data (DMWGAN), or equal (MGAN)", sweep=True, choices=["learned", "equal"]),
    flag("--classifier-weight", 1.0, "weight in G's loss of the encoder's cross-entropy on which generator or latent component drew each sample (MGAN's beta, DMWGAN's lambda)", **SWEPT_NUMBER, type=non_negative),
    flag("--classifier-anneal", False, "the classifier term's weight annealed linearly to 0 at the last step: the parts are kept apart while they find their modes, then free to close the seams between parts that share one (docs/any.md)", action=BOOL),
    flag("--latent", "uniform", "G's noise: as --noise draws it, or mixture, mu_c + sigma_c z for a component c, mu and sigma learned (DeLiGAN)", sweep=True, choices=["uniform", "mixture"]),
    flag("--latent-components", 6, "--latent mixture: its components", sweep=True, type=positive_int),
    flag("--latent-weights", "equal", "--latent mixture: the components' weights, equal (DeLiGAN) or learned as --generator-prior learned learns the generators'", sweep=True, choices=["equal", "learned"]),
    flag("--sigma-penalty", 0.1, "--latent mixture: weight of DeLiGAN's penalty sum_c (1 - sigma_c)^2 in G's loss", **SWEPT_NUMBER, type=non_negative),
    flag("--ema", 0.0, "decay of an exponential moving average of G's weights used for evaluation (0 = none)", **SWEPT_NUMBER, type=fraction),
    flag("--mu", [4.0], "mean of the data; a comma list for a mixture of modes, e.g. 2,6", sweep=True, type=finite_list),
    flag("--sigma", 0.5, "standard deviation of the data, of each mode; a comma list as long as --mu gives each mode its own", sweep=True, type=sigma_value),
    flag("--weights", None, "the modes' weights, a comma list as long as --mu", shown="equal", type=positive_list),
    flag("--shape", None, f"a target beyond mixtures of normals, a distribution of scipy.stats, NAME:PARAM=VALUE,...: {'; '.join(f'{k}, {v}' for k, v in SHAPES.items())}; e.g. gamma:a=2,loc=3,scale=0.5 (docs/shapes.md)", shown="none: the modes of --mu, --sigma, --weights", type=shape_spec),
    flag("--shift", 0.0, "the target moved by this (x -> stretch x + shift): a shifted copy of any target", type=finite),
    flag("--stretch", 1.0, "the target scaled by this about 0 before the shift; the w1 limits scale with it", type=positive),
    flag("--target", None, f"a classic data shape at once: {', '.join(NAMED_TARGETS)}; sets --mu, --sigma, --weights (or --shape, --stretch, --shift); a comma list in a study, which runs every configuration on each", type=target_list),
    flag("--data", None, "train on a column of your own numbers, PATH[:COLUMN]: .csv or .tsv (COLUMN by header name or 0-based index; none needed for one column), .txt (one number per line, # comments) or .npy (1-D, or 2-D with COLUMN); judged against its held-out part (docs/data.md)", shown="none: the target of --mu, --sigma, --weights or --target", type=str),
    flag("--held-out", 0.2, "--data: the share of the file held out from training, pretraining and the samplers, and judged against", type=fraction),
    flag("--split-seed", 0, "--data: the seed of the held-out split, the same for every seed of a study", type=count),
    flag("--held-out-size", None, "a synthetic target's held-out sample, drawn from the truth, that the truth-free metrics and verdict judge against", shown="1000", type=positive_int),
    flag("--standardise", False, "a synthetic target trained in standardised units (its mean and std), as --data always is; judged in its own", action=BOOL),
    flag("--noise", "uniform", "G's noise: the reference's stratified uniform, or the normal quantiles of the same stratified points", sweep=True, choices=["uniform", "normal"]),
    flag("--noise-range", 8.0, "G's noise is spread over [-range, range]; also the plotted range", sweep=True, type=positive),
    flag("--seed", 42, "seeds numpy and TensorFlow; a study's first seed", output=True, type=count),
    flag("--log-every", 10, "steps between log lines", type=positive_int),
    flag("--eval-every", None, "steps between evaluations", shown="--log-every; in a study only the end", type=positive_int),
    flag("--early-stop", 0.0, "stop once w1 <= this for --patience evaluations (0 = never); in a study, each seed on its own", type=non_negative),
    flag("--patience", 3, "evaluations for --early-stop", type=positive_int),
    flag("--keep-best", False, "end with the weights of the evaluation with the lowest w1", action=BOOL),
    flag("--sampler", ["plain"], f"how the trained G and D draw the final samples (docs/samplers.md): {'; '.join(f'{k}, {v.help}' for k, v in SAMPLERS.items())}; a comma list in a study, which reads each trained population with each", reads=True, type=sampler_list),
    flag("--drs-steps", 500, "DRS: D's fine-tuning steps on the logistic loss, G fixed, before rejection", reads=True, type=count),
    flag("--drs-gamma", 0.0, "DRS: the shift gamma of the acceptance function (higher keeps fewer)", reads=True, type=finite),
    flag("--mh-chain", 10, "MH: proposals from G per sample kept (the chain's length)", reads=True, type=positive_int),
    flag("--mh-calibration", 2000, "MH: held-out real and generated samples, each, that calibrate D", reads=True, type=positive_int),
    flag("--jbop-fraction", 0.1, "JBOP: the fraction of noise draws dropped, those of largest |G'(z)|", reads=True, type=fraction),
    flag("--dot-steps", 20, "DOT: gradient steps per sample", reads=True, type=count),
    flag("--dot-lr", 0.05, "DOT: the gradient steps' size", reads=True, type=positive),
    flag("--sampler-max-draws", 50, "rejection samplers (drs): at most this many samples drawn per sample kept; past it the likeliest rejected complete the samples", reads=True, type=positive_int),
    flag("--loop", "graph", "graph: many steps per session.run in a tf.while_loop; feed: the reference's two session.run per step (same numbers, slower)", output=True, choices=["graph", "feed"]),
    flag("--xla", None, "compile the training loop with XLA: faster after a few seconds of compiling; not bit-identical to --loop feed", shown="off; on in a study of --batch-size x --d-steps >= 256 and >= 1000 steps", action=BOOL),
    flag("--out-dir", "plots", "folder of the run folders", output=True, type=str),
    flag("--run-name", None, "run folder name", shown="the settings that differ from the defaults, and the seed", output=True, type=str),
    flag("--anim-path", None, "save the training animation here (.gif, or .mp4 with ffmpeg)", output=True, not_in_study="a study saves no animation", type=str),
    flag("--anim-every", 1, "steps per animation frame", output=True, type=positive_int),
    flag("--logdir", None, "also write TensorBoard summaries here", output=True, not_in_study="a study writes no TensorBoard events", type=str),
    flag("--export", False, "also write generator.npz and generator.json beside the run: its G, drawn from with NumPy alone (gan1d/export.py)", output=True, not_in_study="a study's members are in their population's weights.npz", action="store_true"),
    flag("--sample", None, "draw this many samples from a trained run's G without training (with --from), as .npy and .csv, judged against the run's reference; any --sampler, --seed fixes the draws (docs/run-folder.md)", shown="none: train", output=True, not_in_study="it draws from one trained run", type=positive_int),
    flag("--from", None, "--sample: the run folder, or a study's population folder with --member", shown="none", output=True, not_in_study="it draws from one trained run", type=str),
    flag("--member", None, "--sample --from a population: the member, 0-based (results.csv's member column)", shown="none", output=True, not_in_study="it draws from one trained run", type=count),
    flag("--checkpoint-every", 0, "steps between checkpoints in the run folder (0 = only when interrupted)", output=True, type=count),
    flag("--resume", False, "continue the run from its folder's last checkpoint", output=True, action="store_true"),
    flag("--overwrite", False, "start again a run whose folder holds an unfinished run", output=True, action="store_true"),
    flag("--seeds", 0, "a study: this many seeds from --seed (0 = one run)", output=True, type=count),
    flag("--compare", False, "a study with and without minibatch discrimination", output=True, action="store_true"),
    flag("--sweep", [], "a study over values of a flag, FLAG=V1,V2,... (a grid), or with --search a range FLAG=LOW:HIGH, FLAG=LOW:HIGH:log; repeatable", output=True, action="append"),
    flag("--search", 0, "a random search: this many configurations drawn over the sweeps' ranges and lists by a scrambled quasi-random sequence seeded with --seed (0 = the grid)", output=True, type=count),
    flag("--score", "success", f"what ranks a study's configurations: {'; '.join(f'{k}, {v}' for k, v in SCORES.items())}", output=True, choices=list(SCORES)),
    flag("--plot-seeds", [], "a study also draws these seeds' figures from their saved weights", output=True, type=seed_list),
    flag("--jobs", None, "threads TensorFlow uses in a study", shown="the number of cores; on --workers, their share", output=True, type=positive_int),
    flag("--workers", 0, "a study's populations as tasks on a local Dask cluster of this many worker processes (0 = one after another in this process)", output=True, type=count),
    flag("--scheduler", None, "a study's populations as tasks on the Dask cluster whose scheduler is at this address, e.g. tcp://10.0.0.5:8786; its workers must see the study's folder (docs/cluster.md)", shown="none", output=True, type=str),
    flag("--quiet", False, "print only the verdict and the written paths", output=True, action="store_true"),
)
# fmt: on

# The lists the package reads, each derived from the declarations above.
SWEEPABLE = tuple(f.dest for f in FLAGS if f.sweep)  # --sweep FLAG=...
PER_MEMBER = tuple(f.dest for f in FLAGS if f.per_member)  # differ between a population's members
OUTPUT_FLAGS = frozenset(f.dest for f in FLAGS if f.output)  # left out of run names
READ_FLAGS = frozenset(f.dest for f in FLAGS if f.reads)  # a population's reading, not its training
NOT_IN_A_STUDY = {f.dest: f.not_in_study for f in FLAGS if f.not_in_study}
SAMPLE_FLAGS = frozenset(
    {"sample", "from", "member", "seed", "sampler", "out_dir", "quiet"} | READ_FLAGS
)  # what --sample takes
STUDY_ONLY = frozenset({"seeds", "compare", "sweep", "search", "plot_seeds", "workers", "scheduler"})  # not a run's
