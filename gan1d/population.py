"""A population: many seeds of one configuration trained together in one graph, every weight with a
leading member axis (w: (N, in, out), x: (N, B, 1), batched matmul). The networks, losses, samplers
and the in-graph loop are the tutorial's own: `gan.py` hands its module in as `tutorial`. What is
here is what a population needs beyond them: each member's initial weights exactly as a single run
of its seed draws them, its own data and noise streams, and a learning rate and update per member
(TensorFlow's optimisers take one scalar rate).

Members are independent: each member's loss is the mean over its own batch, the objective is the
sum over members, so each member's gradient is its own loss's. Outcomes equal the single runs'
statistically, not bit for bit: a batched matmul rounds the last bit differently."""

import numpy as np

from . import files
from .lazy import tf
from .metrics import EVAL_POINTS
from .target import Target

# Settings that may differ between the members of one population: each is a (N,) vector in the graph.
PER_MEMBER = (
    "learning_rate", "decay_rate", "r1", "g_init", "d_init", "g_input_scale", "d_input_scale", "ema", "beta1", "beta2",
)  # fmt: skip
ADAM_EPSILON = 1e-8  # tf.train.AdamOptimizer's default


class MemberOptimizer:
    """Gradient descent or Adam with each member's own learning rate, decayed as
    tf.train.exponential_decay does (staircase), and its own step counter, as `gan.optimizer`."""

    def __init__(self, name, kind, hp, decay_steps):
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
        """Updates variables (each (N, ...)) to lower objective (N,); then counts the step."""
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


class Population:
    """The graph of N members: D_pre (if pretraining), G and D; the pretraining and training loops;
    G on the evaluation grid for every member; the copies and the saver."""

    def __init__(self, tutorial, args, members):
        self.t, self.args, self.n = tutorial, args, len(members)
        hp = {name: tf.constant([getattr(m, name) for m in members], tf.float32, name=name) for name in PER_MEMBER}
        self.hp, self.columns = hp, {name: member_column(values) for name, values in hp.items()}
        b, d_steps, a = args.batch_size, args.d_steps, args
        with tf.name_scope("train_loop"):
            self.loop_x = tf.placeholder(tf.float32, (None, d_steps, self.n, b, 1), "x")  # (T, d_steps, N, B, 1)
            self.loop_zd = tf.placeholder(tf.float32, (None, d_steps, self.n, b, 1), "z_d")
            self.loop_zg = tf.placeholder(tf.float32, (None, self.n, b, 1), "z_g")  # (T, N, B, 1)
        if a.pretrain_steps:
            self.discriminate(self.loop_x[0, 0], "D_pre")
        self.discriminate(self.loop_x[0, 0], "D", fake=self.generate(self.loop_zg[0]))
        self.d_params, self.g_params = tf.trainable_variables("D/"), tf.trainable_variables("G/")
        self.d_pre_params = tf.trainable_variables("D_pre/")
        with tf.name_scope("optimizers"):
            opt = lambda name: MemberOptimizer(name, a.optimizer, hp, a.decay_steps)  # noqa: E731
            self.d_opt, self.g_opt = opt("d"), opt("g")
            self.pre_opt = opt("pre") if a.pretrain_steps else None
        self.ema = self.ema_copies() if any(m.ema > 0 for m in members) else {}
        self.r1 = any(m.r1 > 0 for m in members)
        with tf.name_scope("train_loop"):
            steps = tf.shape(self.loop_zg)[0]
            x, zd, zg = self.loop_x, self.loop_zd, self.loop_zg
            body = lambda i: tutorial.alternate(self.d_update, self.g_update, x[i], zd[i], zg[i])  # noqa: E731
            self.loop_losses = tutorial.in_graph_loop(body, steps, 2)  # (T, N) each
        if a.pretrain_steps:
            self.build_pretraining(b)
        self.build_eval()
        self.init = tf.global_variables_initializer()
        self.saver = tf.train.Saver(max_to_keep=3)

    def discriminate(self, x, scope="D", fake=None):
        a = self.args
        mb = (a.num_kernels, a.kernel_dim, a.minibatch_group)

        def d(v):
            return self.t.discriminator(
                v, a.hidden_size, a.minibatch, a.activation, self.columns["d_input_scale"], 1.0, mb, self.n
            )

        with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
            return d(x) if fake is None else (d(x), d(fake))

    def generate(self, z, custom_getter=None):
        a = self.args
        with tf.variable_scope("G", reuse=tf.AUTO_REUSE, custom_getter=custom_getter):
            return self.t.generator(z, a.hidden_size, self.columns["g_input_scale"], 1.0, self.n)

    def ema_copies(self):
        with tf.variable_scope("G_ema"):
            return {
                v.op.name: tf.Variable(tf.zeros(v.shape), trainable=False, name=v.op.name.replace("/", "_"))
                for v in self.g_params
            }

    def d_update(self, x, z):
        l_real, l_fake = self.discriminate(x, fake=self.generate(z))
        loss = self.t.d_loss_fn(l_real, l_fake, self.args.loss, axis=[1, 2])  # (N,)
        objective = loss + self.t.r1_penalty(l_real, x, self.hp["r1"], axis=[1, 2]) if self.r1 else loss
        return loss, self.d_opt.minimize(objective, self.d_params)

    def g_update(self, z):
        loss = self.t.g_loss_fn(self.discriminate(self.generate(z)), self.args.loss, axis=[1, 2])
        update = self.g_opt.minimize(loss, self.g_params)
        if not self.ema:
            return loss, update
        decay = self.columns["ema"]
        with tf.control_dependencies([update]):
            averaged = [s.assign(decay * s + (1 - decay) * v) for v in self.g_params for s in [self.ema[v.op.name]]]
        return loss, tf.group(*averaged)

    def build_pretraining(self, b):
        with tf.name_scope("pretrain_loop"):
            self.loop_pre_d = tf.placeholder(tf.float32, (None, self.n, b, 1), "d")  # (T, N, B, 1)
            self.loop_pre_labels = tf.placeholder(tf.float32, (None, self.n, b, 1), "labels")

            def step(i):
                fit = tf.sigmoid(self.discriminate(self.loop_pre_d[i], "D_pre"))
                loss = tf.reduce_mean(tf.square(fit - self.loop_pre_labels[i]), axis=[1, 2])
                with tf.control_dependencies([self.pre_opt.minimize(loss, self.d_pre_params)]):
                    return (tf.identity(loss),)

            self.loop_pre_loss = self.t.in_graph_loop(step, tf.shape(self.loop_pre_d)[0], 1)
        pairs = zip(self.d_params, self.d_pre_params, strict=True)
        self.copy_pretrained = tf.group(*[d.assign(p) for d, p in pairs], name="copy_pretrained")

    def build_eval(self):
        def ema_getter(getter, name, *args, **kwargs):
            return self.ema[name] if name in self.ema else getter(name, *args, **kwargs)

        with tf.name_scope("eval"):
            self.eval_z = tf.placeholder(tf.float32, (None, 1), "z")
            self.eval_G = self.generate(self.eval_z[None], ema_getter if self.ema else None)[..., 0]  # (N, n)

    def initial_values(self, members, single_graph_seeds):
        """{variable: (N, ...) value}: each member's initial weights as `python gan.py --seed S` draws
        them; single_graph_seeds maps a variable's name to its op seed in a single run's graph."""
        values = {}
        drawn = draw_normals(members, single_graph_seeds)
        for v in self.d_pre_params + self.g_params + self.d_params:
            name = v.op.name
            if name in drawn:
                stddev = np.array([init_stddev(name, m) for m in members], np.float32).reshape(-1, 1, 1)
                values[v] = drawn[name] * stddev + np.float32(0.0)  # random_normal: rnd * stddev + mean
            else:
                values[v] = np.zeros(v.shape, np.float32)
        for v in self.g_params:
            if v.op.name in self.ema:
                values[self.ema[v.op.name]] = values[v]
        return values


