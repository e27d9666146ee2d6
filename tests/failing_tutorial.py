"""The tutorial with a training loop that raises for populations of --d-steps 2: what a worker
that fails looks like to a study on a cluster (tests/test_cluster.py)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import gan  # noqa: E402
from gan1d.runner import Tutorial  # noqa: E402


def train(session, model, monitor):
    if model.args.d_steps == 2:
        raise RuntimeError("this population's loop fails on purpose")
    return gan.train(session, model, monitor)


TUTORIAL = Tutorial(gan.GAN, train, __file__)
