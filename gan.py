"""A 1-D Generative Adversarial Network: learn N(mu, sigma) from samples.

A port of the 2016 AYLIEN tutorial code (after Eric Jang, Goodfellow et al. 2014 and the
minibatch discrimination of Salimans et al. 2016) to TensorFlow 1.x-style graphs running on
TensorFlow 2 through `tf.compat.v1`, with the question the tutorial left open answered by
numbers: every run is measured against the known data distribution.

    python gan.py --minibatch                  # one run, figures in plots/<run-name>/
    python gan.py --seeds 10 --compare         # a study: 10 seeds, with and without minibatch

This file is the tutorial: data and noise, the networks, the losses, the optimiser, the graph,
pretraining and the alternating training loop, main() and parse_args(). Evaluation, figures,
files, studies and flag checks live in the package `gan1d/`.
"""

import argparse
import os
import sys

import numpy as np

from gan1d import flags, study
from gan1d.files import RunError, config_dict, prepare_run_dir, write_json
from gan1d.lazy import native_stderr_silenced, tf, tf2
from gan1d.metrics import EvalGrid
from gan1d.monitor import Monitor, StopRequest
from gan1d.target import Target

# ----------------------------------------------------------------------------- data and noise


class DataDistribution:
    """The real data, returned sorted as in the reference: N(mu, sigma), drawn as np.random.normal
    draws it, or with several --mu a mixture of such modes (target: gan1d/target.py)."""

    def __init__(self, target, rng):
        self.target, self.rng = target, rng

    def sample(self, n):
        samples = self.target.sample(self.rng, n)
        samples.sort()
        return samples


class GeneratorDistribution:
    """The generator's noise, "stratified": evenly spaced over [-range, range], then jittered."""

    def __init__(self, noise_range, rng):
        self.range, self.rng = noise_range, rng
        self._grids = {}  # the evenly spaced part is the same every call: compute it once per n

    def sample(self, n):
        if n not in self._grids:
            self._grids[n] = np.linspace(-self.range, self.range, n)
        return self._grids[n] + self.rng.random_sample(n) * 0.01


# ----------------------------------------------------------------------------- networks


def linear(x, out_dim, scope, stddev=1.0, members=None):
    """x @ w + b, w ~ N(0, stddev^2), b = 0. With members = N, a population: x (N, B, in) and one
    w (N, in, out) and b (N, 1, out) per member, whose initial values gan1d/population.py loads."""
    if members is None:
        w_shape, b_shape, init = [x.shape[-1], out_dim], [out_dim], tf.random_normal_initializer(stddev=stddev)
    else:
        w_shape, b_shape, init = [members, x.shape[-1], out_dim], [members, 1, out_dim], tf.zeros_initializer()
    with tf.variable_scope(scope):
        w = tf.get_variable("w", w_shape, initializer=init)
        b = tf.get_variable("b", b_shape, initializer=tf.zeros_initializer())
    return tf.matmul(x, w) + b


def generator(z, h_dim, input_scale=1.0, init=1.0, members=None):
    """G(z): one softplus layer of h_dim units, then a linear output."""
    h0 = tf.nn.softplus(linear(z * input_scale, h_dim, "g0", init, members))
    return linear(h0, 1, "g1", init, members)


def minibatch(h, num_kernels, kernel_dim, group_size, members=None):
    """Minibatch discrimination: each sample's closeness to the others of its group (its batch).
    A population's batches are whole groups, so a group never straddles two members."""
    m = linear(h, num_kernels * kernel_dim, "minibatch", stddev=0.02, members=members)
    m = tf.reshape(m, [-1, group_size, 1, num_kernels, kernel_dim])  # (G, B, 1, K, D)
    c = tf.reduce_sum(tf.abs(m - tf.transpose(m, [0, 2, 1, 3, 4])), axis=4)  # (G, B, B, K): L1 per kernel
    o = tf.reduce_sum(tf.exp(-c), axis=2)  # (G, B, K)
    o = tf.reshape(o, [-1, num_kernels] if members is None else [members, -1, num_kernels])  # (G*B, K)
    return tf.concat([h, o], axis=h.shape.ndims - 1)  # (G*B, F + K)


