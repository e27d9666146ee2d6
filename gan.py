"""A 1-D Generative Adversarial Network: learn N(mu, sigma) from samples.

A port of the 2016 AYLIEN tutorial code (after Eric Jang, Goodfellow et al. 2014 and the
minibatch discrimination of Salimans et al. 2016) to TensorFlow 1.x-style graphs running on
TensorFlow 2 through `tf.compat.v1`, with the question the tutorial left open answered by
numbers: every run is measured against the known data distribution.

    python gan.py --minibatch                  # one run, figures in plots/<run-name>/
    python gan.py --seeds 10 --compare         # a study: 10 seeds, with and without minibatch
"""

import argparse
import concurrent.futures
import contextlib
import csv
import importlib
import io
import json
import math
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time

import numpy as np


class LazyModule:
    """A module imported on first use: `--help` and bad flags answer before TensorFlow's ~5 s import."""

    def __init__(self, name, setup=None):
        self.__dict__.update(_name=name, _setup=setup, _module=None)

    def __getattr__(self, attr):
        if self._module is None:
            if self._setup is not None:
                self._setup()
            self.__dict__["_module"] = importlib.import_module(self._name)
        return getattr(self._module, attr)


@contextlib.contextmanager
def native_stderr_silenced():
    """TensorFlow's C++ start-up lines (CUDA probing, oneDNN notices) bypass its log level: hide them."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _quiet_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with native_stderr_silenced():
        import tensorflow

        tensorflow.get_logger().setLevel("ERROR")
        tensorflow.config.experimental.enable_op_determinism()
        tensorflow.config.list_physical_devices()  # probes CUDA once, here, where its complaint is hidden


def _headless_matplotlib():
    import matplotlib

    matplotlib.use("Agg")


tf = LazyModule("tensorflow.compat.v1", _quiet_tensorflow)
tf2 = LazyModule("tensorflow")  # only for tf.function(jit_compile=True) under --xla
plt = LazyModule("matplotlib.pyplot", _headless_matplotlib)
animation = LazyModule("matplotlib.animation", _headless_matplotlib)
stats = LazyModule("scipy.stats")
spatial_distance = LazyModule("scipy.spatial.distance")

# The fixed evaluation grid: every figure, frame and metric uses these, so runs and steps compare.
EVAL_POINTS = 10_000  # generated samples (G on evenly spaced z) and decision-boundary points
NUM_BINS = 100  # histogram bin edges over [-noise_range, noise_range], as in the reference
KDE_REAL = 1_000  # held-out real samples scored by the kernel density estimate
KDE_STRIDE = 5  # the KDE is fitted on every 5th generated sample (2,000), only at the end
EVAL_SEED = 1_234  # the plotted and held-out real samples: the same for every run and step
ANIM_POINTS = 1_000  # decision-boundary points kept per animation frame

# What the study calls a success (written out in summary.md).
CONVERGED_W1, CONVERGED_OUTSIDE = 0.3, 0.01
ACCURATE_W1, ACCURATE_STD_RATIO = 0.1, (0.8, 1.25)

EXIT_BAD_FLAG, EXIT_DIVERGED, EXIT_INTERRUPTED = 2, 3, 130


# ----------------------------------------------------------------------------- distributions


class DataDistribution:
    """The real data: N(mu, sigma), returned sorted as in the reference."""

    def __init__(self, mu, sigma, rng):
        self.mu, self.sigma, self.rng = mu, sigma, rng

    def sample(self, n):
        samples = self.rng.normal(self.mu, self.sigma, n)
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


def linear(x, out_dim, scope, stddev=1.0):
    """x @ w + b, w ~ N(0, stddev^2), b = 0."""
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.shape[-1], out_dim], initializer=tf.random_normal_initializer(stddev=stddev))
        b = tf.get_variable("b", [out_dim], initializer=tf.zeros_initializer())
    return tf.matmul(x, w) + b


def generator(z, hidden_size, input_scale=1.0, init=1.0):
    h0 = tf.nn.softplus(linear(z * input_scale, hidden_size, "g0", init))
    return linear(h0, 1, "g1", init)


def minibatch(h, num_kernels, kernel_dim, group_size):
    """Minibatch discrimination: each sample's closeness to the others of its group (its batch)."""
    m = linear(h, num_kernels * kernel_dim, "minibatch", stddev=0.02)
    m = tf.reshape(m, [-1, group_size, 1, num_kernels, kernel_dim])  # (G, B, 1, K, D)
    c = tf.reduce_sum(tf.abs(m - tf.transpose(m, [0, 2, 1, 3, 4])), axis=4)  # (G, B, B, K): L1 per kernel
    o = tf.reduce_sum(tf.exp(-c), axis=2)  # (G, B, K)
    return tf.concat([h, tf.reshape(o, [-1, num_kernels])], axis=1)  # (G*B, F + K)


def discriminator(x, args, group_size):
    """Returns the logit; sigmoid(logit) is the reference's D, the probability that x is real."""
    act = tf.tanh if args.activation == "tanh" else tf.nn.relu
    width = 2 * args.hidden_size
    h0 = act(linear(x * args.d_input_scale, width, "d0", args.d_init))
    h1 = act(linear(h0, width, "d1", args.d_init))
    if args.minibatch:
        h2 = minibatch(h1, args.num_kernels, args.kernel_dim, group_size)
    else:
        h2 = act(linear(h1, width, "d2", args.d_init))
    return linear(h2, 1, "d3", args.d_init)


# ----------------------------------------------------------------------------- losses


def clamped_log(p):
    """The 2017 reference's log(max(p, 1e-5)): finite, but its gradient is 0 below the clamp."""
    return tf.log(tf.maximum(p, 1e-5))


def d_loss_fn(l_real, l_fake, kind):
    """mean(-log D(x) - log(1 - D(G(z)))); from logits, -log(sigmoid(l)) = softplus(-l) never overflows."""
    if kind == "clamp":
        return tf.reduce_mean(-clamped_log(tf.sigmoid(l_real)) - clamped_log(1.0 - tf.sigmoid(l_fake)))
    return tf.reduce_mean(tf.nn.softplus(-l_real) + tf.nn.softplus(l_fake))


def g_loss_fn(l_fake, kind):
    """The non-saturating generator loss mean(-log D(G(z)))."""
    if kind == "clamp":
        return tf.reduce_mean(-clamped_log(tf.sigmoid(l_fake)))
    return tf.reduce_mean(tf.nn.softplus(-l_fake))


def r1_penalty(l_real, x, weight):
    """(weight / 2) * mean((dl/dx)^2) on real data (Mescheder et al. 2018)."""
    (grad,) = tf.gradients(tf.reduce_sum(l_real), [x])
    return 0.5 * weight * tf.reduce_mean(tf.square(grad))


# ----------------------------------------------------------------------------- optimisation


def learning_rate(lr0, step, args):
    return tf.train.exponential_decay(lr0, step, args.decay_steps, args.decay_rate, staircase=True)


def optimizer(lr0, args, name):
    """An optimiser with its own step counter. The learning rate is a callable so that it is read
    afresh wherever an update is built, including inside the in-graph training loop."""
    step = tf.Variable(0, trainable=False, name=f"{name}_step", dtype=tf.int64)
    lr = lambda: learning_rate(lr0, step, args)  # noqa: E731
    if args.optimizer == "adam":
        return tf.train.AdamOptimizer(lr, beta1=args.beta1, beta2=args.beta2, name=f"{name}_adam"), step
    return tf.train.GradientDescentOptimizer(lr, name=f"{name}_sgd"), step


# ----------------------------------------------------------------------------- the graph


