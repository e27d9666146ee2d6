"""A 1-D Generative Adversarial Network: learn N(mu, sigma) from samples.

A port of the 2016 AYLIEN tutorial code (after Eric Jang, Goodfellow et al. 2014 and the
minibatch discrimination of Salimans et al. 2016) to TensorFlow 1.x-style graphs running on
TensorFlow 2 through `tf.compat.v1`, with the question the tutorial left open answered by
numbers: every run is measured against the known data distribution.

    python gan.py --minibatch                  # one run, figures in plots/<run-name>/
    python gan.py --seeds 10 --compare         # a study: 10 seeds, with and without minibatch

This file is the tutorial: data and noise, the networks, the losses, the optimiser, the graph,
pretraining and the alternating training loop, main() and parse_args(). The run's machinery,
evaluation, figures, files, studies and flag checks live in the package `gan1d/`.
"""

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from gan1d import flags, runner, sampling, study
from gan1d.cures import Cures
from gan1d.files import RunError
from gan1d.lazy import tf
from gan1d.loops import EvaluationOps, FineTuning, TrainingLoops
from gan1d.mixture import Mixture
from gan1d.noise import noise_half_width, shaped
from gan1d.optim import MemberOptimizer
from gan1d.population import MemberAxis, empty_feeds, initial_values
from gan1d.runner import Tutorial
from gan1d.settings import FlagParser
from gan1d.sources import source_of
from gan1d.spread import load_generator, spread_starts

# ----------------------------------------------------------------------------- data and noise


class DataDistribution:
    """The real data, returned sorted as in the reference: N(mu, sigma) drawn as np.random.normal draws
    it, a mixture of such modes, or a data file's training part (the source: gan1d/sources.py)."""

    def __init__(self, source, rng):
        self.source, self.rng = source, rng

    def sample(self, n):
        samples = self.draw(n)
        samples.sort()
        return samples

    def draw(self, n):
        """n draws as they come, unsorted."""
        return self.source.sample(self.rng, n)


class GeneratorDistribution:
    """The generator's noise, "stratified": evenly spaced over [-range, range], then jittered; with
    kind "normal" (--noise normal), the standard normal quantiles of those same stratified points."""

    def __init__(self, noise_range, rng, kind="uniform"):
        self.range, self.rng, self.kind = noise_range, rng, kind
        self._grids = {}  # the evenly spaced part is the same every call: compute it once per n

    def sample(self, n):
        return self.stratified(self.jitter(n))

    def jitter(self, n):
        """The n uniform draws on [0, 1) that jitter the grid's points."""
        return self.rng.random_sample(n)

    def stratified(self, u):
        """The noise for jitters u (..., n), computed over u: each of the n grid points moved up by 0.01 u,
        shaped."""
        n = u.shape[-1]
        if n not in self._grids:
            self._grids[n] = np.linspace(-self.range, self.range, n)
        u *= 0.01
        u += self._grids[n]
        return shaped(u, self.range, n, self.kind)


# ----------------------------------------------------------------------------- networks


@dataclass(frozen=True)
class NetConfig:
    """The networks' settings beyond the reference's arguments. In a population the input scales
    are (N, 1, 1) columns, one value per member."""

    activation: str = "tanh"  # D's hidden activation
    g_input_scale: object = 1.0  # G's noise is multiplied by this before its first layer
    d_input_scale: object = 1.0  # D's input likewise
    g_init: float = 1.0  # std of G's initial weights
    d_init: float = 1.0  # std of D's initial weights (the minibatch layer keeps 0.02)
    num_kernels: int = 5  # minibatch discrimination
    kernel_dim: int = 3
    minibatch_group: int = None  # each sample is compared with the others of its group (None: its batch)

    @classmethod
    def of(cls, args, **overrides):
        return cls(**{**{f.name: getattr(args, f.name) for f in fields(cls)}, **overrides})