def discriminator(
    x, h_dim, minibatch_layer=False, activation="tanh", input_scale=1.0, init=1.0, mb=(5, 3, None), members=None
):
    """The logit of D(x); sigmoid(logit) is the reference's D, the probability that x is real.
    Three layers of 2 * h_dim units, the third replaced by the minibatch layer if asked;
    mb = (num_kernels, kernel_dim, group_size) of that layer."""
    act = tf.tanh if activation == "tanh" else tf.nn.relu
    h0 = act(linear(x * input_scale, 2 * h_dim, "d0", init, members))
    h1 = act(linear(h0, 2 * h_dim, "d1", init, members))
    h2 = minibatch(h1, *mb, members) if minibatch_layer else act(linear(h1, 2 * h_dim, "d2", init, members))
    return linear(h2, 1, "d3", init, members)


def spread_start(h_dim, half_width, batch, slope, match_std=False, out_weight=0.1):
    """G's weights for --g-start spread: hidden unit i bends at the centre k_i of the i-th of h_dim
    equal slices of G's scaled noise [-half_width, half_width] and rises toward the nearer end
    (weight slope * sign(k_i): the smaller the slope, the less its bias must change to move the bend,
    -b/w); its output weight is out_weight * sign(k_i), so G starts increasing and steepening toward
    both ends; the output bias starts at the mean of a real batch (a data-dependent start: it works
    for any target). With match_std (--g-start-std), the output weights are rescaled so that G's
    outputs over the noise have the batch's std. {variable name: value}."""
    k = (np.arange(h_dim) + 0.5) / h_dim * 2 * half_width - half_width  # (h,)
    side = np.where(k >= 0, 1.0, -1.0)
    w, v = slope * side, out_weight * side
    if match_std:
        z = np.linspace(-half_width, half_width, 1001)[:, None]  # (n, 1): G's scaled noise
        v = v * batch.std() / np.std(np.logaddexp(0, z * w - w * k) @ v)
    return {"G/g0/w": w[None], "G/g0/b": -w * k, "G/g1/w": v[:, None], "G/g1/b": [batch.mean()]}


def load_generator(session, model, values):
    """Loads G's weights, and their moving averages, which start as copies, from {name: value}."""
    for v in model.g_params:
        for copy in [v] + ([model.ema[v.op.name]] if model.ema else []):
            copy.load(np.reshape(values[v.op.name], v.shape), session)


# ----------------------------------------------------------------------------- losses


def clamped_log(p):
    """The 2017 reference's log(max(p, 1e-5)): finite, but its gradient is 0 below the clamp."""
    return tf.log(tf.maximum(p, 1e-5))


def d_loss_fn(l_real, l_fake, kind, axis=None):
    """mean(-log D(x) - log(1 - D(G(z)))); from logits, -log(sigmoid(l)) = softplus(-l) never overflows.
    axis: what the mean runs over (a population: each member's batch, giving one loss per member)."""
    if kind == "clamp":
        return tf.reduce_mean(-clamped_log(tf.sigmoid(l_real)) - clamped_log(1.0 - tf.sigmoid(l_fake)), axis)
    return tf.reduce_mean(tf.nn.softplus(-l_real) + tf.nn.softplus(l_fake), axis)


def g_loss_fn(l_fake, kind, axis=None):
    """The non-saturating generator loss mean(-log D(G(z)))."""
    if kind == "clamp":
        return tf.reduce_mean(-clamped_log(tf.sigmoid(l_fake)), axis)
    return tf.reduce_mean(tf.nn.softplus(-l_fake), axis)


def r1_penalty(l_real, x, weight, axis=None):
    """(weight / 2) * mean((dl/dx)^2) on real data (Mescheder et al. 2018)."""
    (grad,) = tf.gradients(tf.reduce_sum(l_real), [x])
    return 0.5 * weight * tf.reduce_mean(tf.square(grad), axis)


# ----------------------------------------------------------------------------- optimiser


def learning_rate(lr0, step, decay_steps, decay_rate):
    return tf.train.exponential_decay(lr0, step, decay_steps, decay_rate, staircase=True)


