"""The cures the field compares, beyond the tutorial's (docs/cures.md): the penalties on D (R1,
R2, WGAN-GP, DRAGAN), the WGAN critic's clipping, instance noise, spectral normalisation and
unrolling, G's moving average. Each penalty is declared once, in PENALTIES: its flag's help and its term of D's
objective together; gan1d/flags.py makes its flag from there. `gan.GAN` holds a `Cures` part and
hands it what each cure needs; a single run and a population get the same code."""

from typing import NamedTuple

import numpy as np

from .lazy import tf
from .optim import member_column


def r1_penalty(l_real, x, weight, axis=None):
    """(weight / 2) * mean((dl/dx)^2) on real data, R1; on generated data, R2 (Mescheder et al. 2018)."""
    (grad,) = tf.gradients(tf.reduce_sum(l_real), [x])
    return 0.5 * weight * tf.reduce_mean(tf.square(grad), axis)


def unit_slope_penalty(discriminate, x_hat, weight, axis=None):
    """weight * mean((|dl/dx| - 1)^2) at x_hat: the penalty of WGAN-GP and DRAGAN, in 1-D."""
    (grad,) = tf.gradients(tf.reduce_sum(discriminate(x_hat)), [x_hat])
    return weight * tf.reduce_mean(tf.square(tf.abs(grad) - 1.0), axis)


def interpolates(d):
    """WGAN-GP's points: random interpolates of real and generated samples (Gulrajani et al. 2017)."""
    eps = d.uniform("gp")
    return eps * d.x + (1.0 - eps) * d.fake


def perturbed_real(d):
    """DRAGAN's points: x + 0.5 std(x) u around real data, as the authors' code (Kodali et al. 2017)."""
    _, variance = tf.nn.moments(d.x, axes=[-2, -1], keepdims=True)
    return d.x + 0.5 * tf.sqrt(variance) * d.uniform("dragan")


class PenaltyInputs(NamedTuple):
    """What a penalty of D's update may read: D's inputs and logits, the mean's axes, D itself, and
    uniform(name), a stateless draw shaped like x that is named for its use."""

    x: object
    fake: object
    l_real: object
    l_fake: object
    axis: object
    discriminate: object
    uniform: object


class Penalty(NamedTuple):
    help: str  # its weight's flag, --NAME
    term: object  # (PenaltyInputs, weight) -> scalar or (N,)


# Each penalty of D's objective, by the name of its weight's flag, in the order they are added.
PENALTIES = {
    "r1": Penalty(
        "R1 gradient penalty weight gamma on real data (0 = none)",
        lambda d, w: r1_penalty(d.l_real, d.x, w, d.axis),
    ),
    "r2": Penalty(
        "R2 gradient penalty weight gamma on generated data (0 = none)",
        lambda d, w: r1_penalty(d.l_fake, d.fake, w, d.axis),
    ),
    "gp": Penalty(
        "WGAN-GP penalty weight lambda: (|dD/dx| - 1)^2 at random interpolates of real and generated samples (0 = none)",
        lambda d, w: unit_slope_penalty(d.discriminate, interpolates(d), w, d.axis),
    ),
    "dragan": Penalty(
        "DRAGAN penalty weight lambda: (|dD/dx| - 1)^2 around perturbed real data (0 = none)",
        lambda d, w: unit_slope_penalty(d.discriminate, perturbed_real(d), w, d.axis),
    ),
}


def spectral_norm(w, u):
    """W / s, s W's largest singular value estimated by one power-iteration step from the persistent
    u (Miyato et al. 2018): v = W u / |W u|, u' = W^T v / |W^T v|, s = v^T W u'. The gradient flows
    through W / s with u' and v held fixed. w (..., in, out), u (..., out, 1); returns W / s and u'."""
    v = tf.stop_gradient(tf.math.l2_normalize(tf.matmul(w, u), axis=-2))  # (..., in, 1)
    u_next = tf.stop_gradient(tf.math.l2_normalize(tf.matmul(w, v, transpose_a=True), axis=-2))  # (..., out, 1)
    s = tf.reduce_sum(v * tf.matmul(w, u_next), axis=[-2, -1], keepdims=True)  # (..., 1, 1)
    return w / s, u_next


def clip_weights(variables, c):
    """The WGAN critic's weights clipped to [-c, c] (c a float or a population's (N, 1, 1) column)."""
    return tf.group(*[v.assign(tf.clip_by_value(v, -c, c)) for v in variables])


# Every stateless random draw of the graph, by name: instance noise on D's real and generated inputs
# and on G's output, and each random penalty's points. A draw's seed is its place here; a new draw
# is appended, so that no existing draw's numbers move (the docs' tables stay reproducible).
DRAWS = ("real", "fake", "gp", "dragan", "g", "index_d", "index_g")  # index: gan1d/mixture.py's
DRAW_STRIDE = 8  # seeds counter * 8 + place: room for 7 draws; a longer DRAWS needs a wider stride, new numbers