def linear(x, output_dim, scope, stddev=1.0):
    """x @ w + b, w ~ N(0, stddev^2), b = 0. A population's x (N, B, in) gets a w (N, in, out)
    and a b (N, 1, out) per member: every axis before the batch's is a member axis."""
    members = x.shape[:-2].as_list()  # [] for a single run, [N] for a population
    init = tf.random_normal_initializer(stddev=stddev)  # a population loads each member's own values
    with tf.variable_scope(scope):
        w = tf.get_variable("w", members + [x.shape[-1], output_dim], initializer=init)
        b_shape = members + [1, output_dim] if members else [output_dim]  # the reference's b: (out,)
        b = tf.get_variable("b", b_shape, initializer=tf.zeros_initializer())
    return tf.matmul(x, w) + b


def generator(z, h_dim, cfg=NetConfig()):
    """G(z): one softplus layer of h_dim units, then a linear output."""
    h0 = tf.nn.softplus(linear(z * cfg.g_input_scale, h_dim, "g0", cfg.g_init))
    return linear(h0, 1, "g1", cfg.g_init)


def minibatch(h, num_kernels=5, kernel_dim=3, group_size=None):
    """Minibatch discrimination: each sample's closeness to the others of its group (its batch,
    unless group_size is smaller). h (..., B, F) -> (..., B, F + K)."""
    x = linear(h, num_kernels * kernel_dim, "minibatch", stddev=0.02)
    *lead, batch, _ = x.shape.as_list()  # batch None: the evaluation grid, whole groups of group_size
    group = group_size or batch
    grouped = batch is None or group < batch
    shape = lead + ([-1, group] if grouped else [batch]) + [num_kernels, kernel_dim]
    activation = tf.reshape(x, shape)  # (..., B, K, D)
    per_dim = tf.unstack(activation, axis=-1)  # D of (..., B, K)
    abs_diffs = tf.add_n([tf.abs(tf.expand_dims(a, -2) - tf.expand_dims(a, -3)) for a in per_dim])  # (..., B, B, K)
    features = tf.reduce_sum(tf.exp(-abs_diffs), -2)  # (..., B, K)
    if grouped:  # (..., G, g, K) -> (..., B, K)
        features = tf.reshape(features, lead + [-1, num_kernels])
    return tf.concat([h, features], -1)


def discriminator(x, h_dim, minibatch_layer=True, cfg=NetConfig()):
    """The logit of D(x); sigmoid(logit) is the reference's D, the probability that x is real.
    Three layers of 2 * h_dim units, the third replaced by the minibatch layer if asked."""
    act = tf.tanh if cfg.activation == "tanh" else tf.nn.relu
    h0 = act(linear(x * cfg.d_input_scale, h_dim * 2, "d0", cfg.d_init))
    h1 = act(linear(h0, h_dim * 2, "d1", cfg.d_init))
    if minibatch_layer:
        h2 = minibatch(h1, cfg.num_kernels, cfg.kernel_dim, cfg.minibatch_group)
    else:
        h2 = act(linear(h1, h_dim * 2, "d2", cfg.d_init))
    return linear(h2, 1, "d3", cfg.d_init)


# ----------------------------------------------------------------------------- losses


def clamped_log(p):
    """The 2017 reference's log(max(p, 1e-5)): finite, but its gradient is 0 below the clamp."""
    return tf.log(tf.maximum(p, 1e-5))


class Loss(NamedTuple):
    """A pair of losses from D's logits l (a critic's values under wgan), per sample: D's, of
    (l_real, l_fake), and G's, of l_fake; and its help for --loss."""

    d: Callable
    g: Callable
    help: str