def init_stddev(name, member):
    """The stddev a single run gives this variable: the minibatch layer's 0.02, else G's or D's init."""
    if "/minibatch/" in name:
        return 0.02
    return member.g_init if name.startswith("G/") else member.d_init


def single_graph_seeds(tutorial, single_args):
    """{variable name: (shape, op seed)} of the randomly initialised variables of a single run's graph."""
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        model = tutorial.GAN(single_args)
        seeds = {}
        for v in model.d_pre_params + model.g_params + model.d_params:
            op = random_op(v.initial_value.op)
            if op is not None:
                seeds[v.op.name] = (v.shape.as_list(), op.get_attr("seed2"))
    return seeds


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
        with tf.Session() as session:
            return session.run(ops)


class Streams:
    """Each member's own numpy stream, drawn in the order of a single run of its seed: pretraining
    inputs first, then per step a data and a noise batch for each D update and a noise batch for G."""

    def __init__(self, tutorial, members):
        self.t, self.members = tutorial, members
        self.rngs = [np.random.RandomState(m.seed) for m in members]
        self.samplers = [
            (tutorial.DataDistribution(Target.of(m), rng), tutorial.GeneratorDistribution(m.noise_range, rng))
            for m, rng in zip(members, self.rngs, strict=True)
        ]

    def pretraining(self, num_steps, batch_size):
        """(T, N, B, 1) inputs and targets."""
        drawn = [
            self.t.pretrain_data(rng, num_steps, batch_size, Target.of(m))
            for m, rng in zip(self.members, self.rngs, strict=True)
        ]
        return [np.stack([d[part] for d in drawn], axis=1)[..., None] for part in (0, 1)]

    def steps(self, num_steps, batch_size, d_steps):
        """(T, d_steps, N, B, 1), (T, d_steps, N, B, 1), (T, N, B, 1)."""
        drawn = [self.t.sample_steps(data, gen, num_steps, batch_size, d_steps) for data, gen in self.samplers]
        return [np.stack([d[part] for d in drawn], axis=-3) for part in (0, 1, 2)]

    def spread_start(self):
        """{G's variable name: (N, ...)}: each member's --g-start spread values, the output bias from
        a real batch of its own stream."""
        starts = [
            self.t.spread_start(
                m.hidden_size,
                m.noise_range * m.g_input_scale,
                data.sample(m.batch_size),
                m.g_start_slope,
                m.g_start_std,
            )
            for m, (data, _) in zip(self.members, self.samplers, strict=True)
        ]
        return {name: np.stack([np.asarray(s[name], np.float32) for s in starts]) for name in starts[0]}

    def state(self):
        return [rng.get_state() for rng in self.rngs]

    def restore(self, states):
        for rng, state in zip(self.rngs, states, strict=True):
            rng.set_state(state)