def optimizer(name, lr0, decay_steps, decay_rate, kind="sgd", beta1=0.9, beta2=0.999):
    """An optimiser with its own step counter. The learning rate is a callable so that it is read
    afresh wherever an update is built, including inside the in-graph training loop."""
    step = tf.Variable(0, trainable=False, name=f"{name}_step", dtype=tf.int64)
    lr = lambda: learning_rate(lr0, step, decay_steps, decay_rate)  # noqa: E731
    if kind == "adam":
        return tf.train.AdamOptimizer(lr, beta1=beta1, beta2=beta2, name=f"{name}_adam"), step
    return tf.train.GradientDescentOptimizer(lr, name=f"{name}_sgd"), step


# ----------------------------------------------------------------------------- the graph


class GAN:
    """The graph: D_pre (pretraining), G, D applied to real data (D1) and to G(z) (D2) with shared
    variables, the reference's per-step updates fed by placeholders (--loop feed), the same
    updates inside a `tf.while_loop` that runs many steps per `session.run`, and the evaluation ops."""

    def __init__(self, args):
        self.args = args
        b = args.batch_size
        with tf.name_scope("inputs"):
            self.x = tf.placeholder(tf.float32, (b, 1), "x")
            self.z = tf.placeholder(tf.float32, (b, 1), "z")
            self.pre_input = tf.placeholder(tf.float32, (b, 1), "pre_input")
            self.pre_labels = tf.placeholder(tf.float32, (b, 1), "pre_labels")
        self.D_pre = tf.sigmoid(self.discriminate(self.pre_input, "D_pre"))
        self.G = self.generate(self.z)
        self.D1 = tf.sigmoid(self.discriminate(self.x))
        self.D2 = tf.sigmoid(self.discriminate(self.G))
        self.d_pre_params = tf.trainable_variables("D_pre/")
        self.d_params = tf.trainable_variables("D/")
        self.g_params = tf.trainable_variables("G/")
        with tf.name_scope("optimizers"):
            schedule = (args.learning_rate, args.decay_steps, args.decay_rate)
            adam = (args.optimizer, args.beta1, args.beta2)
            self.pre_optimizer, self.pre_step = optimizer("pre", *schedule, *adam)
            self.d_optimizer, self.d_step = optimizer("d", *schedule, *adam)
            self.g_optimizer, self.g_step = optimizer("g", *schedule, *adam)
            self.lr_d = learning_rate(args.learning_rate, self.d_step, *schedule[1:])
            self.lr_g = learning_rate(args.learning_rate, self.g_step, *schedule[1:])
        self.ema = self._ema_copies(args.ema)
        if args.loop == "feed":  # the reference's per-step updates, fed through placeholders
            with tf.name_scope("train_step"):
                self.pre_loss, self.pre_opt = self.pretrain_update(self.pre_input, self.pre_labels)
                self.loss_d, self.opt_d = self.d_update(self.x, self.z)
                self.loss_g, self.opt_g = self.g_update(self.z)
        self._build_loops()
        self._build_eval()
        pairs = zip(self.d_params, self.d_pre_params, strict=True)
        self.copy_pretrained = tf.group(*[d.assign(p) for d, p in pairs], name="copy_pretrained")
        self.init = tf.global_variables_initializer()
        self.saver = tf.train.Saver(max_to_keep=3)

    def discriminate(self, x, scope="D"):
        a = self.args
        mb = (a.num_kernels, a.kernel_dim, a.minibatch_group)
        with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
            return discriminator(x, a.hidden_size, a.minibatch, a.activation, a.d_input_scale, a.d_init, mb)

    def generate(self, z, custom_getter=None):
        with tf.variable_scope("G", reuse=tf.AUTO_REUSE, custom_getter=custom_getter):
            return generator(z, self.args.hidden_size, self.args.g_input_scale, self.args.g_init)

    def _ema_copies(self, decay):
        """Shadow copies of G's weights, averaged after every G update; evaluation reads them."""
        if decay == 0:
            return {}
        with tf.variable_scope("G_ema"):
            return {
                v.op.name: tf.Variable(v.initial_value, trainable=False, name=v.op.name.replace("/", "_"))
                for v in self.g_params
            }

    def pretrain_update(self, d, labels):
        loss = tf.reduce_mean(tf.square(tf.sigmoid(self.discriminate(d, "D_pre")) - labels))
        return loss, self.pre_optimizer.minimize(loss, self.pre_step, self.d_pre_params)

    def d_update(self, x, z):
        l_real = self.discriminate(x)
        loss = d_loss_fn(l_real, self.discriminate(self.generate(z)), self.args.loss)
        objective = loss + r1_penalty(l_real, x, self.args.r1) if self.args.r1 > 0 else loss
        return loss, self.d_optimizer.minimize(objective, self.d_step, self.d_params)

    def g_update(self, z):
        loss = g_loss_fn(self.discriminate(self.generate(z)), self.args.loss)
        update = self.g_optimizer.minimize(loss, self.g_step, self.g_params)
        if not self.ema:
            return loss, update
        decay = self.args.ema
        with tf.control_dependencies([update]):
            averaged = [s.assign(decay * s + (1 - decay) * v) for v in self.g_params for s in [self.ema[v.op.name]]]
        return loss, tf.group(*averaged)

    def _build_loops(self):
        b, k = self.args.batch_size, self.args.d_steps
        with tf.name_scope("train_loop"):
            self.loop_x = tf.placeholder(tf.float32, (None, k, b, 1), "x")  # (T, d_steps, B, 1)
            self.loop_zd = tf.placeholder(tf.float32, (None, k, b, 1), "z_d")
            self.loop_zg = tf.placeholder(tf.float32, (None, b, 1), "z_g")  # (T, B, 1)

            def loop(x, zd, zg):
                step = lambda i: alternate(self.d_update, self.g_update, x[i], zd[i], zg[i])  # noqa: E731
                return in_graph_loop(step, tf.shape(zg)[0], 2)

            if self.args.xla:  # one XLA computation, compiled once per chunk length: faster, not bit-identical
                loop = tf2.function(loop, jit_compile=True)
            self.loop_losses = loop(self.loop_x, self.loop_zd, self.loop_zg)
        if self.args.pretrain_steps == 0:
            return
        with tf.name_scope("pretrain_loop"):
            self.loop_pre_d = tf.placeholder(tf.float32, (None, b, 1), "d")
            self.loop_pre_labels = tf.placeholder(tf.float32, (None, b, 1), "labels")
            step = lambda i: self._pretrain_body(self.loop_pre_d[i], self.loop_pre_labels[i])  # noqa: E731
            self.loop_pre_loss = in_graph_loop(step, tf.shape(self.loop_pre_d)[0], 1)

    def _pretrain_body(self, d, labels):
        loss, update = self.pretrain_update(d, labels)
        with tf.control_dependencies([update]):
            return (tf.identity(loss),)

    def _build_eval(self):
        def ema_getter(getter, name, *args, **kwargs):
            return self.ema[name] if name in self.ema else getter(name, *args, **kwargs)

        with tf.name_scope("eval"):
            self.eval_z = tf.placeholder(tf.float32, (None, 1), "z")
            self.eval_x = tf.placeholder(tf.float32, (None, 1), "x")
            self.eval_G = self.generate(self.eval_z, custom_getter=ema_getter if self.ema else None)
            self.eval_D = tf.sigmoid(self.discriminate(self.eval_x))
            self.eval_histogram = tf.summary.histogram("generated", self.eval_G)  # tag eval/generated