# Every loss, by its --loss name: a new loss is one entry here (docs/cures/losses.md). From D's
# logits, -log(sigmoid(l)) = softplus(-l) and log(1 - sigmoid(l)) = -softplus(l) never overflow.
# fmt: off
LOSSES = {
    "logits": Loss(lambda r, f: tf.nn.softplus(-r) + tf.nn.softplus(f),  # the reference's -log D(x) - log(1 - D(G(z)))
                   lambda f: tf.nn.softplus(-f),  # and its non-saturating -log D(G(z))
                   "the reference's non-saturating loss computed safely from D's logits"),
    "clamp": Loss(lambda r, f: -clamped_log(tf.sigmoid(r)) - clamped_log(1.0 - tf.sigmoid(f)),
                  lambda f: -clamped_log(tf.sigmoid(f)), "its 2017 form log(max(p, 1e-5))"),
    "minimax": Loss(lambda r, f: tf.nn.softplus(-r) + tf.nn.softplus(f),
                    lambda f: -tf.nn.softplus(f), "G's saturating log(1 - D(G(z))) (Goodfellow et al. 2014)"),
    "ls": Loss(lambda r, f: 0.5 * tf.square(r - 1.0) + 0.5 * tf.square(f),
               lambda f: 0.5 * tf.square(f - 1.0), "least squares (Mao et al. 2017, a, b, c = 0, 1, 1)"),
    "hinge": Loss(lambda r, f: tf.nn.relu(1.0 - r) + tf.nn.relu(1.0 + f), lambda f: -f, "hinge (Lim & Ye 2017)"),
    "wgan": Loss(lambda r, f: f - r, lambda f: -f, "a critic without the sigmoid, its loss -W1's estimate (Arjovsky et al. 2017)"),
}
# fmt: on


def loss_named(kind):
    if kind not in LOSSES:
        raise ValueError(f"unknown loss {kind!r}: one of {', '.join(LOSSES)}")
    return LOSSES[kind]


def d_loss_fn(l_real, l_fake, kind, axis=None):
    """D's loss, the mean of LOSSES[kind].d; axis: what the mean runs over (a population: each
    member's batch, giving one loss per member)."""
    return tf.reduce_mean(loss_named(kind).d(l_real, l_fake), axis)


def g_loss_fn(l_fake, kind, axis=None):
    """G's loss, the mean of LOSSES[kind].g."""
    return tf.reduce_mean(loss_named(kind).g(l_fake), axis)


# ----------------------------------------------------------------------------- optimiser


class Optimizer(NamedTuple):
    step: object  # its own step counter, as the reference gives each optimiser
    learning_rate: Callable  # read afresh wherever an update is built (inside the in-graph loop too)
    minimize: Callable  # (loss, var_list) -> the update, which counts the step


def optimizer(name, hp, decay_steps, kind="sgd"):
    """The reference's optimiser: gradient descent (or Adam, --optimizer adam) with a learning rate
    decayed in a staircase by exponential_decay. A population's members each have their own rates,
    which tf.train's scalar rate cannot hold: their optimiser is gan1d/optim.py's, the same updates."""
    step = tf.Variable(0, trainable=False, name=f"{name}_step", dtype=tf.int64)

    def learning_rate():
        return tf.train.exponential_decay(hp["learning_rate"], step, decay_steps, hp["decay_rate"], staircase=True)

    if kind == "adam":
        opt = tf.train.AdamOptimizer(learning_rate, beta1=hp["beta1"], beta2=hp["beta2"], name=f"{name}_adam")
    else:
        opt = tf.train.GradientDescentOptimizer(learning_rate, name=f"{name}_sgd")
    return Optimizer(
        step, learning_rate, lambda loss, var_list: opt.minimize(loss, global_step=step, var_list=var_list)
    )


# ----------------------------------------------------------------------------- the graph


