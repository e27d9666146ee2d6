"""gan1d.optim: a population's optimiser equals the tutorial's (gan.optimizer, tf.train's), member by
member, step for step."""

import numpy as np
import pytest
from conftest import gan, tf

from gan1d.optim import MemberOptimizer

STEPS, DECAY_STEPS = 300, 40
MEMBERS = [  # each member's own hyperparameters
    {"learning_rate": 0.03, "decay_rate": 0.9, "beta1": 0.9, "beta2": 0.999},
    {"learning_rate": 0.002, "decay_rate": 0.5, "beta1": 0.5, "beta2": 0.99},
]


def trajectories(kind, gradients, start):
    """The weights after every step: the members through MemberOptimizer, and each member alone
    through the tutorial's optimiser (tf.train's), both fed the same gradients."""
    n = len(MEMBERS)
    with tf.Graph().as_default():
        g = tf.placeholder(tf.float32, (n, 3, 2))
        v = tf.Variable(start, dtype=tf.float32)  # (N, 3, 2)
        hp = {k: tf.constant([m[k] for m in MEMBERS], tf.float32) for k in MEMBERS[0]}
        population = MemberOptimizer("pop", hp, DECAY_STEPS, kind).minimize(tf.reduce_sum(v * g, [1, 2]), [v])
        singles, us = [], []
        for i, member in enumerate(MEMBERS):
            u = tf.Variable(start[i], dtype=tf.float32)
            singles.append(
                gan.optimizer(f"single{i}", member, DECAY_STEPS, kind).minimize(tf.reduce_sum(u * g[i]), [u])
            )
            us.append(u)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            got, want = [], []
            for grad in gradients:
                session.run([population, *singles], {g: grad})
                got.append(session.run(v))
                want.append(np.stack(session.run(us)))
    return np.array(got), np.array(want)


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_a_populations_optimiser_equals_tf_trains_with_exponential_decay(kind):
    rng = np.random.RandomState(0)
    gradients = rng.normal(size=(STEPS, len(MEMBERS), 3, 2)).astype(np.float32)
    start = rng.normal(size=(len(MEMBERS), 3, 2)).astype(np.float32)
    got, want = trajectories(kind, gradients, start)
    assert not np.allclose(got[-1], start, atol=1e-3)  # the weights did move
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-7)  # float32 rounding, every step