def draw_seed(run_seed, counter, name):
    """A stateless draw's seed: the run's seed, and a step counter with the draw's place in DRAWS,
    so that every use and step draws its own numbers, the same on every run and after a resume
    (the counters are checkpointed). An undeclared name is an error."""
    return tf.stack([tf.constant(run_seed, tf.int64), draw_number(counter, name)])


def draw_number(counter, name):
    """A draw's second seed number: the step counter with the draw's place in DRAWS."""
    if name not in DRAWS:
        raise ValueError(f"unknown random draw {name!r}: declare it in DRAWS (one of {', '.join(DRAWS)})")
    return counter * DRAW_STRIDE + DRAWS.index(name) + 1


# TensorFlow's Philox-4x32-10 (its stateless draws' generator): the round's multipliers, the key's
# increments, and the fixed key with which StatelessRandomGetKeyCounter turns a seed into a key and counter.
PHILOX_MULTIPLIERS, PHILOX_KEY_STEPS = (0xD2511F53, 0xCD9E8D57), (0x9E3779B9, 0xBB67AE85)
PHILOX_SEED_KEY = (0x3EC8F720, 0x02461E29)
WORD = 0xFFFFFFFF  # 32-bit words held in uint64 tensors: products fit, masks take the low word


def philox(counter, key):
    """Ten Philox rounds on 32-bit words held in uint64 tensors that broadcast: counter 4 words, key 2."""
    word, shift = tf.constant(WORD, tf.uint64), tf.constant(32, tf.uint64)
    (ma, mb), (wa, wb) = (tuple(tf.constant(v, tf.uint64) for v in pair) for pair in (PHILOX_MULTIPLIERS, PHILOX_KEY_STEPS))  # fmt: skip
    (c0, c1, c2, c3), (k0, k1) = counter, key
    xor = tf.bitwise.bitwise_xor
    for _ in range(10):
        p0, p1 = ma * c0, mb * c2
        c0, c1, c2, c3 = (
            xor(xor(tf.bitwise.right_shift(p1, shift), c1), k0),
            tf.bitwise.bitwise_and(p1, word),
            xor(xor(tf.bitwise.right_shift(p0, shift), c3), k1),
            tf.bitwise.bitwise_and(p0, word),
        )
        k0, k1 = tf.bitwise.bitwise_and(k0 + wa, word), tf.bitwise.bitwise_and(k1 + wb, word)
    return c0, c1, c2, c3