class GAN:
    """The graph: D_pre (pretraining), G, D applied to real data (D1) and to G(z) (D2) with shared
    variables, and the reference's per-step updates, fed by placeholders (--loop feed) or run many
    steps per `session.run` in the in-graph loop. With members (a list of settings), a population:
    every tensor gains a leading member axis and every member its own weights, data and
    hyperparameters (PER_MEMBER); the code is the same. Its parts are each handed what they need:
    the member axis (gan1d/population.py), the cures (gan1d/cures.py), the in-graph loops and the
    evaluation ops (gan1d/loops.py)."""

    def __init__(self, args, members=None):
        self.args = args
        self.axis = MemberAxis(args, members)  # the run's hyperparameters, or each member's
        self.members, self.n, self.hp = self.axis.members, self.axis.n, self.axis.hp
        self.cures = Cures(args, self.axis)
        self.batch_shape = ([self.n] if self.n else []) + [args.batch_size, 1]  # (B, 1) or (N, B, 1)
        self.cfg = NetConfig.of(args, **self.axis.scales())
        self.mixture = Mixture(args, self.axis, self.cfg, linear, noise_half_width(args))  # --generators, --latent
        # The order in which the networks below are made fixes every initial weight: with a graph
        # seed set, a variable's op seed is the number of random ops made before it in the graph
        # (D_pre's, then G's, then D's). Make no random op before them, or every seed's weights (and
        # the 2016 and 2017 outputs) change.
        with tf.name_scope("inputs"):
            self.x = tf.placeholder(tf.float32, self.batch_shape, "x")
            self.z = tf.placeholder(tf.float32, self.batch_shape, "z")
            self.pre_input = tf.placeholder(tf.float32, self.batch_shape, "pre_input")
            self.pre_labels = tf.placeholder(tf.float32, self.batch_shape, "pre_labels")
        self.D_pre = tf.sigmoid(self.discriminate(self.pre_input, "D_pre"))
        self.mixture.build()
        self.G = self.generate(self.z)
        self.D1 = tf.sigmoid(self.discriminate(self.x))
        self.D2 = tf.sigmoid(self.discriminate(self.G))
        # --- from here on, the order is free
        self.Q = self.mixture.encode(self.x) if self.mixture.encoded else None  # its weights, before any loop
        self.d_pre_params = tf.trainable_variables("D_pre/")
        self.d_params = tf.trainable_variables("D/")
        self.g_params = tf.trainable_variables("G/")
        self.q_params = self.mixture.d_params  # the encoder's and the prior's, trained beside D
        with tf.name_scope("optimizers"):
            make = optimizer if self.n is None else MemberOptimizer  # one rate, or each member's
            g_hp = {**self.hp, "learning_rate": self.hp["g_learning_rate"]}  # two time scales (Heusel et al. 2017)
            self.pre_optimizer = make("pre", self.hp, args.decay_steps, args.optimizer)
            self.d_optimizer = make("d", self.hp, args.decay_steps, args.optimizer)
            self.g_optimizer = make("g", g_hp, args.decay_steps, args.optimizer)
            self.lr_d, self.lr_g = self.d_optimizer.learning_rate(), self.g_optimizer.learning_rate()
        self.ema = self.cures.ema_copies(self.g_params)  # G's moving average, if --ema
        if args.loop == "feed":  # the reference's per-step updates, fed through placeholders
            with tf.name_scope("train_step"):
                self.pre_loss, self.pre_opt = self.pretrain_update(self.pre_input, self.pre_labels)
                self.loss_d, self.opt_d = self.d_update(self.x, self.z)
                self.loss_g, self.opt_g = self.g_update(self.z)
        step = functools.partial(alternate, self.d_update, self.g_update)  # one training step, (x, zd, zg)
        pretrain_step = self.pretrain_update if args.pretrain_steps else None
        self.loops = TrainingLoops(self.batch_shape, args.d_steps, step, pretrain_step, args.xla)
        self.evaluation = EvaluationOps(self)
        if "drs" in args.sampler:  # DRS fine-tunes D on the logistic loss after training (gan1d/samplers.py)
            drs_loss = functools.partial(d_loss_fn, kind="logits", axis=self.axis.batch_axes)
            self.fine_tune = FineTuning(self, make("drs", self.hp, args.decay_steps, args.optimizer), drs_loss)
        pairs = zip(self.d_params, self.d_pre_params, strict=True)
        self.copy_pretrained = tf.group(*[d.assign(p) for d, p in pairs], name="copy_pretrained")
        self.init = tf.global_variables_initializer()
        self.saver = tf.train.Saver(max_to_keep=3)

    def discriminate(self, x, scope="D", weights=None):
        """D's logits for x (..., B, 1); with --pack M, for each pack of M consecutive samples (..., B / M, 1).
        weights: {variable name: tensor} to use instead of D's variables (--unroll's unrolled D)."""
        if self.args.pack > 1:  # PacGAN (Lin et al. 2018): M samples, all real or all generated, as one input
            x = tf.reshape(x, x.shape[:-2].as_list() + [-1, self.args.pack])
        getter = None
        if self.args.spectral_norm or weights:
            getter = functools.partial(self.cures.d_getter, weights=weights or {})
        with tf.variable_scope(scope, reuse=tf.AUTO_REUSE, custom_getter=getter):
            return discriminator(x, self.args.hidden_size, self.args.minibatch, self.cfg)

    def generate(self, z, index=None, custom_getter=None):
        """G(z); with a mixture (gan1d/mixture.py) each sample's part by its one-hot index, by default
        the evaluation's evenly spread pattern."""
        with tf.variable_scope("G", reuse=tf.AUTO_REUSE, custom_getter=custom_getter):
            if not self.mixture.on:
                return generator(z, self.args.hidden_size, self.cfg)
            index = self.mixture.positional(z) if index is None else index
            return self.mixture.generate(
                z, index, functools.partial(generator, h_dim=self.args.hidden_size, cfg=self.cfg)
            )

    def weights(self):
        """What a checkpoint's best weights and a study's weights.npz hold: D's, G's, G's averages, and
        a mixture's encoder and prior."""
        return self.d_params + self.g_params + list(self.ema.values()) + self.q_params

    def d_loss(self, l_real, l_fake):
        return d_loss_fn(l_real, l_fake, self.args.loss, self.axis.batch_axes)

    def pretrain_update(self, d, labels):
        loss = tf.reduce_mean(tf.square(tf.sigmoid(self.discriminate(d, "D_pre")) - labels), self.axis.batch_axes)
        update = self.pre_optimizer.minimize(loss, self.d_pre_params)
        if not self.args.spectral_norm:
            return loss, update
        with tf.control_dependencies([update]):
            return loss, tf.group(*self.cures.power_iteration("D_pre/"))

    def d_update(self, x, z):
        """One D update on a real batch x and a noise batch z: its loss and the update (with its penalties,
        and after it spectral normalisation's power step and the critic's clip, where asked)."""
        step, g_step = self.d_optimizer.step, self.g_optimizer.step
        index = self.mixture.drawn(z, step, "index_d")
        fake = self.generate(z, index)
        x_in = self.cures.instance_noise(x, step, g_step, "real")
        fake_in = self.cures.instance_noise(fake, step, g_step, "fake")
        l_real, l_fake = self.discriminate(x_in), self.discriminate(fake_in)
        loss = self.d_loss(l_real, l_fake)
        penalties = self.cures.penalties(x_in, fake_in, l_real, l_fake, self.discriminate, step)
        penalties += self.mixture.d_terms(x, fake, index)  # the encoder's loss and the prior's, if any
        objective = sum(penalties, loss)  # every read of D, G, Q and the prior before any update: where no
        with tf.control_dependencies([objective]):  # gradient orders a read first (wgan's bias), it would race
            update = self.d_optimizer.minimize(objective, self.d_params + self.q_params)
        with tf.control_dependencies([update]):
            after = self.cures.after_d_update(self.d_params)
            return loss, tf.group(*after) if after else update

    def g_update(self, z, x=None, zd=None):
        """G's update against D, or with --unroll K against D after K more of its own updates on the
        step's last D batch (x, zd), differentiated through them (Metz et al. 2016)."""
        step = self.g_optimizer.step
        index = self.mixture.drawn(z, step, "index_g")
        generated = self.generate(z, index)
        fake = self.cures.instance_noise(generated, step, step, "g")
        weights = self.cures.unrolled_d(self, x, zd) if self.args.unroll else None
        loss = g_loss_fn(self.discriminate(fake, weights=weights), self.args.loss, self.axis.batch_axes)
        terms = self.mixture.g_terms(generated, index, self.g_params, step)  # the classifier term, DeLiGAN's penalty
        objective = sum(terms, loss)
        with tf.control_dependencies([objective]):  # every read before the update, as in d_update
            update = self.g_optimizer.minimize(objective, self.g_params)
        return loss, self.cures.after_g_update(update, self.ema, self.g_params)


