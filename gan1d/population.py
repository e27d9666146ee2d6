"""A population: many seeds of one configuration trained together in one graph, every weight with a
leading member axis (w: (N, in, out), x: (N, B, 1), batched matmul). The model is the tutorial's
own `GAN` with members (`gan.py`), built along a `MemberAxis` (here) that it holds as a part; and
each member's initial weights exactly as a single run of its seed draws them.

Members are independent: each member's loss is the mean over its own batch, the objective is the
sum over members, so each member's gradient is its own loss's. Outcomes equal the single runs'
statistically, not bit for bit: a batched matmul rounds the last bit differently."""

import numpy as np

from .flags import PER_MEMBER
from .lazy import native_stderr_silenced, tf
from .optim import member_column


class MemberAxis:
    """The member axis a model is built along: one run (n None, no axis) or a population of n
    members (every weight and batch (N, ...)). The GAN holds one and asks it for its
    hyperparameters, their columns, its feeds stacked and its weights' values."""

    def __init__(self, args, members=None):
        self.members = members or [args]
        self.n = len(members) if members else None
        self.hp = self.hyperparameters(args)
        self.feeds = None  # the arrays a run's draws are written into, kept from one chunk to the next

    def hyperparameters(self, args):
        """{name: value}: the run's floats, or a population's (N,) constants, one value per member."""
        if self.n is None:
            return {name: getattr(args, name) for name in PER_MEMBER}
        with tf.name_scope("hyperparameters"):
            return {
                name: tf.constant([getattr(m, name) for m in self.members], tf.float32, name=name)
                for name in PER_MEMBER
            }

    def column(self, name):
        """A hyperparameter as it broadcasts over each member's (B, F) or (in, out): a float or (N, 1, 1)."""
        return self.hp[name] if self.n is None else member_column(self.hp[name])

    def uses(self, name):
        """Whether any member has the setting name on (> 0)."""
        return any(getattr(m, name) > 0 for m in self.members)

    def scales(self):
        """A population's per-member input scales, for its NetConfig."""
        return {} if self.n is None else {s: self.column(s) for s in ("g_input_scale", "d_input_scale")}

    @property
    def batch_axes(self):
        """What a mean over each member's batch runs over: everything, or a population's last two axes."""
        return None if self.n is None else [-2, -1]

    def stacked(self, per_member, axis):
        """Feeds per member, stacked on the member axis; a single run's one member as it is."""
        return per_member[0] if self.n is None else np.stack(per_member, axis)

    def feed_arrays(self, num_steps, d_steps, batch_size):
        """Float32 arrays for num_steps steps of draws, (T, k, N, B) twice and (T, N, B) (N = 1 for a
        single run): the first num_steps of arrays kept from one chunk to the next, grown for a longer
        one. Fresh memory of a population's size costs more to touch, page by page, than to fill."""
        if self.feeds is None or len(self.feeds[2]) < num_steps:
            self.feeds = empty_feeds(num_steps, d_steps, self.n or 1, batch_size)
        return tuple(a[:num_steps] for a in self.feeds)

    def fed(self, batches):
        """Batches with a member axis at -3 as the model is fed them: a single run's without it."""
        return batches if self.n else tuple(b[..., 0, :, :] for b in batches)

    def values(self, session, variables):
        """The variables' values with a leading member axis, (N, ...) each (a single run: N = 1)."""
        return [value if self.n else value[None] for value in session.run(variables)]

    def load(self, session, variables, values):
        for v, value in zip(variables, values, strict=True):
            v.load(value if self.n else value[0], session)


def empty_feeds(num_steps, d_steps, n, batch_size):
    """Float32 arrays for num_steps steps of n members' draws: x and zd (T, k, N, B), zg (T, N, B)."""
    x, zd = np.empty((2, num_steps, d_steps, n, batch_size), np.float32)  # two contiguous halves
    return x, zd, np.empty((num_steps, n, batch_size), np.float32)


def initial_values(model):
    """{variable: (N, ...) value}: each member's initial weights (and G's averages, copies of them)
    as `python gan.py --seed S` draws them. A population makes its networks' random ops in a single
    run's order, so each of its variables' op seed is the single run's (gan.GAN says why)."""
    members = model.axis.members
    variables = model.d_pre_params + model.g_params + model.d_params + model.q_params
    seeds = {}
    for v in variables:
        op = random_op(v.initial_value.op)
        if op is not None:
            seeds[v.op.name] = (v.shape.as_list()[1:], op.get_attr("seed2"))
    drawn = draw_normals(members, seeds)
    values = {}
    for v in variables:  # the others start as constants (zeros, a mixture's components), the same for every member
        name = v.op.name
        if name in drawn:
            stddev = np.array([init_stddev(name, m) for m in members], np.float32).reshape(-1, 1, 1)
            values[v] = drawn[name] * stddev + np.float32(0.0)  # random_normal: rnd * stddev + mean
    for v in model.g_params:
        if v.op.name in model.ema and v in values:
            values[model.ema[v.op.name]] = values[v]
    return values


def init_stddev(name, member):
    """The stddev a single run gives this variable: the minibatch layer's 0.02, else G's or D's init."""
    if "/minibatch/" in name:
        return 0.02
    return member.g_init if name.startswith("G/") else member.d_init


def random_op(op):
    """The RandomStandardNormal op an initial value is computed from, or None (zeros)."""
    pending, seen = [op], set()
    while pending:
        op = pending.pop()
        if op.type == "RandomStandardNormal":
            return op
        seen.add(op.name)
        pending += [i.op for i in op.inputs if i.op.name not in seen]
    return None


def draw_normals(members, seeds):
    """{variable name: (N, ...) float32}: TensorFlow's stateful standard normals for each member's
    (graph seed, op seed), as tf.random.normal draws them; (0, 0) becomes (0, 2**31 - 1) as in TF."""
    with tf.Graph().as_default():
        ops = {}
        for name, (shape, seed2) in seeds.items():
            draws = []
            for m in members:
                pair = (m.seed, seed2) if (m.seed, seed2) != (0, 0) else (0, 2**31 - 1)
                draws.append(
                    tf.raw_ops.RandomStandardNormal(shape=shape, dtype=tf.float32, seed=pair[0], seed2=pair[1])
                )
            ops[name] = tf.stack(draws)
        with native_stderr_silenced():  # TensorFlow's native start-up lines would cross a study's progress bar
            session = tf.Session()
        with session:
            return session.run(ops)