class GAN:
    """The graph: D_pre (pretraining), G, D applied to real data (D1) and to G(z) (D2) with shared
    variables, the reference's per-step updates fed by placeholders, the same updates inside a
    `tf.while_loop` that runs many steps per `session.run`, and the evaluation ops."""

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
        self._build_optimizers()
        self._build_ema()
        if args.loop == "feed":  # the reference's per-step updates, fed through placeholders
            with tf.name_scope("train_step"):
                self.pre_loss, self.pre_opt = self.pretrain_update(self.pre_input, self.pre_labels)
                self.loss_d, self.opt_d = self.d_update(self.x, self.z)
                self.loss_g, self.opt_g = self.g_update(self.z)
        self._build_loops()
        self._build_eval()
        self.copy_pretrained = tf.group(
            *[d.assign(p) for d, p in zip(self.d_params, self.d_pre_params, strict=True)], name="copy_pretrained"
        )
        self.init = tf.global_variables_initializer()
        self.saver = tf.train.Saver(max_to_keep=3)

    def discriminate(self, x, scope="D", group_size=None):
        with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
            return discriminator(x, self.args, group_size or self.args.batch_size)

    def generate(self, z, custom_getter=None):
        with tf.variable_scope("G", reuse=tf.AUTO_REUSE, custom_getter=custom_getter):
            return generator(z, self.args.hidden_size, self.args.g_input_scale, self.args.g_init)

    def _build_optimizers(self):
        args = self.args
        with tf.name_scope("optimizers"):
            self.pre_optimizer, self.pre_step = optimizer(args.learning_rate, args, "pre")
            self.d_optimizer, self.d_step = optimizer(args.learning_rate, args, "d")
            self.g_optimizer, self.g_step = optimizer(args.learning_rate, args, "g")
            self.lr_d = learning_rate(args.learning_rate, self.d_step, args)
            self.lr_g = learning_rate(args.learning_rate, self.g_step, args)

    def _build_ema(self):
        """Shadow copies of G's weights, averaged after every G update; evaluation reads them."""
        self.ema = {}
        if self.args.ema > 0:
            with tf.variable_scope("G_ema"):
                for v in self.g_params:
                    name = v.op.name.replace("/", "_")
                    self.ema[v.op.name] = tf.Variable(v.initial_value, trainable=False, name=name)

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

    def _train_body(self, x, zd, zg):
        """One training step inside the loop: d_steps discriminator updates, then one generator
        update that reads D's freshly updated weights (control dependencies, no gradient through them)."""
        done, losses_d = [], []
        for k in range(self.args.d_steps):
            with tf.control_dependencies(done):
                loss_d, update = self.d_update(x[k], zd[k])
            done, losses_d = [update], losses_d + [loss_d]
        with tf.control_dependencies(done):
            loss_g, update = self.g_update(zg)
        with tf.control_dependencies([update]):
            return tf.identity(tf.add_n(losses_d) / len(losses_d)), tf.identity(loss_g)

    def _build_loops(self):
        b, k = self.args.batch_size, self.args.d_steps
        with tf.name_scope("train_loop"):
            self.loop_x = tf.placeholder(tf.float32, (None, k, b, 1), "x")  # (T, d_steps, B, 1)
            self.loop_zd = tf.placeholder(tf.float32, (None, k, b, 1), "z_d")
            self.loop_zg = tf.placeholder(tf.float32, (None, b, 1), "z_g")  # (T, B, 1)
            self.loop_losses = self._train_loop(self.loop_x, self.loop_zd, self.loop_zg)
        if self.args.pretrain_steps == 0:
            return
        with tf.name_scope("pretrain_loop"):
            self.loop_pre_d = tf.placeholder(tf.float32, (None, b, 1), "d")
            self.loop_pre_labels = tf.placeholder(tf.float32, (None, b, 1), "labels")
            self.loop_pre_loss = in_graph_loop(
                lambda i: self._pretrain_body(self.loop_pre_d[i], self.loop_pre_labels[i]),
                tf.shape(self.loop_pre_d)[0],
                1,
            )

    def _train_loop(self, x, zd, zg):
        def loop(x, zd, zg):
            return in_graph_loop(lambda i: self._train_body(x[i], zd[i], zg[i]), tf.shape(zg)[0], 2)

        if self.args.xla:  # one XLA computation, compiled once per chunk length: faster, not bit-identical
            return tf2.function(loop, jit_compile=True)(x, zd, zg)
        return loop(x, zd, zg)

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


def sample_steps(data, gen, num_steps, args):
    """Data for num_steps training steps, drawn in the reference's order: per step, for each D
    update a data batch then a noise batch, then a fresh noise batch for G."""
    b, k = args.batch_size, args.d_steps
    x, zd, zg = np.empty((num_steps, k, b)), np.empty((num_steps, k, b)), np.empty((num_steps, b))
    for i in range(num_steps):
        for j in range(k):
            x[i, j] = data.sample(b)
            zd[i, j] = gen.sample(b)
        zg[i] = gen.sample(b)
    return x[..., None], zd[..., None], zg[..., None]


def pretrain(session, gan, rng, args):
    """Least-squares fit of D_pre to the data density on uniform points, then copy into D."""
    if args.pretrain_steps == 0:
        return
    d = (rng.random_sample((args.pretrain_steps, args.batch_size)) - 0.5) * 10.0
    labels = stats.norm.pdf(d, loc=args.mu, scale=args.sigma)
    if args.loop == "feed":
        for i in range(args.pretrain_steps):
            feed = {gan.pre_input: d[i, :, None], gan.pre_labels: labels[i, :, None]}
            session.run([gan.pre_loss, gan.pre_opt], feed)
    else:
        session.run(gan.loop_pre_loss, {gan.loop_pre_d: d[..., None], gan.loop_pre_labels: labels[..., None]})
    session.run(gan.copy_pretrained)


def train_steps(session, gan, batches, args):
    """Runs the training steps for the sampled batches; returns the per-step losses, (T,) each."""
    x, zd, zg = batches
    if args.loop == "graph":
        loss_d, loss_g = session.run(gan.loop_losses, {gan.loop_x: x, gan.loop_zd: zd, gan.loop_zg: zg})
        return loss_d, loss_g
    return train_steps_feed(session, gan, batches)


def train_steps_feed(session, gan, batches):
    """The reference's loop: one `session.run` per update, data fed through placeholders."""
    x, zd, zg = batches
    losses_d, losses_g = np.empty(len(zg)), np.empty(len(zg))
    for i in range(len(zg)):
        step_d = [session.run([gan.loss_d, gan.opt_d], {gan.x: x[i, j], gan.z: zd[i, j]})[0] for j in range(len(x[i]))]
        losses_d[i] = np.mean(step_d)
        losses_g[i] = session.run([gan.loss_g, gan.opt_g], {gan.z: zg[i]})[0]
    return losses_d, losses_g


# ----------------------------------------------------------------------------- evaluation


class EvalGrid:
    """The fixed points every evaluation uses: z and x grids, histogram bins, real samples."""

    def __init__(self, args):
        r = args.noise_range
        self.xs = np.linspace(-r, r, EVAL_POINTS)
        self.zs = np.linspace(-r, r, EVAL_POINTS)
        self.bins = np.linspace(-r, r, NUM_BINS)
        self.centres = (self.bins[:-1] + self.bins[1:]) / 2
        eval_rng = np.random.RandomState(EVAL_SEED)
        self.real = DataDistribution(args.mu, args.sigma, eval_rng).sample(EVAL_POINTS)
        self.held_out = DataDistribution(args.mu, args.sigma, eval_rng).sample(KDE_REAL)
        self.real_density = density(self.real, self.bins)
        # the data's exact quantiles: a noiseless sample of N(mu, sigma) for the Wasserstein distance
        self.quantiles = stats.norm.ppf((np.arange(EVAL_POINTS) + 0.5) / EVAL_POINTS, args.mu, args.sigma)
        self.groups = grid_groups(EVAL_POINTS, args.batch_size)


