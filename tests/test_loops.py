"""gan1d.loops: the in-graph loop runs its steps in order, each reading what the previous wrote."""

import numpy as np
from conftest import tf

from gan1d.loops import in_graph_loop


def test_the_in_graph_loop_runs_each_step_on_the_previous_steps_state():
    """x <- 0.5 x + i, then the output 2 x, for i < 6: a step that read a stale x would differ."""
    with tf.Graph().as_default(), tf.Session() as session:
        x = tf.Variable(1.0)

        def step(i):
            update = x.assign(0.5 * x + tf.cast(i, tf.float32))
            with tf.control_dependencies([update]):
                return (2.0 * tf.identity(x),)

        (outputs,) = in_graph_loop(step, tf.constant(6), 1)
        session.run(tf.global_variables_initializer())
        got = session.run(outputs)
    value, want = 1.0, []
    for i in range(6):
        value = 0.5 * value + i
        want.append(2 * value)
    np.testing.assert_allclose(got, want, rtol=1e-6)