def alternate(d_update, g_update, x, zd, zg):
    """One training step: a D update per (x, zd) pair (d_steps of them), then one G update that reads
    D's freshly updated weights (control dependencies, no gradient through them); the mean D loss and G's."""
    done, losses_d = [], []
    for k in range(x.shape[0]):
        with tf.control_dependencies(done):
            loss_d, update = d_update(x[k], zd[k])
        done, losses_d = [update], losses_d + [loss_d]
    with tf.control_dependencies(done):
        loss_g, update = g_update(zg, x[-1], zd[-1])
    with tf.control_dependencies([update]):
        return tf.identity(tf.add_n(losses_d) / len(losses_d)), tf.identity(loss_g)


# ----------------------------------------------------------------------------- training


def sample_steps(data, gen, num_steps, batch_size, d_steps, out=None):
    """Data for num_steps training steps, member m drawing from its own stream (data[m], gen[m]) in the
    reference's order: per step, for each D update a data batch then a noise batch, then a fresh
    noise batch for G. As the model is fed them, float32: (T, k, N, B, 1), (T, k, N, B, 1), (T, N, B, 1),
    written into out's arrays if given ((T, k, N, B), (T, k, N, B), (T, N, B))."""
    n, b, k = len(data), batch_size, d_steps
    x, zd, zg = out or empty_feeds(num_steps, k, n, b)
    x_m, u_m = np.empty((num_steps, k, b)), np.empty((num_steps, k + 1, b))  # a member's, float64; u: jitters
    for m, (d, g) in enumerate(zip(data, gen, strict=True)):
        for i in range(num_steps):  # only the draws run per batch; sorting and shaping, once per member
            for j in range(k):
                x_m[i, j] = d.draw(b)
                u_m[i, j] = g.jitter(b)
            u_m[i, k] = g.jitter(b)
        x_m.sort()  # each batch sorted, as d.sample(b) returns it; in float64, then rounded as a feed is
        z_m = g.stratified(u_m)
        x[:, :, m], zd[:, :, m], zg[:, m] = x_m, z_m[:, :k], z_m[:, k]
    return x[..., None], zd[..., None], zg[..., None]