def grid_groups(n, group_size):
    """Indices covering 0..n-1 in groups of group_size; the last group is the last group_size
    points, so every point is judged within a full batch, as in training."""
    starts = list(range(0, n - group_size + 1, group_size))
    if n % group_size:
        starts.append(n - group_size)
    return np.concatenate([np.arange(s, s + group_size) for s in starts])


def evaluate_grid(session, gan, grid, extra=(), decision=True):
    """G on the z grid and, if asked, D on the x grid (grouped by batch), in one `session.run`."""
    fetches, feed = [gan.eval_G, *extra], {gan.eval_z: grid.zs[:, None]}
    if decision:
        fetches.append(gan.eval_D)
        feed[gan.eval_x] = grid.xs[grid.groups, None]
    fetched = session.run(fetches, feed)
    boundary = None
    if decision:
        boundary = np.empty(EVAL_POINTS)
        boundary[grid.groups] = fetched[-1][:, 0]  # overlapping points of the last group take its values
    return fetched[0][:, 0], boundary, fetched[1 : 1 + len(extra)]


def metrics(samples, grid, args, with_kde=False):
    """How far the generated samples are from N(mu, sigma); see the README for each metric."""
    if not np.all(np.isfinite(samples)):
        return {name: math.nan for name in METRIC_NAMES}
    std = float(np.std(samples))
    result = {
        "w1": float(stats.wasserstein_distance(samples, grid.quantiles)),
        "ks": float(stats.kstest(samples, "norm", args=(args.mu, args.sigma), method="asymp").statistic),
        "js": js_divergence(samples, grid.bins, args),
        "mean": float(np.mean(samples)),
        "std": std,
        "std_ratio": std / args.sigma,
        "outside_fraction": float(np.mean(np.abs(samples - args.mu) > 4 * args.sigma)),
        "kde_nll": kde_nll(samples, grid.held_out) if with_kde else math.nan,
    }
    return result


METRIC_NAMES = ("w1", "ks", "js", "mean", "std", "std_ratio", "outside_fraction", "kde_nll")


def js_divergence(samples, bins, args):
    """Squared Jensen-Shannon distance (base 2) between the generated histogram and the data's exact
    bin probabilities, over the plotted bins plus one overflow bin on each side."""
    edges = np.concatenate([[-np.inf], bins, [np.inf]])
    counts = np.histogram(samples, edges)[0]
    exact = np.diff(stats.norm.cdf(edges, args.mu, args.sigma))
    return float(spatial_distance.jensenshannon(counts, exact, base=2) ** 2)


def kde_nll(samples, held_out):
    """Mean negative log-likelihood of held-out real samples under a KDE of the generated ones."""
    try:
        kde = stats.gaussian_kde(samples[::KDE_STRIDE])
    except np.linalg.LinAlgError:  # all samples equal: no density to speak of
        return math.inf
    return float(-np.mean(kde.logpdf(held_out)))


# ----------------------------------------------------------------------------- plots


def density(samples, bins):
    """Histogram density over bins, normalised by all samples: mass outside the bins lowers the curve
    instead of vanishing (numpy's density=True would rescale what is inside to area 1)."""
    finite = samples[np.isfinite(samples)]
    counts = np.histogram(finite, bins)[0]
    return counts / (max(len(samples), 1) * np.diff(bins))


def plot_distributions(path, frame, grid, args, note=""):
    """The reference figure: decision boundary, real data and generated data over [-R, R]."""
    samples, decision = frame
    generated = density(samples, grid.bins) if np.all(np.isfinite(samples)) else None
    outside = float(np.mean(np.abs(samples) > args.noise_range)) if generated is not None else 1.0
    fig, ax = plt.subplots(figsize=(8, 5))
    if decision is not None:  # None after divergence: D's weights are no longer finite
        ax.plot(grid.xs, decision, label="decision boundary")
    ax.plot(grid.centres, grid.real_density, label="real data")
    if generated is not None:
        ax.plot(grid.centres, generated, label=f"generated data ({outside:.1%} outside the plot)")
    peak = max(1.0, 1.05 * np.max(generated)) if generated is not None else 1.0
    ax.set_ylim(0, peak)  # the reference's [0, 1], raised so that a collapsed spike stays visible
    ax.set_title("1D Generative Adversarial Network")
    ax.set_xlabel("Data values")
    ax.set_ylabel("Probability density")
    ax.legend(loc="upper left")
    if note:
        ax.text(0.99, 0.98, note, transform=ax.transAxes, ha="right", va="top", fontsize=9, family="monospace")
    save_figure(fig, path)


def plot_training(path, rows, args):
    """Losses and the main metrics against steps, with the data's reference lines."""
    steps = [r["step"] for r in rows]
    panels = [
        ("losses", [("loss_d", "D"), ("loss_g", "G")], None, "linear"),
        ("Wasserstein-1 to the data", [("w1", "w1")], 0.0, "log"),
        ("generated std / data std", [("std_ratio", "std ratio")], 1.0, "linear"),
        ("distribution distances", [("ks", "KS"), ("js", "JS")], 0.0, "log"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for ax, (title, series, reference, scale) in zip(axes.flat, panels, strict=True):
        for key, label in series:
            ax.plot(steps, [r[key] for r in rows], label=label)
        if reference is not None:
            ax.axhline(reference, color="gray", ls="--", lw=1, label=f"data ({reference:g})")
        if scale == "log":  # symlog: linear near 0, so a metric of exactly 0 still shows
            ax.set_yscale("symlog", linthresh=1e-2)
            ax.set_ylim(bottom=0)
        ax.set_title(title)
        ax.legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("training step")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.95, hspace=0.2, wspace=0.18)
    save_figure(fig, path)


def save_figure(fig, path):
    write_atomic(path, lambda f: fig.savefig(f, format="png", dpi=100))
    plt.close(fig)


class AnimationFrames:
    """Keeps each frame's own small data (a thinned decision boundary and a histogram) and draws
    them at the end, streaming frame by frame to the writer."""

    def __init__(self, path, grid):
        self.path, self.grid = path, grid
        self.keep = np.linspace(0, EVAL_POINTS - 1, ANIM_POINTS).astype(int)
        self.frames = []  # (step, decision (ANIM_POINTS,), generated density (NUM_BINS - 1,))

    def add(self, step, samples, decision):
        generated = density(samples, self.grid.bins).astype(np.float32)
        self.frames.append((step, decision[self.keep].astype(np.float32), generated))

    def save(self):
        """Draws the frames: a GIF by blitting (the axes drawn once, then only the moving lines),
        encoded frame by frame; an MP4 through matplotlib's ffmpeg writer."""
        grid = self.grid
        fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=80)
        ax.set(xlim=(-6, 6), ylim=(0, 1.4), title="1D Generative Adversarial Network")
        ax.set(xlabel="Data values", ylabel="Probability density")
        line_db = ax.plot([], [], label="decision boundary", animated=True)[0]
        ax.plot(grid.centres, grid.real_density, label="real data")
        line_pg = ax.plot([], [], label="generated data", animated=True)[0]
        counter = ax.text(0.02, 0.95, "", transform=ax.transAxes, animated=True)
        legend = ax.legend(loc="upper right")
        legend.set_animated(True)

        def update(frame):
            step, decision, generated = frame
            line_db.set_data(grid.xs[self.keep], decision)
            line_pg.set_data(grid.centres, generated)
            counter.set_text(f"step {step}")
            return line_db, line_pg, counter, legend

        tmp = temporary_path(self.path)
        if self.path.endswith(".gif"):
            write_gif(tmp, fig, self.frames, update, fps=30)
        else:
            writer = animation.FFMpegWriter(fps=30)
            with writer.saving(fig, tmp, dpi=80):
                for frame in self.frames:
                    for artist in update(frame):
                        artist.set_animated(False)
                    writer.grab_frame()
        os.replace(tmp, self.path)
        plt.close(fig)
        if PRINT_WRITES:
            print(f"wrote {self.path}")


