"""A population's optimiser: the updates of the tutorial's `optimizer` (gan.py: tf.train's
GradientDescentOptimizer or AdamOptimizer with exponential_decay) with each member's own learning
rate, decay and Adam betas, since tf.train's optimisers take one scalar rate and a population's
members each have a rate of their own. tests/test_optim.py shows that the two agree step for step."""

from .lazy import tf

ADAM_EPSILON = 1e-8  # tf.train.AdamOptimizer's default


class MemberOptimizer:
    """Gradient descent or Adam with each member's own hyperparameters ((N,) tensors in hp), decayed
    as exponential_decay does (staircase), with its own step counter: the interface of gan.py's
    `Optimizer` (step, learning_rate(), minimize(loss, var_list))."""

    def __init__(self, name, hp, decay_steps, kind="sgd"):
        self.kind, self.hp, self.decay_steps = kind, hp, decay_steps
        self.step = tf.Variable(0, trainable=False, name=f"{name}_step", dtype=tf.int64)
        self._slots = {}
        if kind == "adam":
            self.powers = [tf.Variable(hp[b], trainable=False, name=f"{name}_{b}_power") for b in ("beta1", "beta2")]

    def learning_rate(self):
        """(N,) float32, with exponential_decay's own arithmetic."""
        p = tf.floor(tf.cast(self.step, tf.float32) / tf.cast(self.decay_steps, tf.float32))
        return self.hp["learning_rate"] * tf.pow(self.hp["decay_rate"], p)

    def minimize(self, objective, variables):
        """Updates variables (each (N, ...)) to lower objective (N,); then counts the step. Members are
        independent, so the gradient of the sum is each member's gradient of its own objective."""
        grads = tf.gradients(tf.reduce_sum(objective), variables)
        lr = member_column(self.learning_rate())
        if self.kind == "sgd":
            updates = [v.assign_sub(g * lr) for v, g in zip(variables, grads, strict=True)]
        else:
            updates = self.adam(variables, grads, lr)
        with tf.control_dependencies(updates):
            counted = [self.step.assign_add(1)]
            if self.kind == "adam":
                counted += [p.assign(p * self.hp[b]) for p, b in zip(self.powers, ("beta1", "beta2"), strict=True)]
            return tf.group(*counted)

    def slots(self, v):
        """Adam's two moment estimates of v, made once and outside any loop, as tf.train's slots are."""
        if v.op.name not in self._slots:
            with tf.init_scope():
                self._slots[v.op.name] = [
                    tf.Variable(tf.zeros(v.shape), trainable=False, name=f"{v.op.name.replace('/', '_')}_{slot}")
                    for slot in ("m", "v")
                ]
        return self._slots[v.op.name]

    def adam(self, variables, grads, lr):
        """TensorFlow's ApplyAdam, per member: alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t)."""
        beta1, beta2 = member_column(self.hp["beta1"]), member_column(self.hp["beta2"])
        b1_power, b2_power = (member_column(p) for p in self.powers)
        alpha = lr * tf.sqrt(1.0 - b2_power) / (1.0 - b1_power)
        updates = []
        for v, g in zip(variables, grads, strict=True):
            m, s = self.slots(v)
            m_new = m.assign_add((g - m) * (1.0 - beta1))
            s_new = s.assign_add((tf.square(g) - s) * (1.0 - beta2))
            updates.append(v.assign_sub((m_new * alpha) / (tf.sqrt(s_new) + ADAM_EPSILON)))
        return updates


def member_column(values):
    """(N,) -> (N, 1, 1): broadcasts over each member's (B, F) or (in, out)."""
    return tf.reshape(values, [-1, 1, 1])
