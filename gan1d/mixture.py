"""Generators that can jump (docs/jump.md): G draws each sample from one of K parts, chosen by a
categorical index c ~ pi, so that it need not cross the gaps between modes.

  --generators K       K copies of the tutorial's generator, each under its own variable scope,
                       the sample being G_c(z) (MGAN, Hoang et al. 2018; DMWGAN, Khayatkhoei et al. 2018)
  --latent mixture     one generator fed mu_c + sigma_c z, mu and sigma learned, with the penalty
                       sum_c (1 - sigma_c)^2 on sigma (DeLiGAN, Gurumurthy et al. 2017)

An encoder Q(c | x) learns on G's samples which part made each; its cross-entropy is added to G's
loss with weight --classifier-weight, which keeps the parts apart (MGAN's classifier, DMWGAN's
mutual-information term). The prior pi is equal (MGAN; DeLiGAN's weights), or learned as DMWGAN
learns it: pi = softmax(zeta), zeta stepping down the cross-entropy H(q, pi) of q, Q's mean
posterior on a real batch, so that each part's share follows the data it explains.

The index of a training sample comes from a stateless uniform draw u (gan1d/cures.py's DRAWS), c the
number of pi's cumulative sums below u. Evaluation and the samplers take u_i = frac(i phi), phi the
golden ratio's fraction, over a batch's positions: the same index pattern on every read, each part
drawing close to its share, spread evenly over the noise. The GAN (gan.py) holds a Mixture as a part;
with --generators 1 and --latent uniform it adds no op to the graph."""

import numpy as np

from .cures import draw_seed, member_uniforms
from .lazy import tf

GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0  # 0.618...: i * GOLDEN mod 1 spreads the positions i evenly over (0, 1)