def pretrain_data(rng, num_steps, batch_size, source):
    """D_pre's inputs, uniform on [-5, 5] (widened to cover every mode), and its targets, the data's
    density there: (T, B) each."""
    low, high = source.pretraining_range()
    d = (rng.random_sample((num_steps, batch_size)) - 0.5) * (high - low)
    if high + low:
        d += (high + low) / 2
    return d, source.pdf(d)


def pretrain(session, model, rngs, num_steps, loop="graph"):
    """Least-squares fit of D_pre to the data density, then copy into D; each member draws its own."""
    if num_steps == 0:
        return
    drawn = [
        pretrain_data(rng, num_steps, model.args.batch_size, source_of(m))
        for m, rng in zip(model.members, rngs, strict=True)
    ]
    d, labels = (model.axis.stacked([p[part][..., None] for p in drawn], axis=1) for part in (0, 1))
    if loop == "feed":
        for i in range(num_steps):
            session.run([model.pre_loss, model.pre_opt], {model.pre_input: d[i], model.pre_labels: labels[i]})
    else:
        session.run(model.loops.pre_loss, {model.loops.pre_d: d, model.loops.pre_labels: labels})
    session.run(model.copy_pretrained)


def train_steps(session, model, batches, loop="graph"):
    """Runs the training steps of the sampled batches; returns the per-step losses, (T,) or (T, N) each.
    graph: all steps in one `session.run`; feed: the reference's two `session.run` per step."""
    x, zd, zg = batches
    if loop == "graph":
        return session.run(model.loops.losses, model.loops.feed(x, zd, zg))
    losses_d, losses_g = np.empty(len(zg)), np.empty(len(zg))
    for i in range(len(zg)):
        feeds = [{model.x: x[i, j], model.z: zd[i, j]} for j in range(len(x[i]))]  # one per D update
        losses_d[i] = np.mean([session.run([model.loss_d, model.opt_d], feed)[0] for feed in feeds])
        losses_g[i] = session.run([model.loss_g, model.opt_g], {model.z: zg[i]})[0]
    return losses_d, losses_g