def alternate(d_update, g_update, x, zd, zg):
    """One training step: a D update per (x, zd) pair (d_steps of them), then one G update that reads
    D's freshly updated weights (control dependencies, no gradient through them); the mean D loss and G's."""
    done, losses_d = [], []
    for k in range(x.shape[0]):
        with tf.control_dependencies(done):
            loss_d, update = d_update(x[k], zd[k])
        done, losses_d = [update], losses_d + [loss_d]
    with tf.control_dependencies(done):
        loss_g, update = g_update(zg)
    with tf.control_dependencies([update]):
        return tf.identity(tf.add_n(losses_d) / len(losses_d)), tf.identity(loss_g)


def in_graph_loop(step_fn, num_steps, num_outputs):
    """Runs step_fn(i) for i < num_steps inside one `tf.while_loop`; stacks its outputs, (T,) each."""
    arrays = [tf.TensorArray(tf.float32, size=num_steps) for _ in range(num_outputs)]

    def body(i, *arrays):
        outputs = step_fn(i)
        return (i + 1,) + tuple(a.write(i, o) for a, o in zip(arrays, outputs, strict=True))

    # one iteration at a time: each step must read the weights the previous step wrote
    result = tf.while_loop(lambda i, *_: i < num_steps, body, [tf.constant(0)] + arrays, parallel_iterations=1)
    return [a.stack() for a in result[1:]]


