"""The cures the field compares, beyond the tutorial's (docs/cures.md): the penalties on D (R1,
R2, WGAN-GP, DRAGAN), the WGAN critic's clipping, instance noise, spectral normalisation and
unrolling.
`gan.GAN` takes the methods in as a mixin (`Cures`), so that a single run and a population of
members get the same code; they read the model's args, members, hp, optimisers and discriminate."""

from .lazy import tf
from .optim import member_column


def r1_penalty(l_real, x, weight, axis=None):
    """(weight / 2) * mean((dl/dx)^2) on real data, R1; on generated data, R2 (Mescheder et al. 2018)."""
    (grad,) = tf.gradients(tf.reduce_sum(l_real), [x])
    return 0.5 * weight * tf.reduce_mean(tf.square(grad), axis)


def spectral_norm(w, u):
    """W / s, s W's largest singular value estimated by one power-iteration step from the persistent
    u (Miyato et al. 2018): v = W u / |W u|, u' = W^T v / |W^T v|, s = v^T W u'. The gradient flows
    through W / s with u' and v held fixed. w (..., in, out), u (..., out, 1); returns W / s and u'."""
    v = tf.stop_gradient(tf.math.l2_normalize(tf.matmul(w, u), axis=-2))  # (..., in, 1)
    u_next = tf.stop_gradient(tf.math.l2_normalize(tf.matmul(w, v, transpose_a=True), axis=-2))  # (..., out, 1)
    s = tf.reduce_sum(v * tf.matmul(w, u_next), axis=[-2, -1], keepdims=True)  # (..., 1, 1)
    return w / s, u_next


def unit_slope_penalty(discriminate, x_hat, weight, axis=None):
    """weight * mean((|dl/dx| - 1)^2) at x_hat: the penalty of WGAN-GP and DRAGAN, in 1-D."""
    (grad,) = tf.gradients(tf.reduce_sum(discriminate(x_hat)), [x_hat])
    return weight * tf.reduce_mean(tf.square(tf.abs(grad) - 1.0), axis)


def clip_weights(variables, c):
    """The WGAN critic's weights clipped to [-c, c] (c a float or a population's (N, 1, 1) column)."""
    return tf.group(*[v.assign(tf.clip_by_value(v, -c, c)) for v in variables])


class Cures:
    """The GAN's methods for the cures: which are on, D's penalties, the stateless draws they and
    instance noise use, and spectral normalisation's weights and power steps."""

    def d_getter(self, getter, name, *args, weights, **kwargs):
        """D's weights as the network reads them: a tensor of weights in place of its variable, then,
        with --spectral-norm, each weight matrix as W / s(W) with its persistent power-iteration vector
        u; the step that moves u is kept in self.power_steps for D's update to run."""
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

    def penalties(self, x, fake, l_real, l_fake, axis):
        """The gradient penalties asked for, each a scalar or (N,): R1, R2, WGAN-GP, DRAGAN."""
        terms = []
        if self.uses("r1"):
            terms.append(r1_penalty(l_real, x, self.hp["r1"], axis))
        if self.uses("r2"):
            terms.append(r1_penalty(l_fake, fake, self.hp["r2"], axis))
        if self.uses("gp"):  # on random interpolates of real and generated samples (Gulrajani et al. 2017)
            eps = self.uniform(x, self.d_optimizer.step, 3)
            terms.append(unit_slope_penalty(self.discriminate, eps * x + (1.0 - eps) * fake, self.hp["gp"], axis))
        if self.uses("dragan"):  # around real data: x + 0.5 std(x) u, as the authors' code (Kodali et al. 2017)
            _, variance = tf.nn.moments(x, axes=[-2, -1], keepdims=True)
            perturbed = x + 0.5 * tf.sqrt(variance) * self.uniform(x, self.d_optimizer.step, 4)
            terms.append(unit_slope_penalty(self.discriminate, perturbed, self.hp["dragan"], axis))
        return terms

    def uses(self, name):
        return any(getattr(m, name) > 0 for m in self.members)

    def random_seed(self, counter, salt):
        """A stateless op's seed from the run's seed and a step counter: the same draws on every run
        and after a resume (the counters are checkpointed), another at every step and use."""
        return tf.stack([tf.constant(self.args.seed, tf.int64), counter * 8 + salt])

    def uniform(self, like, counter, salt):
        return tf.random.stateless_uniform(tf.shape(like), self.random_seed(counter, salt))

    def instance_noise(self, x, counter, salt):
        """x plus N(0, s^2) noise, s annealed linearly from --instance-noise at step 0 to 0 at the last
        step (Sonderby et al. 2016); x itself without instance noise."""
        if not self.uses("instance_noise"):
            return x
        step = tf.cast(self.g_optimizer.step, tf.float32)  # the training step: G updates so far
        scale = self.column("instance_noise") * tf.maximum(0.0, 1.0 - step / max(self.args.num_steps - 1, 1))
        return x + scale * tf.random.stateless_normal(tf.shape(x), self.random_seed(counter, salt))

    def unrolled_d(self, x, zd, axis):
        """{name: tensor}: D's weights after --unroll gradient steps on its loss (its penalties left
        out), theta' = theta - lr * grad, each step differentiable, D's own variables untouched."""
        names = [v.op.name for v in self.d_params]
        theta = dict(zip(names, [tf.identity(v) for v in self.d_params], strict=True))
        lr = self.d_optimizer.learning_rate() if self.n is None else member_column(self.d_optimizer.learning_rate())
        fake = self.generate(zd)
        for _ in range(self.args.unroll):
            loss = self.d_loss(self.discriminate(x, weights=theta), self.discriminate(fake, weights=theta), axis)
            grads = tf.gradients(tf.reduce_sum(loss), [theta[n] for n in names])
            theta = {n: theta[n] - lr * g for n, g in zip(names, grads, strict=True)}
        return theta