def write_gif(path, fig, frames, update, fps):
    """Streams a looping GIF: each frame restores the static background, draws update(frame)'s
    artists, and is encoded at once with one palette (Pillow's own GIF writer keeps every frame)."""
    from PIL import GifImagePlugin, Image

    canvas = fig.canvas
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    palette = None
    with open(path, "wb") as f:
        for frame in frames:
            canvas.restore_region(background)
            for artist in update(frame):
                fig.draw_artist(artist)
            image = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
            if palette is None:  # the first frame shows every colour of the figure
                palette = image.quantize(colors=64)
                f.write(b"".join(GifImagePlugin.getheader(palette, info={"loop": 0})[0]))
            frame_image = image.quantize(palette=palette, dither=Image.Dither.NONE)
            f.write(b"".join(GifImagePlugin.getdata(frame_image, duration=round(1000 / fps))))
        f.write(b";")


# ----------------------------------------------------------------------------- files


def temporary_path(path):
    folder, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=os.path.splitext(name)[1], dir=folder or ".")
    os.close(fd)
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; the renamed file gets the usual mode
    return tmp


def write_atomic(path, write):
    """Writes through write(file) to a temporary name in the same folder, then renames into place:
    a crash never leaves half a file."""
    tmp = temporary_path(path)
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    if PRINT_WRITES:
        print(f"wrote {path}")


PRINT_WRITES = True  # study workers leave it to the study's own line per run


def write_json(path, obj):
    write_atomic(path, lambda f: f.write(json.dumps(json_safe(obj), indent=2, sort_keys=True).encode() + b"\n"))