# ----------------------------------------------------------------------------- training


def sample_steps(data, gen, num_steps, batch_size, d_steps):
    """Data for num_steps training steps, drawn in the reference's order: per step, for each D
    update a data batch then a noise batch, then a fresh noise batch for G."""
    b, k = batch_size, d_steps
    x, zd, zg = np.empty((num_steps, k, b)), np.empty((num_steps, k, b)), np.empty((num_steps, b))
    for i in range(num_steps):
        for j in range(k):
            x[i, j] = data.sample(b)
            zd[i, j] = gen.sample(b)
        zg[i] = gen.sample(b)
    return x[..., None], zd[..., None], zg[..., None]  # (T, k, B, 1), (T, k, B, 1), (T, B, 1)


def pretrain_data(rng, num_steps, batch_size, target):
    """D_pre's inputs, uniform on [-5, 5] (widened to cover every mode), and its targets, the data's
    density there: (T, B) each."""
    low, high = target.pretraining_range()
    d = (rng.random_sample((num_steps, batch_size)) - 0.5) * (high - low)
    if high + low:
        d += (high + low) / 2
    return d, target.pdf(d)


def pretrain(session, model, rng, num_steps, batch_size, target, loop="graph"):
    """Least-squares fit of D_pre to the data density, then copy into D."""
    if num_steps == 0:
        return
    d, labels = pretrain_data(rng, num_steps, batch_size, target)
    if loop == "feed":
        for i in range(num_steps):
            session.run(
                [model.pre_loss, model.pre_opt], {model.pre_input: d[i, :, None], model.pre_labels: labels[i, :, None]}
            )
    else:
        session.run(model.loop_pre_loss, {model.loop_pre_d: d[..., None], model.loop_pre_labels: labels[..., None]})
    session.run(model.copy_pretrained)


def train_steps(session, model, batches, loop="graph"):
    """Runs the training steps of the sampled batches; returns the per-step losses, (T,) each.
    graph: all steps in one `session.run`; feed: the reference's two `session.run` per step."""
    x, zd, zg = batches
    if loop == "graph":
        loss_d, loss_g = session.run(model.loop_losses, {model.loop_x: x, model.loop_zd: zd, model.loop_zg: zg})
        return loss_d, loss_g
    losses_d, losses_g = np.empty(len(zg)), np.empty(len(zg))
    for i in range(len(zg)):
        step_d = [
            session.run([model.loss_d, model.opt_d], {model.x: x[i, j], model.z: zd[i, j]})[0] for j in range(len(x[i]))
        ]
        losses_d[i] = np.mean(step_d)
        losses_g[i] = session.run([model.loss_g, model.opt_g], {model.z: zg[i]})[0]
    return losses_d, losses_g


def train(session, model, grid, args, rng, run_dir, stop):
    """The reference's train(): pretrain D, then alternate D and G updates. Training pauses where the
    monitor asks (evaluations, log lines, frames, checkpoints); between pauses the steps run in one
    `session.run`. Returns the run's summary."""
    target = Target.of(args)
    data = DataDistribution(target, rng)
    gen = GeneratorDistribution(args.noise_range, rng)
    monitor = Monitor(session, model, grid, args, rng, run_dir, stop)
    session.run(model.init)
    if not monitor.resumed():
        if args.g_start == "spread":
            batch, half_width = data.sample(args.batch_size), args.noise_range * args.g_input_scale
            values = spread_start(args.hidden_size, half_width, batch, args.g_start_slope, args.g_start_std)
            load_generator(session, model, values)
        pretrain(session, model, rng, args.pretrain_steps, args.batch_size, target, args.loop)
        monitor.evaluate()
    while monitor.wants_more():
        end = monitor.next_pause()
        batches = sample_steps(data, gen, end - monitor.step, args.batch_size, args.d_steps)
        monitor.after_steps(end, *train_steps(session, model, batches, args.loop))
    return monitor.finish()