def member_uniforms(seeds, counter, name, n, compiled=False):
    """(N, n) float32: row i is tf.random.stateless_uniform([n], draw_seed(seeds[i], counter, name)), bit
    for bit, made by a few ops for all N members instead of N draw ops (a population's members each
    draw their own numbers: gan1d/mixture.py). compiled: as XLA makes that draw (--xla), which keeps only
    each seed number's low 32 bits and takes a float's mantissa from the high 23 bits of Philox's word
    where TensorFlow's own kernel takes the low 23."""
    u64 = lambda v: tf.constant(v, tf.uint64)  # noqa: E731
    own = np.asarray(seeds, dtype=np.uint64)[:, None]  # (N, 1): each member's seed, its low and high words
    second = tf.cast(draw_number(counter, name), tf.uint64)
    high = (
        (u64(0), u64(0)) if compiled else (u64(own >> 32), tf.bitwise.right_shift(second, u64(32)))
    )  # XLA keeps the low words
    words = (u64(own & WORD), high[0], tf.bitwise.bitwise_and(second, WORD), high[1])
    k0, k1, c2, c3 = philox(words, (u64(PHILOX_SEED_KEY[0]), u64(PHILOX_SEED_KEY[1])))  # each member's key and counter
    groups = -(-n // 4)  # each Philox call gives 4 words: group g's counter is the member's plus g
    g = u64(np.arange(groups, dtype=np.uint64)[None, :])  # (1, G)
    out = philox((g, u64(0), c2, c3), (k0, k1))
    shape = [len(seeds), groups]
    words = tf.stack([tf.broadcast_to(w, shape) for w in out], axis=-1)  # (N, G, 4)
    bits = tf.bitwise.right_shift(words, u64(9)) if compiled else tf.bitwise.bitwise_and(words, u64(0x7FFFFF))
    mantissa = tf.bitwise.bitwise_or(bits, u64(0x3F800000))
    floats = tf.bitcast(tf.cast(mantissa, tf.uint32), tf.float32) - 1.0  # in [0, 1), as TensorFlow makes them
    return tf.reshape(floats, [len(seeds), 4 * groups])[:, :n]


class Cures:
    """A model's cures: which are on, D's penalties, the stateless draws they and instance noise
    use, spectral normalisation's weights and power steps, unrolling. Built on the model's member
    axis; every graph part it adds is handed in by the model."""

    def __init__(self, args, axis):
        self.args, self.axis = args, axis
        self.power_steps = {}  # --spectral-norm: each D weight's (u, its next power-iteration value)

    def uniform(self, like, counter, name):
        return tf.random.stateless_uniform(tf.shape(like), draw_seed(self.args.seed, counter, name))

    def penalties(self, x, fake, l_real, l_fake, discriminate, counter):
        """The penalties on, each a scalar or (N,), in PENALTIES' order, on D's inputs and logits;
        their random draws seeded from counter (D's step)."""
        uniform = lambda name: self.uniform(x, counter, name)  # noqa: E731
        d = PenaltyInputs(x, fake, l_real, l_fake, self.axis.batch_axes, discriminate, uniform)
        return [p.term(d, self.axis.hp[name]) for name, p in PENALTIES.items() if self.axis.uses(name)]

    def d_getter(self, getter, name, *args, weights, **kwargs):
        """D's weights as the network reads them: a tensor of weights in place of its variable, then,
        with --spectral-norm, each weight matrix as W / s(W) with its persistent power-iteration vector
        u; the step that moves u is kept in power_steps for D's update to run."""
        w = weights[name] if name in weights else getter(name, *args, **kwargs)
        if not (self.args.spectral_norm and name.endswith("/w")):
            return w
        shape = w.shape.as_list()  # (..., in, out)
        start = tf.ones_initializer()  # not random: u's start must not move the weights' op seeds
        u = getter(name + "_u", shape[:-2] + [shape[-1], 1], initializer=start, trainable=False)
        normalised, u_next = spectral_norm(w, u)
        self.power_steps[name] = (u, u_next)
        return normalised

    def power_iteration(self, scope):
        """The assignments that move each spectral-normalised weight's u in scope one step."""
        return [u.assign(u_next) for u, u_next in self.power_steps.values() if u.op.name.startswith(scope)]

    def after_d_update(self, d_params):
        """What follows each D update: u's power step (Miyato et al.), the clip (Arjovsky et al.)."""
        clip = [clip_weights(d_params, self.axis.column("clip"))] if self.axis.uses("clip") else []
        return self.power_iteration("D/") + clip

    def ema_copies(self, g_params):
        """{name: shadow copy} of G's weights, averaged after every G update (--ema, Yazici et al.
        2019); evaluation reads them. Empty without --ema."""
        if not self.axis.uses("ema"):
            return {}
        with tf.variable_scope("G_ema"):
            return {
                v.op.name: tf.Variable(v.initial_value, trainable=False, name=v.op.name.replace("/", "_"))
                for v in g_params
            }

    def after_g_update(self, update, ema, g_params):
        """G's update, then (with --ema) each shadow s moved to decay * s + (1 - decay) * v."""
        if not ema:
            return update
        decay = self.axis.column("ema")
        with tf.control_dependencies([update]):
            return tf.group(*[s.assign(decay * s + (1 - decay) * v) for v in g_params for s in [ema[v.op.name]]])

    def instance_noise(self, x, counter, g_step, name):
        """x plus N(0, s^2) noise, s annealed linearly from --instance-noise at step 0 to 0 at the last
        step (Sonderby et al. 2016), g_step the training step (G's updates so far); x itself without."""
        if not self.axis.uses("instance_noise"):
            return x
        step = tf.cast(g_step, tf.float32)
        scale = self.axis.column("instance_noise") * tf.maximum(0.0, 1.0 - step / max(self.args.num_steps - 1, 1))
        return x + scale * tf.random.stateless_normal(tf.shape(x), draw_seed(self.args.seed, counter, name))

    def unrolled_d(self, model, x, zd):
        """{name: tensor}: D's weights after --unroll gradient steps on its loss (its penalties left
        out), theta' = theta - lr * grad, each step differentiable, D's own variables untouched."""
        names = [v.op.name for v in model.d_params]
        theta = dict(zip(names, [tf.identity(v) for v in model.d_params], strict=True))
        lr = model.d_optimizer.learning_rate()
        lr = lr if self.axis.n is None else member_column(lr)
        fake = model.generate(zd)
        for _ in range(self.args.unroll):
            l_real, l_fake = model.discriminate(x, weights=theta), model.discriminate(fake, weights=theta)
            loss = model.d_loss(l_real, l_fake)
            grads = tf.gradients(tf.reduce_sum(loss), [theta[n] for n in names])
            theta = {n: theta[n] - lr * g for n, g in zip(names, grads, strict=True)}
        return theta