def json_safe(obj):
    """NaN and infinity become null: summary.json stays standard JSON."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def write_csv(path, rows, columns):
    def write(f):
        text = io.StringIO()
        writer = csv.DictWriter(text, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: format_value(row.get(k)) for k in columns})
        f.write(text.getvalue().encode())

    write_atomic(path, write)


def format_value(value):
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return value


def write_npy(path, array):
    write_atomic(path, lambda f: np.save(f, array))


# ----------------------------------------------------------------------------- a run


class StopRequest:
    """SIGINT/SIGTERM ask training to stop after the current chunk of steps; a second one stops at once."""

    def __init__(self, event=None):
        self.requested, self.event = False, event

    def __enter__(self):
        # a study's workers are asked through the event; their signals stay as the pool set them
        in_main = multiprocessing.parent_process() is None
        signals = (signal.SIGINT, signal.SIGTERM) if in_main else ()
        self._previous = {s: signal.signal(s, self._handle) for s in signals}
        return self

    def __exit__(self, *exc):
        for s, handler in self._previous.items():
            signal.signal(s, handler)

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print(f"\n{signal.Signals(signum).name}: stopping after the current steps (again to stop at once)", flush=True)

    def __bool__(self):
        return self.requested or (self.event is not None and self.event.is_set())


class Trainer:
    """Trains in chunks of steps between evaluations, logs, evaluates, stops early, keeps the best
    weights, stops on divergence or a signal, and checkpoints."""

    def __init__(self, session, gan, grid, args, rng, run_dir, stop):
        self.session, self.gan, self.grid, self.args, self.rng = session, gan, grid, args, rng
        self.run_dir, self.stop = run_dir, stop
        self.data = DataDistribution(args.mu, args.sigma, rng)
        self.gen = GeneratorDistribution(args.noise_range, rng)
        self.state = {"step": 0, "rows": [], "streak": 0, "best": None, "sum_d": 0.0, "sum_g": 0.0, "count": 0}
        self.status, self.diverged_step, self.last_finite = "completed", None, None
        self.frames = AnimationFrames(args.anim_path, grid) if args.anim_path else None
        self.weights = gan.d_params + gan.g_params + list(gan.ema.values())
        self.summaries = tf.summary.FileWriter(args.logdir, session.graph) if args.logdir else None
        self.metrics_thread, self.pending = concurrent.futures.ThreadPoolExecutor(1), None
        self.started = time.time()

    def fit(self):
        self.session.run(self.gan.init)
        if self.args.resume and restore_checkpoint(self):
            self.log(f"resumed from step {self.state['step']}")
        else:
            pretrain(self.session, self.gan, self.rng, self.args)
            self.evaluate()
        while self.state["step"] < self.args.num_steps and self.status == "completed":
            if self.stop:
                self.status = "interrupted"
                break
            self.train_chunk()
        self.record_pending()
        self.metrics_thread.shutdown()
        self.training_seconds = time.time() - self.started  # pretraining, training and evaluations
        if self.status == "interrupted":
            save_checkpoint(self)
        return self.finish()

    def train_chunk(self):
        args, state = self.args, self.state
        start = state["step"]
        end = next_boundary(start, args)
        loss_d, loss_g = train_steps(self.session, self.gan, sample_steps(self.data, self.gen, end - start, args), args)
        bad = ~(np.isfinite(loss_d) & np.isfinite(loss_g))
        if bad.any():
            self.status, self.diverged_step = "diverged", start + int(np.argmax(bad)) + 1
            return
        state.update(step=end, sum_d=state["sum_d"] + loss_d.sum(), sum_g=state["sum_g"] + loss_g.sum())
        state["count"] += end - start
        if end % args.eval_every == 0 or end == args.num_steps:
            self.evaluate()
        elif self.frames is not None and end % args.anim_every == 0:
            self.frames.add(end, *evaluate_grid(self.session, self.gan, self.grid)[:2])
        if args.checkpoint_every and end % args.checkpoint_every == 0 and self.status == "completed":
            self.record_pending()
            save_checkpoint(self)

    def evaluate(self):
        """One evaluation: G on the z grid now; its metrics on a second thread while training goes on
        (at once with --early-stop or --keep-best, whose decisions need them before the next step)."""
        args, state, step = self.args, self.state, self.state["step"]
        extra = [self.gan.eval_histogram] if self.summaries else []
        frame = self.frames is not None and step % args.anim_every == 0
        samples, decision, summaries = evaluate_grid(self.session, self.gan, self.grid, extra, decision=frame)
        self.record_pending()
        if not np.all(np.isfinite(samples)):
            self.status, self.diverged_step = "diverged", step
            return
        self.last_finite = (step, samples)
        if frame:
            self.frames.add(step, samples, decision)
        lr_d, lr_g = self.session.run([self.gan.lr_d, self.gan.lr_g])
        count = state["count"] or math.nan  # no loss before the first step
        row = {"step": step, "loss_d": state["sum_d"] / count, "loss_g": state["sum_g"] / count}
        row.update(lr_d=float(lr_d), lr_g=float(lr_g), elapsed=time.time() - self.started)
        state.update(sum_d=0.0, sum_g=0.0, count=0)
        self.pending = (row, self.metrics_thread.submit(metrics, samples, self.grid, args), summaries)
        if args.early_stop or args.keep_best:
            self.record_pending()

    def record_pending(self):
        """Completes the evaluation in flight: its row, log line, summaries, best weights, early stop."""
        if self.pending is None:
            return
        (row, future, summaries), self.pending = self.pending, None
        args, state = self.args, self.state
        row.update(future.result())
        state["rows"].append(row)
        self.write_summaries(row, summaries)
        if args.keep_best and (state["best"] is None or row["w1"] < state["best"]["w1"]):
            state["best"] = {"w1": row["w1"], "step": row["step"], "weights": self.session.run(self.weights)}
        state["streak"] = state["streak"] + 1 if args.early_stop and row["w1"] <= args.early_stop else 0
        if row["step"] % args.log_every == 0 or row["step"] == args.num_steps:
            self.log_progress(row)
        if args.early_stop and state["streak"] >= args.patience:
            self.status = "early_stopped"

    def write_summaries(self, row, summaries):
        if self.summaries is None:
            return
        tags = {"losses/d": "loss_d", "losses/g": "loss_g", "lr/d": "lr_d", "lr/g": "lr_g"}
        tags.update({f"eval/{m}": m for m in METRIC_NAMES if m != "kde_nll"})
        values = [tf.Summary.Value(tag=tag, simple_value=row[key]) for tag, key in tags.items()]
        self.summaries.add_summary(tf.Summary(value=values), row["step"])
        for summary in summaries:
            self.summaries.add_summary(summary, row["step"])

    def log_progress(self, row):
        step, total, elapsed = row["step"], self.args.num_steps, row["elapsed"]
        left = elapsed / max(step, 1) * (total - step)
        self.log(
            f"step {step:>{len(str(total))}}/{total}  loss_d {row['loss_d']:.4f}  loss_g {row['loss_g']:.4f}  "
            f"w1 {row['w1']:.4f}  std_ratio {row['std_ratio']:.3f}  {elapsed:.1f}s elapsed, ~{left:.1f}s left"
        )

    def log(self, message):
        if not self.args.quiet:
            print(message, flush=True)

    def finish(self):
        """Final metrics (with the KDE), figures, samples and summary.json."""
        args, state = self.args, self.state
        note = ""
        if args.keep_best and state["best"] is not None and self.status != "diverged":
            for v, value in zip(self.weights, state["best"]["weights"], strict=True):
                v.load(value, self.session)
            note = f"best w1 kept: step {state['best']['step']}"
        if self.status == "diverged":
            self.log(
                f"diverged at step {self.diverged_step}: a loss or a generated sample is NaN or infinite. "
                "What usually helps: a lower --learning-rate, --preset 2017 or robust, another --seed."
            )
            step, samples = self.last_finite or (0, np.full(EVAL_POINTS, np.nan))
            decision = None
            final = {name: math.nan for name in METRIC_NAMES}
            note = f"diverged at step {self.diverged_step}; last finite: step {step}"
        else:
            samples, decision, _ = evaluate_grid(self.session, self.gan, self.grid)
            step = state["step"]
            final = metrics(samples, self.grid, args, with_kde=True)
        return write_outputs(self, samples, decision, final, note or f"step {step}, {self.status}")


def next_boundary(step, args):
    """The next step at which training pauses: an evaluation, log line, frame or checkpoint."""
    periods = [args.eval_every, args.log_every]
    periods += [args.anim_every] if args.anim_path else []
    periods += [args.checkpoint_every] if args.checkpoint_every else []
    return min([(step // p + 1) * p for p in periods] + [args.num_steps])


def write_outputs(trainer, samples, decision, final, note):
    args, state, run_dir = trainer.args, trainer.state, trainer.run_dir
    w1 = final["w1"]
    plot_distributions(
        os.path.join(run_dir, "distributions.png"),
        (samples, decision),
        trainer.grid,
        args,
        note=f"{note}\nw1 {w1:.3f}  std ratio {final['std_ratio']:.2f}" if math.isfinite(w1) else note,
    )
    columns = ["step", "loss_d", "loss_g", "lr_d", "lr_g", *METRIC_NAMES]  # "elapsed" stays out: it varies
    write_csv(os.path.join(run_dir, "metrics.csv"), state["rows"], columns)
    if state["rows"]:
        plot_training(os.path.join(run_dir, "training.png"), state["rows"], args)
    write_npy(os.path.join(run_dir, "samples.npy"), samples.astype(np.float32))
    summary = {
        "status": trainer.status,
        "steps": state["step"],
        "diverged_step": trainer.diverged_step,
        "best_step": state["best"]["step"] if args.keep_best and state["best"] else None,
        "wall_seconds": round(time.time() - trainer.started, 3),
        "training_seconds": round(trainer.training_seconds, 3),
        **final,
        "config": config_dict(args),
    }
    write_json(os.path.join(run_dir, "summary.json"), summary)
    if trainer.frames is not None and trainer.frames.frames:
        trainer.frames.save()
    if trainer.summaries is not None:
        trainer.summaries.close()
        print(f"wrote TensorBoard events to {args.logdir}")
    return summary


def save_checkpoint(trainer):
    """The session's variables (tf.train.Saver, last 3 kept) plus what numpy and the loop hold."""
    folder = os.path.join(trainer.run_dir, "checkpoints")
    os.makedirs(folder, exist_ok=True)
    step = trainer.state["step"]
    trainer.gan.saver.save(trainer.session, os.path.join(folder, "model"), global_step=step)
    extra = {"rng": trainer.rng.get_state(), "state": trainer.state, "frames": trainer.frames and trainer.frames.frames}
    write_atomic(os.path.join(folder, f"state-{step}.npy"), lambda f: np.save(f, np.array(extra, dtype=object)))
    kept = {f"state-{path.rsplit('-', 1)[1]}.npy" for path in trainer.gan.saver.last_checkpoints}
    for name in os.listdir(folder):
        if name.startswith("state-") and name not in kept:
            os.remove(os.path.join(folder, name))


def restore_checkpoint(trainer):
    folder = os.path.join(trainer.run_dir, "checkpoints")
    latest = tf.train.latest_checkpoint(folder) if os.path.isdir(folder) else None
    if latest is None:
        return False
    trainer.gan.saver.restore(trainer.session, latest)
    step = int(latest.rsplit("-", 1)[1])
    extra = np.load(os.path.join(folder, f"state-{step}.npy"), allow_pickle=True).item()
    trainer.rng.set_state(extra["rng"])
    trainer.state = extra["state"]
    if trainer.frames is not None and extra["frames"]:
        trainer.frames.frames = extra["frames"]
    return True


def unfinished_checkpoint(run_dir):
    """True when run_dir holds checkpoints of a run that did not complete."""
    if not os.path.isdir(os.path.join(run_dir, "checkpoints")):
        return False
    try:
        with open(os.path.join(run_dir, "summary.json")) as f:
            return json.load(f)["status"] not in ("completed", "early_stopped", "diverged")
    except (OSError, ValueError, KeyError):
        return True


def session_config():
    config = tf.ConfigProto()  # default thread pools: one thread each made every session.run slower here
    # grappler's graph rewrites cost ~0.3 s at the first run of each loop and gain nothing on ops this small
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return config