def start(session, model, data, rngs):
    """Each member's start as a single run of its seed makes it: its initial weights (a population
    loads them), G's spread start from a real batch of its own, then pretraining."""
    if model.n is not None:
        for v, value in initial_values(model).items():
            v.load(value, session)
    if model.args.g_start == "spread":
        batches = [d.sample(model.args.batch_size) for d in data]
        load_generator(session, model, spread_starts(model.args.hidden_size, model.members, batches, noise_half_width))
    pretrain(session, model, rngs, model.args.pretrain_steps, model.args.loop)


def train(session, model, monitor):
    """The reference's train(): pretrain D, then alternate D and G updates. Training pauses where the
    monitor asks (evaluations, log lines, frames, checkpoints); between pauses the steps run in one
    `session.run`. Each member draws from its own numpy stream. Returns the monitor's Outcome."""
    a, rngs = model.args, monitor.rngs
    data = [DataDistribution(source_of(m), rng) for m, rng in zip(model.members, rngs, strict=True)]
    noise = [GeneratorDistribution(m.noise_range, rng, m.noise) for m, rng in zip(model.members, rngs, strict=True)]
    session.run(model.init)
    if not monitor.resumed():
        start(session, model, data, rngs)
        monitor.evaluate()
    while monitor.wants_more():
        end = monitor.next_pause()
        out = model.axis.feed_arrays(end - monitor.step, a.d_steps, a.batch_size)
        batches = model.axis.fed(sample_steps(data, noise, end - monitor.step, a.batch_size, a.d_steps, out))
        monitor.after_steps(end, *train_steps(session, model, batches, a.loop))
    return monitor.finish()


TUTORIAL = Tutorial(GAN, train, __file__)  # what the package's run machinery is handed (gan1d/runner.py)


def run(args, stop_event=None):
    """One training run in <out-dir>/<run-name>/; returns its summary."""
    return runner.run(args, TUTORIAL, stop_event)


# ----------------------------------------------------------------------------- command line


def parse_args(argv=None):
    """The run's settings from the command line, checked before TensorFlow is imported."""
    return flag_parser().parse(argv)


def flag_parser():
    """Every flag, declared once with its help text (gan1d/flags.py); --loss's choices are LOSSES'."""
    return FlagParser(__doc__.split("\n\n")[0], {name: loss.help for name, loss in LOSSES.items()})


def main(argv=None):
    parser = flag_parser()
    args = parser.parse(argv)
    try:
        if args.seeds:
            return study.run_study(args, parser.settings, TUTORIAL)
        if args.sample:  # draw from a trained run, without training
            return sampling.sample(args, parser, TUTORIAL)
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