class Mixture:
    """The mixture part of a model: its prior, its indices, its latent components, its encoder and
    the terms these add to D's and G's objectives. linear: gan.py's layer; half_width: how far G's
    noise reaches on either side of 0 (the components' start tiles it)."""

    def __init__(self, args, axis, cfg, linear, half_width):
        self.args, self.axis, self.cfg, self.linear, self.half_width = args, axis, cfg, linear, half_width
        self.latent = args.latent == "mixture"
        self.k = args.latent_components if self.latent else args.generators
        self.on = self.latent or self.k > 1
        learned = args.latent_weights if self.latent else args.generator_prior
        self.learned = self.on and learned == "learned"
        self.encoded = self.learned or args.generators > 1  # Q is trained: the classifier term, the prior's rule
        self.members = [axis.n] if axis.n else []
        self.zeta = None

    def build(self):
        """The prior's logits zeta (zeros: pi starts equal), before G is made; nothing when off."""
        if self.learned:
            with tf.variable_scope("Q"):
                self.zeta = tf.get_variable("prior", self.members + [1, self.k], initializer=tf.zeros_initializer())

    @property
    def d_params(self):
        """What D's update also trains: Q's weights and the prior's logits."""
        return tf.trainable_variables("Q/") if self.encoded else []

    def prior(self):
        """pi, ([N,] 1, K)."""
        if self.learned:
            return tf.nn.softmax(self.zeta)
        return tf.fill(self.members + [1, self.k], 1.0 / self.k)

    def onehot(self, u):
        """The index of each u ([N,] B, 1) in [0, 1): c = #{j < K - 1: u > cumsum(pi)_j}, one-hot ([N,] B, K)."""
        bounds = tf.cumsum(self.prior(), axis=-1)[..., :-1]  # ([N,] 1, K - 1)
        c = tf.reduce_sum(tf.cast(u > bounds, tf.int32), axis=-1)  # ([N,] B)
        return tf.one_hot(c, self.k)

    def drawn(self, z, counter, name):
        """A training batch's one-hot indices from the stateless draw `name` at step counter; None when off."""
        if not self.on:
            return None
        if self.axis.n is None:
            return self.onehot(tf.random.stateless_uniform(tf.shape(z), draw_seed(self.args.seed, counter, name)))
        # each member's own seed: a population's member draws the single run's indices of its seed, all
        # members in one counter-based draw (N draw ops made a 200-member population's updates slow)
        u = member_uniforms([m.seed for m in self.axis.members], counter, name, z.shape[-2], self.args.xla)  # (N, B)
        return self.onehot(u[..., None])

    def positional(self, z):
        """The evaluation's one-hot indices of a batch z ([N,] B, 1): u_i = frac((i + 1) phi)."""
        i = tf.cast(tf.range(1, tf.shape(z)[-2] + 1), tf.float64)
        u = tf.cast(tf.math.floormod(i * GOLDEN, 1.0), tf.float32)[:, None]  # (B, 1), exact in float64
        return self.onehot(u)

    def generate(self, z, index, generator):
        """The mixture's samples ([N,] B, 1): G_c(z), or G(mu_c + sigma_c z); called in G's variable scope."""
        if self.latent:
            return generator(self.latent_noise(z, index))
        outputs = []
        for k in range(self.k):
            with tf.variable_scope(f"gen{k}"):
                outputs.append(generator(z))
        return tf.reduce_sum(index * tf.concat(outputs, -1), -1, keepdims=True)  # ([N,] B, K) -> ([N,] B, 1)

    def latent_noise(self, z, index):
        """mu_c + sigma_c z; the components start as the K equal slices of the noise's range [-R, R]."""
        r, k = self.half_width, self.k
        mu0 = (np.arange(k) + 0.5) / k * 2 * r - r  # each slice's centre
        shape = self.members + [1, k]
        start = lambda value: tf.constant_initializer(np.broadcast_to(value, shape).astype(np.float32))  # noqa: E731
        mu = tf.get_variable("latent/mu", shape, initializer=start(mu0))
        sigma = tf.get_variable("latent/sigma", shape, initializer=start(1.0 / k))  # slice width 2R/K
        return tf.reduce_sum(index * (mu + sigma * z), -1, keepdims=True)

    def encode(self, x):
        """Q's logits ([N,] B, K): one tanh layer of D's width on x scaled as D scales it."""
        with tf.variable_scope("Q", reuse=tf.AUTO_REUSE):
            h = tf.tanh(self.linear(x * self.cfg.d_input_scale, self.args.hidden_size * 2, "q0", self.cfg.d_init))
            return self.linear(h, self.k, "q1", self.cfg.d_init)

    def batch_mean(self, values):
        """The mean over each member's batch of per-sample values ([N,] B): a scalar or (N,)."""
        return tf.reduce_mean(values, None if self.axis.n is None else -1)

    def classifier_loss(self, fake, index):
        """Q's cross-entropy on G's samples, labelled by the part that made them: a scalar or (N,)."""
        return self.batch_mean(tf.nn.softmax_cross_entropy_with_logits(labels=index, logits=self.encode(fake)))

    def prior_loss(self, x):
        """H(q, pi), q = Q's mean posterior on the real batch x, held fixed: zeta's gradient is pi - q."""
        q = tf.stop_gradient(tf.reduce_mean(tf.nn.softmax(self.encode(x)), axis=-2, keepdims=True))  # ([N,] 1, K)
        return -tf.reduce_sum(q * tf.nn.log_softmax(self.zeta), axis=None if self.axis.n is None else [-2, -1])

    def d_terms(self, x, fake, index):
        """What D's update adds: Q's loss on G's samples (G held fixed) and the prior's."""
        if not self.encoded:
            return []
        terms = [self.classifier_loss(tf.stop_gradient(fake), index)]
        return terms + ([self.prior_loss(x)] if self.learned else [])

    def g_terms(self, fake, index, g_params, step):
        """What G's update adds: the classifier term (its weight annealed to 0 at the last step with
        --classifier-anneal; step: G's updates so far), and DeLiGAN's penalty on sigma."""
        terms = []
        if self.encoded:
            weight = self.axis.hp["classifier_weight"]
            if self.args.classifier_anneal:
                weight = weight * tf.maximum(0.0, 1.0 - tf.cast(step, tf.float32) / max(self.args.num_steps - 1, 1))
            terms.append(weight * self.classifier_loss(fake, index))
        if self.latent:
            sigma = [v for v in g_params if v.op.name.endswith("latent/sigma")][0]
            per_member = tf.reduce_sum(tf.square(1.0 - sigma), axis=None if self.axis.n is None else [-2, -1])
            terms.append(self.axis.hp["sigma_penalty"] * per_member)
        return terms


def spread_centres(batch, k):
    """Where each of K generators' spread starts puts its output bias: the batch's (i + 0.5) / K
    quantiles, so that the generators start apart, each over its own part of the data."""
    return np.quantile(batch, (np.arange(k) + 0.5) / k)