def run(args, stop_event=None):
    """One training run in <out-dir>/<run-name>/; returns its summary."""
    run_dir = os.path.join(args.out_dir, args.run_name)
    if unfinished_checkpoint(run_dir) and not (args.resume or args.overwrite):
        raise RunError(
            f"{run_dir} holds an unfinished run with checkpoints: continue it with --resume, or start it "
            "again with --overwrite"
        )
    if args.overwrite and os.path.isdir(os.path.join(run_dir, "checkpoints")):
        shutil.rmtree(os.path.join(run_dir, "checkpoints"))
    os.makedirs(run_dir, exist_ok=True)
    write_json(os.path.join(run_dir, "config.json"), config_dict(args))
    with tf.Graph().as_default() as graph:
        # --- seeding: numpy's stream feeds the data and noise, TensorFlow's the initial weights
        tf.set_random_seed(args.seed)
        rng = np.random.RandomState(args.seed)
        gan = GAN(args)
        grid = EvalGrid(args)
        graph.finalize()
        with native_stderr_silenced():
            session = tf.Session(config=session_config())
        with session, StopRequest(stop_event) as stop:
            return train(session, gan, grid, args, rng, run_dir, stop)


def train(session, gan, grid, args, rng, run_dir, stop):
    """The reference's train(): pretrain D, then alternate D and G updates; here in chunks, with
    evaluations, checkpoints, early stopping and clean stops. Returns the run's summary."""
    return Trainer(session, gan, grid, args, rng, run_dir, stop).fit()


class RunError(Exception):
    """A run that cannot start as asked; main prints its message."""


