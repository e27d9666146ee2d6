import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import gan  # noqa: E402
from gan1d import study  # noqa: E402
from gan1d.metrics import EvalGrid  # noqa: E402
from gan1d.sources import reference_of  # noqa: E402
from gan1d.target import Target  # noqa: E402

N_4_05 = Target([4.0], 0.5)  # the tutorial's data, N(4, 0.5)

tf = gan.tf


def make_args(*flags, out_dir=None):
    """Settings as the command line would resolve them, quiet, writing under out_dir."""
    argv = list(flags) + ["--quiet"]
    if out_dir is not None:
        argv += ["--out-dir", str(out_dir)]
    return gan.parse_args(argv)


def run_study(args, stop_event=None):
    """A study as `python gan.py --seeds N ...` runs it."""
    return study.run_study(args, gan.flag_parser().settings, gan.TUTORIAL, stop_event)


def grid_of(args):
    """The evaluation grid of a run with these settings."""
    return EvalGrid(reference_of(args), args.noise_range, args.minibatch_group)


def build(args, seed=1):
    """A GAN in a fresh graph with an initialised session."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        model = gan.GAN(args)
        session = tf.Session(graph=graph, config=gan.runner.session_config())
        session.run(model.init)
    return graph, model, session


@pytest.fixture
def tiny(tmp_path):
    """Flags of a short default run writing into tmp_path."""

    def flags(*extra):
        return make_args("--num-steps", "40", "--pretrain-steps", "20", "--log-every", "10", *extra, out_dir=tmp_path)

    return flags


def read(path):
    with open(path, "rb") as f:
        return f.read()


def approx_equal(a, b, tol):
    return np.all(np.abs(np.asarray(a) - np.asarray(b)) <= tol)


class StopAfter:
    """Stands in for a Ctrl-C: asks a run or a study to stop once it has been polled n times."""

    def __init__(self, n):
        self.n = n

    def is_set(self):
        self.n -= 1
        return self.n < 0