def session_config():
    config = tf.ConfigProto()  # default thread pools: one thread each made every session.run slower here
    # grappler's graph rewrites cost ~0.3 s at the first run of each loop and gain nothing on ops this small
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return config


def run(args, stop_event=None):
    """One training run in <out-dir>/<run-name>/; returns its summary."""
    run_dir = os.path.join(args.out_dir, args.run_name)
    prepare_run_dir(run_dir, args.resume, args.overwrite)
    write_json(os.path.join(run_dir, "config.json"), config_dict(args, tf.__version__))
    with tf.Graph().as_default() as graph:
        # --- seeding: numpy's stream feeds the data and noise, TensorFlow's the initial weights
        tf.set_random_seed(args.seed)
        rng = np.random.RandomState(args.seed)
        model = GAN(args)
        grid = EvalGrid(Target.of(args), args.noise_range, args.minibatch_group)
        graph.finalize()
        with native_stderr_silenced():
            session = tf.Session(config=session_config())
        with session, StopRequest(stop_event) as stop:
            return train(session, model, grid, args, rng, run_dir, stop)


# ----------------------------------------------------------------------------- command line


def parse_args(argv=None):
    """Every flag, declared once with its help text, checked before TensorFlow is imported."""
    p = flags.FlagParser(prog="gan.py", description=__doc__.split("\n\n")[0])
    # fmt: off
    p.add("--preset", ["2016"], "hyperparameters at once: 2016 or 2017 reference code, robust, or modes (robust retuned for two modes, with minibatch discrimination); a comma list in a study", type=flags.preset_list)
    p.add("--minibatch", False, "minibatch discrimination in D", action=argparse.BooleanOptionalAction)
    p.add("--num-steps", 1200, "training steps", type=flags.positive_int)
    p.add("--batch-size", 12, "samples per batch (>= 2 with --minibatch)", type=flags.positive_int)
    p.add("--hidden-size", 4, "G's hidden units; D is twice as wide", type=flags.positive_int)
    p.add("--learning-rate", "0.005 with --minibatch, 0.03 without, 0.001 with adam", "initial learning rate", type=flags.positive)
    p.add("--decay-rate", 0.95, "learning-rate decay factor per --decay-steps (1 = none)", type=flags.decay)
    p.add("--decay-steps", 150, "steps between learning-rate decays (staircase)", type=flags.positive_int)
    p.add("--optimizer", "sgd", "optimizer of D_pre, D and G", choices=["sgd", "adam"])
    p.add("--beta1", 0.9, "Adam's beta1", type=flags.fraction)
    p.add("--beta2", 0.999, "Adam's beta2", type=flags.fraction)
    p.add("--activation", "tanh", "D's hidden activation", choices=["tanh", "relu"])
    p.add("--loss", "logits", "logits: the reference loss computed safely from D's logits; clamp: the 2017 log(max(p, 1e-5))", choices=["logits", "clamp"])
    p.add("--pretrain-steps", 1000, "least-squares pretraining steps of D_pre (0 = none)", type=flags.count)
    p.add("--num-kernels", 5, "minibatch discrimination kernels", type=flags.positive_int)
    p.add("--kernel-dim", 3, "minibatch discrimination kernel dimension", type=flags.positive_int)
    p.add("--minibatch-group", "--batch-size", "minibatch discrimination compares each sample with the others of its group of this size, which divides --batch-size", type=flags.positive_int)
    p.add("--d-steps", 1, "D updates per G update, each on fresh data", type=flags.positive_int)
    p.add("--r1", 0.0, "R1 gradient penalty weight gamma on real data (0 = none)", type=flags.non_negative)
    p.add("--g-input-scale", 1.0, "G's noise is multiplied by this before its first layer", type=flags.positive)
    p.add("--d-input-scale", 1.0, "D's input is multiplied by this before its first layer", type=flags.positive)
    p.add("--g-init", 1.0, "std of G's initial weights (--g-start random)", type=flags.positive)
    p.add("--g-start", "random", "G's start: random, N(0, g-init^2) weights; spread, bends spread over the noise and the output bias at a real batch's mean", choices=["random", "spread"])
    p.add("--g-start-slope", 3.0, "weight of each hidden unit of G's spread start, on the scaled noise", type=flags.positive)
    p.add("--g-start-std", False, "the spread start's output weights rescaled so that G starts with a real batch's std", action=argparse.BooleanOptionalAction)
    p.add("--d-init", 1.0, "std of D's initial weights (the minibatch layer keeps 0.02)", type=flags.positive)
    p.add("--ema", 0.0, "decay of an exponential moving average of G's weights used for evaluation (0 = none)", type=flags.fraction)
    p.add("--mu", [4.0], "mean of the data; a comma list for a mixture of modes, e.g. 2,6", type=flags.finite_list)
    p.add("--sigma", 0.5, "standard deviation of the data (of each mode)", type=flags.positive)
    p.add("--weights", "equal", "the modes' weights, a comma list as long as --mu", type=flags.positive_list)
    p.add("--target", None, f"a classic data shape at once: {', '.join(flags.TARGETS)}; sets --mu, --sigma, --weights", choices=list(flags.TARGETS))
    p.add("--noise-range", 8.0, "G's noise is spread over [-range, range]; also the plotted range", type=flags.positive)
    p.add("--seed", 42, "seeds numpy and TensorFlow; a study's first seed", type=flags.count)
    p.add("--log-every", 10, "steps between log lines", type=flags.positive_int)
    p.add("--eval-every", "--log-every", "steps between evaluations", type=flags.positive_int)
    p.add("--early-stop", 0.0, "stop once w1 <= this for --patience evaluations (0 = never)", type=flags.non_negative)
    p.add("--patience", 3, "evaluations for --early-stop", type=flags.positive_int)
    p.add("--keep-best", False, "end with the weights of the evaluation with the lowest w1", action=argparse.BooleanOptionalAction)
    p.add("--loop", "graph", "graph: many steps per session.run in a tf.while_loop; feed: the reference's two session.run per step (same numbers, slower)", choices=["graph", "feed"])
    p.add("--xla", False, "compile the training loop with XLA: faster after a few seconds of compiling; not bit-identical to --loop feed", action="store_true")
    p.add("--out-dir", "plots", "folder of the run folders", type=str)
    p.add("--run-name", "derived from the settings that differ from the defaults, and the seed", "run folder name", type=str)
    p.add("--anim-path", None, "save the training animation here (.gif, or .mp4 with ffmpeg)", type=str)
    p.add("--anim-every", 1, "steps per animation frame", type=flags.positive_int)
    p.add("--logdir", None, "also write TensorBoard summaries here", type=str)
    p.add("--checkpoint-every", 0, "steps between checkpoints in the run folder (0 = only when interrupted)", type=flags.count)
    p.add("--resume", False, "continue the run from its folder's last checkpoint", action="store_true")
    p.add("--overwrite", False, "start again a run whose folder holds an unfinished run", action="store_true")
    p.add("--seeds", 0, "a study: this many seeds from --seed (0 = one run)", type=flags.count)
    p.add("--compare", False, "a study with and without minibatch discrimination", action="store_true")
    p.add("--sweep", [], "a study over values of a flag, FLAG=V1,V2,...; repeatable", action="append")
    p.add("--plot-seeds", [], "a study also draws these seeds' figures from their saved weights", type=flags.seed_list)
    p.add("--jobs", "the number of cores", "threads TensorFlow uses in a study", type=flags.positive_int)
    p.add("--quiet", False, "print only the verdict and the written paths", action="store_true")
    # fmt: on
    return p.parse(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.seeds:
            return study.run_study(args, sys.modules[__name__])  # the study builds its graphs from this module
        summary = run(args)
    except RunError as error:
        print(f"gan.py: error: {error}", file=sys.stderr)
        return flags.EXIT_BAD_FLAG
    except KeyboardInterrupt:
        print("stopped at once: files of this run may be from an earlier step", file=sys.stderr)
        return flags.EXIT_INTERRUPTED
    return {"diverged": flags.EXIT_DIVERGED, "interrupted": flags.EXIT_INTERRUPTED}.get(summary["status"], 0)


if __name__ == "__main__":
    sys.exit(main())