def config_dict(args):
    config = {k: v for k, v in vars(args).items() if not k.startswith("_")}
    config["versions"] = {"tensorflow": tf.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    return config


# ----------------------------------------------------------------------------- the study


STUDY_COLUMNS = ["preset", "minibatch", "seed", "status", "steps", *METRIC_NAMES, "wall_seconds", "run_dir"]


def study_runs(args):
    """Every run of the study: each preset, with and without minibatch if --compare, each seed."""
    minibatch = [False, True] if args.compare else [args.minibatch]
    runs = []
    for preset in args.preset:
        for mb in minibatch:
            for seed in range(args.seed, args.seed + args.seeds):
                raw = argparse.Namespace(**{**vars(args._raw), "preset": [preset], "minibatch": mb, "seed": seed})
                raw._explicit = args._explicit | {"minibatch"}
                run_args = resolve(raw)
                run_args.update(quiet=True, resume=True, run_name=run_name(raw, run_args))
                runs.append(argparse.Namespace(**run_args))
    return runs


def study_dir(args):
    base = run_name(args, vars(args), with_seed=False, skip={"minibatch"} if args.compare else set()).replace(",", "+")
    return os.path.join(args.out_dir, f"study_{base}_seeds-{args.seed}-{args.seed + args.seeds - 1}")


def run_study(args):
    folder = study_dir(args)
    os.makedirs(folder, exist_ok=True)
    runs = study_runs(args)
    for r in runs:
        r.out_dir = folder
    print(f"study: {len(runs)} runs in {folder}, {args.jobs} worker process(es)")
    started, results = time.time(), []
    context = multiprocessing.get_context("spawn")
    stop_event = context.Event()
    with context.Pool(args.jobs, initializer=_init_worker, initargs=(stop_event,)) as pool, StopRequest() as stop:
        pending = pool.imap_unordered(run_in_worker, runs)
        while len(results) < len(runs):
            try:
                result = pending.next(timeout=0.5)
            except multiprocessing.TimeoutError:
                if stop:
                    stop_event.set()
                continue
            results.append(result)
            print(f"[{len(results)}/{len(runs)}] {describe_result(result)}", flush=True)
    results.sort(key=lambda r: (args.preset.index(r["preset"]), r["minibatch"], r["seed"]))
    write_study(folder, results, time.time() - started)
    interrupted = any(r["status"] in ("interrupted", "skipped") for r in results)
    if interrupted:
        print("study interrupted: run the same command again to finish it (completed runs are kept)")
    return EXIT_INTERRUPTED if interrupted else 0


def _init_worker(stop_event):
    global _STOP_EVENT, PRINT_WRITES
    _STOP_EVENT, PRINT_WRITES = stop_event, False
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent asks the workers to stop through the event


_STOP_EVENT = None


def run_in_worker(args):
    """One study run; a completed run already on disk is read back, a failure is recorded."""
    result = {"preset": args.preset[0], "minibatch": args.minibatch, "seed": args.seed}
    run_dir = os.path.join(args.out_dir, args.run_name)
    result["run_dir"] = run_dir
    done = read_summary(run_dir)
    if done is not None and done["status"] in ("completed", "early_stopped", "diverged") and same_settings(done, args):
        return {**result, **done, "reused": True}
    if _STOP_EVENT is not None and _STOP_EVENT.is_set():
        return {**result, "status": "skipped"}
    try:
        return {**result, **run(args, _STOP_EVENT)}
    except Exception as error:  # recorded, and the study goes on
        return {**result, "status": "failed", "error": f"{type(error).__name__}: {error}"}


def same_settings(summary, args):
    """True when a finished run on disk was made with the settings that change results."""
    saved = summary.get("config", {})
    keys = [k for k in vars(args) if k in saved and k not in OUTPUT_FLAGS]  # a flag newer than the run: its default
    return all(saved[k] == getattr(args, k) for k in keys)


def read_summary(run_dir):
    try:
        with open(os.path.join(run_dir, "summary.json")) as f:
            return {k: (math.nan if v is None and k in METRIC_NAMES else v) for k, v in json.load(f).items()}
    except (OSError, ValueError):
        return None


def describe_result(r):
    text = f"{r['preset']} {'minibatch' if r['minibatch'] else 'no minibatch'} seed {r['seed']}: {r['status']}"
    if "w1" in r:
        text += f"  w1 {r['w1']:.4f}  std_ratio {r['std_ratio']:.3f}"
    if "wall_seconds" in r:
        text += f"  ({r['wall_seconds']:.1f} s{', from disk' if r.get('reused') else ''})"
    return text + (f"  {r['error']}" if "error" in r else "")


def is_converged(r):
    return (
        r["status"] in ("completed", "early_stopped")
        and r["w1"] <= CONVERGED_W1
        and r["outside_fraction"] <= CONVERGED_OUTSIDE
    )


def is_accurate(r):
    low, high = ACCURATE_STD_RATIO
    return r["status"] in ("completed", "early_stopped") and r["w1"] <= ACCURATE_W1 and low <= r["std_ratio"] <= high


def configurations(results):
    groups = {}
    for r in results:
        groups.setdefault((r["preset"], r["minibatch"]), []).append(r)
    return groups


def quartiles(values):
    values = [v for v in values if math.isfinite(v)]
    return np.percentile(values, [25, 50, 75]) if values else [math.nan] * 3


def summary_table(results):
    lines = [
        "| preset | minibatch | runs | converged | accurate | diverged | failed | w1 median [IQR] | std ratio median [IQR] |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (preset, mb), rs in configurations(results).items():
        w1 = quartiles([r.get("w1", math.nan) for r in rs])
        sr = quartiles([r.get("std_ratio", math.nan) for r in rs])
        lines.append(
            f"| {preset} | {'yes' if mb else 'no'} | {len(rs)} | {sum(map(is_converged, rs))} | "
            f"{sum(map(is_accurate, rs))} | {sum(r['status'] == 'diverged' for r in rs)} | "
            f"{sum(r['status'] in ('failed', 'interrupted', 'skipped') for r in rs)} | "
            f"{w1[1]:.3f} [{w1[0]:.3f}, {w1[2]:.3f}] | {sr[1]:.2f} [{sr[0]:.2f}, {sr[2]:.2f}] |"
        )
    return "\n".join(lines)


def write_study(folder, results, wall_seconds):
    rows = [{**r, **{m: r.get(m, math.nan) for m in METRIC_NAMES}} for r in results]
    write_csv(os.path.join(folder, "results.csv"), rows, STUDY_COLUMNS)
    low, high = ACCURATE_STD_RATIO
    run_seconds = sum(r.get("wall_seconds") or 0 for r in results)
    text = (
        f"# Study: {len(results)} runs\n\nThis invocation: {wall_seconds:.0f} s; the runs' own times, added up: "
        f"{run_seconds:.0f} s.\n\n{summary_table(results)}\n\n"
        f"- converged: finished (not diverged), w1 <= {CONVERGED_W1} and outside_fraction <= {CONVERGED_OUTSIDE:.0%}"
        f" (samples beyond mu +- 4 sigma)\n"
        f"- accurate: finished, w1 <= {ACCURATE_W1} and {low} <= std_ratio <= {high}\n"
        "- failed: the run raised an error, was interrupted or was not started\n"
        f"- w1, std ratio: final metrics on {EVAL_POINTS:,} generated samples; quartiles over finished runs\n"
    )
    write_atomic(os.path.join(folder, "summary.md"), lambda f: f.write(text.encode()))
    plot_study(os.path.join(folder, "study.png"), results)
    print(text)


def plot_study(path, results):
    """Each run's final w1 and std ratio per configuration, and every run's final histogram."""
    groups = configurations(results)
    labels = [f"{p}\n{'minibatch' if mb else 'plain'}" for p, mb in groups]
    seeds = sorted({r["seed"] for r in results})
    fig = plt.figure(figsize=(max(10, 0.9 * len(seeds)), 4 + 1.3 * len(groups)))
    spec = fig.add_gridspec(1 + len(groups), len(seeds), height_ratios=[3] + [1] * len(groups))
    top = spec[0, :].subgridspec(1, 2)
    panels = [
        ("w1", "final Wasserstein-1", 0.1, [(ACCURATE_W1, "accurate"), (CONVERGED_W1, "converged")]),
        ("std_ratio", "final std ratio (data: 1)", 1.0, [(v, "accurate") for v in ACCURATE_STD_RATIO]),
    ]
    for col, (key, title, linthresh, thresholds) in enumerate(panels):
        ax = fig.add_subplot(top[0, col])
        for i, rs in enumerate(groups.values()):
            values = np.array([r.get(key, math.nan) for r in rs], dtype=float)
            ax.scatter(i + np.linspace(-0.15, 0.15, len(values)), values, s=14, alpha=0.7)
            nan = int(np.sum(~np.isfinite(values)))
            ax.text(i, 1.0, f"{nan} NaN", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7)
        for value, name in thresholds:
            ax.axhline(value, color="gray", ls="--", lw=1)
            ax.text(len(groups) - 0.5, value, f" {name}", fontsize=7, va="center", color="gray")
        ax.set_xticks(range(len(labels)), labels, fontsize=8)
        ax.set_yscale("symlog", linthresh=linthresh)  # linear near 0, logarithmic for the far failures
        ax.set_ylim(bottom=0)
        ax.set_title(title, pad=14)
    plot_histogram_grid(fig, spec, groups, seeds, labels)
    fig.tight_layout()
    save_figure(fig, path)


def plot_histogram_grid(fig, spec, groups, seeds, labels):
    for row, rs in enumerate(groups.values(), start=1):
        by_seed = {r["seed"]: r for r in rs}
        for col, seed in enumerate(seeds):
            ax = fig.add_subplot(spec[row, col])
            r = by_seed.get(seed)
            config = (r or {}).get("config") or {}
            mu, sigma = config.get("mu", 4.0), config.get("sigma", 0.5)
            xs = np.linspace(mu - 5 * sigma, mu + 5 * sigma, 200)
            ax.fill_between(xs, stats.norm.pdf(xs, mu, sigma), color="lightgray")
            samples = load_samples(r)
            if samples is not None:
                bins = np.linspace(xs[0], xs[-1], 40)
                ax.stairs(density(samples, bins), bins, color="C1")
            ax.set(xticks=[], yticks=[], xlim=(xs[0], xs[-1]))
            ax.set_title(f"{seed}: {(r or {}).get('status', '-')[:4]}", fontsize=7)
            if col == 0:
                ax.set_ylabel(labels[row - 1], fontsize=7)


def load_samples(result):
    if not result or result.get("status") not in ("completed", "early_stopped"):
        return None
    path = os.path.join(result["run_dir"], "samples.npy")
    return np.load(path) if os.path.exists(path) else None


# ----------------------------------------------------------------------------- command line


# Presets are sets of flag values; explicit flags win over them.
PRESETS = {
    "2016": {},  # the defaults: the 2016 reference code
    "2017": {
        "optimizer": "adam",
        "learning_rate": 0.001,
        "decay_rate": 1.0,
        "activation": "relu",
        "pretrain_steps": 0,
        "loss": "clamp",
        "num_steps": 5000,
        "batch_size": 8,
    },
    "robust": {
        "g_input_scale": 0.125,
        "d_input_scale": 0.25,
        "g_init": 0.1,
        "r1": 0.1,
        "d_steps": 3,
        "optimizer": "adam",
        "learning_rate": 0.001,
        "beta1": 0.5,
        "decay_rate": 1.0,
        "pretrain_steps": 0,
        "num_steps": 6000,
        "ema": 0.995,
        "log_every": 100,
    },
}
PRESETS_MINIBATCH = {"robust": {"d_init": 0.3, "d_steps": 5}}  # applied on top with --minibatch

# Flags that change where or how results are written, not the results: left out of run names.
OUTPUT_FLAGS = {
    "out_dir",
    "run_name",
    "anim_path",
    "anim_every",
    "logdir",
    "jobs",
    "resume",
    "overwrite",
    "checkpoint_every",
    "quiet",
    "seed",
    "preset",
    "seeds",
    "compare",
    "loop",
}


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line, no usage block: the flag, the value and what is allowed."""
        self.exit(EXIT_BAD_FLAG, f"{self.prog}: error: {message}\n")


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


def preset_list(text):
    names = text.split(",")
    for name in names:
        if name not in PRESETS:
            raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(PRESETS)}")
    return names


def build_parser():
    parser = Parser(prog="gan.py", description=__doc__.split("\n\n")[0])
    defaults = {}

    def add(flag, default, text, **kw):
        action = parser.add_argument(flag, default=None, help=f"{text} (default: {default})", **kw)
        defaults[action.dest] = default

    add(
        "--preset",
        ["2016"],
        "hyperparameters at once: 2016 or 2017 reference code, or robust; a comma list in a study",
        type=preset_list,
    )
    add("--minibatch", False, "minibatch discrimination in D", action=argparse.BooleanOptionalAction)
    add("--num-steps", 1200, "training steps", type=positive_int)
    add("--batch-size", 12, "samples per batch (>= 2 with --minibatch)", type=positive_int)
    add("--hidden-size", 4, "G's hidden units; D is twice as wide", type=positive_int)
    add(
        "--learning-rate",
        "0.005 with --minibatch, 0.03 without, 0.001 with adam",
        "initial learning rate",
        type=positive,
    )
    add("--decay-rate", 0.95, "learning-rate decay factor per --decay-steps (1 = none)", type=decay)
    add("--decay-steps", 150, "steps between learning-rate decays (staircase)", type=positive_int)
    add("--optimizer", "sgd", "optimizer of D_pre, D and G", choices=["sgd", "adam"])
    add("--beta1", 0.9, "Adam's beta1", type=fraction)
    add("--beta2", 0.999, "Adam's beta2", type=fraction)
    add("--activation", "tanh", "D's hidden activation", choices=["tanh", "relu"])
    add(
        "--loss",
        "logits",
        "logits: the reference loss computed safely from D's logits; clamp: the 2017 log(max(p, 1e-5))",
        choices=["logits", "clamp"],
    )
    add("--pretrain-steps", 1000, "least-squares pretraining steps of D_pre (0 = none)", type=count)
    add("--num-kernels", 5, "minibatch discrimination kernels", type=positive_int)
    add("--kernel-dim", 3, "minibatch discrimination kernel dimension", type=positive_int)
    add("--d-steps", 1, "D updates per G update, each on fresh data", type=positive_int)
    add("--r1", 0.0, "R1 gradient penalty weight gamma on real data (0 = none)", type=non_negative)
    add("--g-input-scale", 1.0, "G's noise is multiplied by this before its first layer", type=positive)
    add("--d-input-scale", 1.0, "D's input is multiplied by this before its first layer", type=positive)
    add("--g-init", 1.0, "std of G's initial weights", type=positive)
    add("--d-init", 1.0, "std of D's initial weights (the minibatch layer keeps 0.02)", type=positive)
    add(
        "--ema",
        0.0,
        "decay of an exponential moving average of G's weights used for evaluation (0 = none)",
        type=fraction,
    )
    add("--mu", 4.0, "mean of the data", type=finite)
    add("--sigma", 0.5, "standard deviation of the data", type=positive)
    add("--noise-range", 8.0, "G's noise is spread over [-range, range]; also the plotted range", type=positive)
    add("--seed", 42, "seeds numpy and TensorFlow; a study's first seed", type=count)
    add("--log-every", 10, "steps between log lines", type=positive_int)
    add("--eval-every", "--log-every", "steps between evaluations", type=positive_int)
    add("--early-stop", 0.0, "stop once w1 <= this for --patience evaluations (0 = never)", type=non_negative)
    add("--patience", 3, "evaluations for --early-stop", type=positive_int)
    add(
        "--keep-best",
        False,
        "end with the weights of the evaluation with the lowest w1",
        action=argparse.BooleanOptionalAction,
    )
    add(
        "--loop",
        "graph",
        "graph: many steps per session.run in a tf.while_loop; feed: the reference's two session.run per step (same numbers, slower)",
        choices=["graph", "feed"],
    )
    add(
        "--xla",
        False,
        "compile the training loop with XLA: faster after a few seconds of compiling; not bit-identical to --loop feed",
        action="store_true",
    )
    add("--out-dir", "plots", "folder of the run folders", type=str)
    add(
        "--run-name",
        "derived from the settings that differ from the defaults, and the seed",
        "run folder name",
        type=str,
    )
    add("--anim-path", None, "save the training animation here (.gif, or .mp4 with ffmpeg)", type=str)
    add("--anim-every", 1, "steps per animation frame", type=positive_int)
    add("--logdir", None, "also write TensorBoard summaries here", type=str)
    add("--checkpoint-every", 0, "steps between checkpoints in the run folder (0 = only when interrupted)", type=count)
    add("--resume", False, "continue the run from its folder's last checkpoint", action="store_true")
    add("--overwrite", False, "start again a run whose folder holds an unfinished run", action="store_true")
    add("--seeds", 0, "a study: this many seeds from --seed (0 = one run)", type=count)
    add("--compare", False, "a study with and without minibatch discrimination", action="store_true")
    add("--jobs", "the number of cores", "worker processes of a study", type=positive_int)
    add("--quiet", False, "no log lines", action="store_true")
    return parser, defaults


def parse_args(argv=None):
    """Parses and checks every flag (before TensorFlow is imported); returns the resolved settings."""
    parser, _ = build_parser()
    raw = parser.parse_args(argv)
    raw._explicit = {k for k, v in vars(raw).items() if v is not None}
    if raw.seeds:
        args = argparse.Namespace(**resolve(raw, study=True))
    else:
        if raw.preset is not None and len(raw.preset) > 1:
            parser.error(
                f"argument --preset: {','.join(raw.preset)!r} names several presets, which only a study (--seeds) runs"
            )
        resolved = resolve(raw)
        resolved["run_name"] = resolved["run_name"] or run_name(raw, resolved)
        args = argparse.Namespace(**resolved)
    args._explicit, args._raw = raw._explicit, raw
    problem = check_combinations(args)
    if problem:
        parser.error(problem)
    return args


def resolve(raw, study=False):
    """Flag values: the 2016 defaults, then the preset's, then the flags given."""
    _, defaults = build_parser()
    preset = (raw.preset or defaults["preset"])[0]
    values = {**defaults, **PRESETS[preset]}
    explicit = {k: v for k, v in vars(raw).items() if v is not None and not k.startswith("_")}
    if explicit.get("minibatch"):
        values.update(PRESETS_MINIBATCH.get(preset, {}))
    values.update(explicit)
    values["preset"] = raw.preset or defaults["preset"]
    if values["learning_rate"] == defaults["learning_rate"]:
        values["learning_rate"] = 0.001 if values["optimizer"] == "adam" else 0.005 if values["minibatch"] else 0.03
    if values["eval_every"] == defaults["eval_every"]:
        values["eval_every"] = values["log_every"]
    if values["run_name"] == defaults["run_name"]:
        values["run_name"] = None
    if values["jobs"] == defaults["jobs"]:
        values["jobs"] = os.cpu_count() or 1
    return values


def run_name(raw, resolved, with_seed=True, skip=frozenset()):
    """The preset, each result-changing flag given, and the seed: e.g. 2016_minibatch_seed-42."""
    parts = [",".join(resolved["preset"])]
    for key in sorted(raw._explicit - OUTPUT_FLAGS - set(skip)):
        value = resolved[key]
        flag = key.replace("_", "-")
        parts.append(
            flag
            if value is True
            else f"no-{flag}"
            if value is False
            else f"{flag}-{value:g}"
            if isinstance(value, float)
            else f"{flag}-{value}"
        )
    if with_seed:
        parts.append(f"seed-{resolved['seed']}")
    return "_".join(parts)


def check_combinations(args):
    """Checks between flags, and of the paths to be written; returns the problem or None."""
    minibatch_runs = args.compare or args.minibatch
    if minibatch_runs and args.batch_size < 2:
        return f"argument --batch-size: {args.batch_size} is too small for minibatch discrimination, which needs >= 2"
    if args.anim_path:
        ext = os.path.splitext(args.anim_path)[1].lower()
        if ext not in (".gif", ".mp4"):
            return f"argument --anim-path: {args.anim_path!r} must end in .gif or .mp4"
        if ext == ".mp4" and shutil.which("ffmpeg") is None:
            return f"argument --anim-path: {args.anim_path!r} needs ffmpeg, which is not installed; use a .gif path"
        if args.seeds:
            return "argument --anim-path: a study (--seeds) saves no animation"
    if args.run_name is not None and (
        os.sep in args.run_name or "/" in args.run_name or args.run_name in (".", "..", "")
    ):
        return f"argument --run-name: {args.run_name!r} must be a plain folder name, without a path separator"
    if args.xla and args.loop == "feed":
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


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.seeds:
            return run_study(args)
        summary = run(args)
    except RunError as error:
        print(f"gan.py: error: {error}", file=sys.stderr)
        return EXIT_BAD_FLAG
    except KeyboardInterrupt:
        print("stopped at once: files of this run may be from an earlier step", file=sys.stderr)
        return EXIT_INTERRUPTED
    return {"diverged": EXIT_DIVERGED, "interrupted": EXIT_INTERRUPTED}.get(summary["status"], 0)


if __name__ == "__main__":
    sys.exit(main())