def train_population(tutorial, args, members, folder, stop, on_steps, threads=None):
    """Trains the members together in folder's checkpoints' care: resumes from its last checkpoint
    if there is one, checkpoints every --checkpoint-every steps and when stopped. Calls on_steps(k)
    after every k steps. Returns the status, the step reached, each member's divergence step (or
    None), its final samples (N, n) and the final weights {name: (N, ...)}."""
    seeds = single_graph_seeds(tutorial, members[0])
    zs = np.linspace(-args.noise_range, args.noise_range, EVAL_POINTS)
    with tf.Graph().as_default() as graph:
        pop = Population(tutorial, args, members)
        graph.finalize()
        config = tutorial.session_config()
        if threads:
            config.intra_op_parallelism_threads = config.inter_op_parallelism_threads = threads
        with tf.Session(config=config) as session:
            session.run(pop.init)
            streams = Streams(tutorial, members)
            state = resume(session, pop, streams, folder) or start(session, pop, streams, members, seeds)
            while state["step"] < args.num_steps and not stop:
                end = min(state["step"] + chunk_steps(args), args.num_steps)
                batches = streams.steps(end - state["step"], args.batch_size, args.d_steps)
                feed = dict(zip((pop.loop_x, pop.loop_zd, pop.loop_zg), batches, strict=True))
                record_divergence(state, *session.run(pop.loop_losses, feed))
                on_steps(end - state["step"])
                state["step"] = end
                if args.checkpoint_every and end % args.checkpoint_every == 0 and end < args.num_steps:
                    save(session, pop, streams, folder, state)
            status = "completed" if state["step"] >= args.num_steps else "interrupted"
            if status == "interrupted":
                save(session, pop, streams, folder, state)
            samples = session.run(pop.eval_G, {pop.eval_z: zs[:, None]})
            weights = pop.d_params + pop.g_params + list(pop.ema.values())
            values = dict(zip([v.op.name for v in weights], session.run(weights), strict=True))
    diverged = [None if s < 0 else int(s) for s in state["diverged"]]
    return {"status": status, "step": state["step"], "diverged": diverged, "samples": samples, "weights": values}


def chunk_steps(args):
    """Steps per session.run: long enough to amortise the call, short enough to answer a Ctrl-C."""
    return args.checkpoint_every or 200


def start(session, pop, streams, members, seeds):
    """Each member's start as a single run of its seed makes it: weights, then pretraining."""
    for v, value in pop.initial_values(members, seeds).items():
        v.load(value, session)
    if pop.args.g_start == "spread":
        pop.t.load_generator(session, pop, streams.spread_start())
    if pop.args.pretrain_steps:
        d, labels = streams.pretraining(pop.args.pretrain_steps, pop.args.batch_size)
        session.run(pop.loop_pre_loss, {pop.loop_pre_d: d, pop.loop_pre_labels: labels})
        session.run(pop.copy_pretrained)
    return {"step": 0, "diverged": np.full(pop.n, -1)}


def record_divergence(state, loss_d, loss_g):
    """A member whose loss turned NaN or infinite is marked at that step; the others go on."""
    bad = ~(np.isfinite(loss_d) & np.isfinite(loss_g))  # (T, N)
    first = state["step"] + np.argmax(bad, axis=0) + 1
    new = bad.any(axis=0) & (state["diverged"] < 0)
    state["diverged"] = np.where(new, first, state["diverged"])


def save(session, pop, streams, folder, state):
    files.save_checkpoint(session, pop.saver, folder, state["step"], {**state, "rngs": streams.state()})


def resume(session, pop, streams, folder):
    extra = files.restore_checkpoint(session, pop.saver, folder, tf.train.latest_checkpoint)
    if not extra:
        return None
    streams.restore(extra.pop("rngs"))
    return extra
