"""Samplers that read a trained GAN (docs/samplers.md): after training, with G fixed, each draws a
run's final samples, and says what they cost. `plain` is the tutorial's own (G on the evaluation
grid's noise); the others use D to take the samples in the gaps away, or to move them:
  drs   discriminator rejection sampling (Azadi et al. 2019)
  mh    Metropolis-Hastings GAN, an independence chain over G's samples (Turner et al. 2019)
  jbop  latent rejection of the noise where |G'(z)| is largest (Tanielian et al. 2020)
  dot   discriminator optimal transport, gradient steps on |x - y| - l(x) / K (Tanaka 2019)
Each is declared once, in SAMPLERS (its rule and its help); its parameters are flags
(gan1d/flags.py). The rules are numpy functions of logits and slopes, tested against their
formulas; a Reader hands them G and D of one run or of every member of a population at once."""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .lazy import special

DRS_EPSILON = 1e-6  # the paper's epsilon: keeps log(1 - exp(l - M - eps)) finite at l = M
DOT_PAIRS = 10_000  # random pairs of samples whose secant slopes of l estimate D's Lipschitz constant
SAMPLER_SALT = 7_919  # a sampler's draws: numpy's stream of (member seed, salt, its place in SAMPLERS)


class Drawn(NamedTuple):
    """A sampler's output for every member: samples (N, n), and what they cost, (N,) each: samples
    drawn per sample kept, gradient steps per sample kept, and the share of candidates accepted."""

    samples: np.ndarray
    draws: np.ndarray
    steps: np.ndarray
    acceptance: np.ndarray


COST_COLUMNS = ("sampler_draws", "sampler_steps", "sampler_acceptance")
PLAIN_COSTS = {"sampler_draws": 1.0, "sampler_steps": 0.0, "sampler_acceptance": 1.0}  # one draw kept per draw


def plain_drawn(samples):
    """G's own samples (N, n) as a sampler's output, at plain's cost."""
    n = len(samples)
    return Drawn(samples, *(np.full(n, PLAIN_COSTS[c]) for c in COST_COLUMNS))


def costs(drawn, i):
    """Member i's cost columns."""
    values = (drawn.draws[i], drawn.steps[i], drawn.acceptance[i])
    return {column: float(v) for column, v in zip(COST_COLUMNS, values, strict=True)}


# ----------------------------------------------------------------------------- the rules, in numpy


def drs_acceptance(logits, running_max, gamma, epsilon=DRS_EPSILON):
    """DRS's probability of keeping each sample: sigmoid(F), F = l - M - log(1 - exp(l - M - eps)) - gamma,
    with M the largest logit seen so far (Azadi et al. 2019, their eq. 8)."""
    shifted = logits - running_max - epsilon  # <= -eps < 0: the log's argument stays in (0, 1)
    f = logits - running_max - np.log(-np.expm1(shifted)) - gamma
    return special.expit(f)


def mh_acceptance(logit_from, logit_to, slope=1.0):
    """MH-GAN's probability of moving from x to x': min(1, (1/D(x) - 1) / (1/D(x') - 1)) with D =
    sigmoid(a l + b) calibrated, which is min(1, exp(a (l' - l))) (the intercept cancels)."""
    return np.exp(np.minimum(0.0, slope * (logit_to - logit_from)))


def jbop_keep(slopes, kept):
    """The indices of the `kept` noise draws of smallest |G'(z)| (JBOP drops the rest), in draw order."""
    return np.sort(np.argsort(np.abs(slopes), kind="stable")[:kept])


def lipschitz_estimate(x, logits, rng, pairs=DOT_PAIRS):
    """DOT's K_eff: the largest |l(x) - l(y)| / |x - y| over random pairs of distinct points."""
    i, j = rng.integers(0, len(x), pairs), rng.integers(0, len(x), pairs)
    dx, dl = np.abs(x[i] - x[j]), np.abs(logits[i] - logits[j])
    apart = dx > 0
    return float(np.max(dl[apart] / dx[apart])) if apart.any() else math.inf


def dot_step(x, y, logit_grad, k_eff, lr):
    """One gradient step of DOT on |x - y| - l(x) / K_eff, started at x = y (sign(0) = 0)."""
    return x - lr * (np.sign(x - y) - logit_grad / k_eff)


def platt(logits, labels):
    """The calibration (a, b) of D = sigmoid(a l + b): logistic regression of real (1) / generated (0)
    labels on held-out logits, by scipy's BFGS on the log loss (Platt scaling, as MH-GAN's paper)."""
    from scipy.optimize import minimize

    def loss(p):
        t = p[0] * logits + p[1]
        return np.mean(np.logaddexp(0, t) - labels * t)  # -log sigmoid(t) for 1, -log(1 - sigmoid(t)) for 0

    return minimize(loss, np.array([1.0, 0.0]), method="BFGS").x


# ----------------------------------------------------------------------------- the samplers


def plain(reader, args):
    """The tutorial's samples: G on the evaluation grid's noise."""
    return plain_drawn(reader.plain)


def drs(reader, args):
    """Fine-tune D for --drs-steps on the logistic loss (G fixed), then keep G's samples with DRS's
    probability, drawing --sampler-max-draws rounds of n at most."""
    reader.fine_tune(args.drs_steps)
    try:
        return rejection(reader, args, lambda logits, m: drs_acceptance(logits, m, args.drs_gamma))
    finally:
        reader.restore_d()


def rejection(reader, args, acceptance):
    """Rejection in rounds of n candidates per member until n are kept; past --sampler-max-draws rounds,
    the most acceptable of the rejected complete the n (their cost says the cap was reached)."""
    n, size = reader.n, reader.size
    running = np.full(n, -np.inf)
    kept = [[] for _ in range(n)]
    rejected = [[] for _ in range(n)]
    drawn, accepted = np.zeros(n), np.zeros(n)
    for _ in range(args.sampler_max_draws):
        todo = np.array([len(k) < size for k in kept]) & reader.finite
        if not todo.any():
            break
        x, _ = reader.generate(reader.noise(size))  # (N, n)
        logits = reader.logits(x)
        running = np.maximum(running, np.max(logits, axis=1))  # the paper's running max, per round
        p = acceptance(logits, running[:, None])
        u = reader.uniform(x.shape)
        for i in np.flatnonzero(todo):
            take = np.flatnonzero(u[i] < p[i])
            need = size - len(kept[i])
            used = size if len(take) < need else take[need - 1] + 1  # candidates looked at this round
            drawn[i] += used
            accepted[i] += min(len(take), need)
            kept[i].extend(x[i, take[:need]])
            left = np.ones(used, dtype=bool)
            left[take[:need]] = False
            rejected[i].append((p[i, :used][left], x[i, :used][left]))
    samples = np.full((n, size), np.nan)
    for i in np.flatnonzero(reader.finite):
        short = size - len(kept[i])
        if short:  # the cap: the rejected candidates most likely to be kept fill the rest
            p, x = (np.concatenate(part) for part in zip(*rejected[i], strict=True))
            kept[i].extend(x[np.argsort(-p, kind="stable")[:short]])
        samples[i] = kept[i]
    with np.errstate(invalid="ignore", divide="ignore"):
        return Drawn(samples, drawn / size, np.zeros(n), accepted / drawn)


def mh(reader, args):
    """An independence Metropolis-Hastings chain of --mh-chain proposals from G per sample kept,
    started from a real sample, with D calibrated on --mh-calibration held-out real and generated
    samples; a chain that accepts nothing runs again from its first proposal, so that no real
    sample is ever output (the paper's restart)."""
    n, size, chain = reader.n, reader.size, args.mh_chain
    real = reader.real(args.mh_calibration)
    fake, _ = reader.generate(reader.noise(args.mh_calibration))
    calibrated = [
        platt(np.concatenate([r, f]), np.concatenate([np.ones(len(r)), np.zeros(len(f))]))
        for r, f in zip(reader.logits(real), reader.logits(fake), strict=True)
    ]
    a = np.array([c[0] for c in calibrated])[:, None]  # (N, 1)
    start = reader.real(size)  # (N, n): one real sample per chain
    proposals = np.stack([reader.generate(reader.noise(size))[0] for _ in range(chain)], axis=-1)  # (N, n, K)
    logits = reader.logits(proposals.reshape(n, -1)).reshape(proposals.shape)
    u = reader.uniform(proposals.shape)
    state, moves = run_chain(start, reader.logits(start), proposals, logits, u, a)
    stuck = moves == 0
    again, again_moves = run_chain(
        proposals[..., 0], logits[..., 0], proposals[..., 1:], logits[..., 1:], u[..., 1:], a
    )
    state = np.where(stuck, again, state)
    moves = np.where(stuck, again_moves + 1, moves)  # the restart's first proposal counts as accepted
    return Drawn(state, np.full(n, float(chain)), np.zeros(n), moves.sum(axis=1) / (size * chain))


def run_chain(state, state_logit, proposals, logits, u, a):
    """Independence MH over proposals (N, n, K) with their logits, from state (N, n): the final states
    and the number of accepted moves of each chain."""
    moves = np.zeros(state.shape, dtype=int)
    for k in range(proposals.shape[-1]):
        move = u[..., k] < mh_acceptance(state_logit, logits[..., k], a)
        state = np.where(move, proposals[..., k], state)
        state_logit = np.where(move, logits[..., k], state_logit)
        moves += move
    return state, moves


def jbop(reader, args):
    """Draw n / (1 - q) noise points and keep the n where |G'(z)| is smallest: the fraction q of
    --jbop-fraction dropped (in 1-D, first the noise G maps across the gaps)."""
    size = reader.size
    pool = math.ceil(size / (1 - args.jbop_fraction))
    x, slopes = reader.generate(reader.noise(pool))
    samples = np.stack([row[jbop_keep(s, size)] for row, s in zip(x, slopes, strict=True)])
    n = reader.n
    return Drawn(samples, np.full(n, pool / size), np.zeros(n), np.full(n, size / pool))


def dot(reader, args):
    """Move each of G's evaluation samples by --dot-steps gradient steps of size --dot-lr on
    |x - y| - l(x) / K_eff, K_eff D's Lipschitz constant estimated on real and generated samples."""
    y = reader.plain
    real = reader.real(reader.size)
    both = np.concatenate([real, y], axis=1)
    logits = reader.logits(both)
    k_eff = np.array([lipschitz_estimate(*member) for member in zip(both, logits, reader.rngs, strict=True)])[:, None]
    x = y.copy()
    for _ in range(args.dot_steps):
        x = dot_step(x, y, reader.logit_grads(x), k_eff, args.dot_lr * reader.grid.units.scale)  # the model's step
    n = reader.n
    return Drawn(x, np.ones(n), np.full(n, float(args.dot_steps)), np.ones(n))


# ----------------------------------------------------------------------------- G and D, read


class Reader:
    """G and D of a trained run (one member) or population, in numpy: (N, m) in, (N, m) out, each
    member its own points; and each member's own random stream for the sampler at hand. plain:
    G's evaluation samples (N, n); finite: the members that ended finite (the rest get NaN)."""

    CHUNK = 40_000  # points per member per session.run: the minibatch layer's pairwise tensors stay small

    def __init__(self, session, model, grid, members, plain, finite):
        self.session, self.model, self.grid, self.members = session, model, grid, members
        self.ops, self.n, self.size = model.evaluation, len(members), plain.shape[1]
        self.plain, self.finite = plain, finite
        self.group = model.cfg.minibatch_group if model.args.minibatch else 1  # D judges whole groups
        self.rngs, self.saved_d = None, None

    def start(self, place):
        self.rngs = [np.random.default_rng([m.seed, SAMPLER_SALT, place]) for m in self.members]

    def noise(self, m):
        """m draws of G's noise per member: uniform on [-R, R], or standard normal (--noise)."""
        if self.grid.noise == "uniform":
            return np.stack([r.uniform(-self.grid.range, self.grid.range, m) for r in self.rngs])
        return np.stack([r.standard_normal(m) for r in self.rngs])

    def uniform(self, shape):
        return np.stack([r.random(shape[1:]) for r in self.rngs])

    def real(self, m):
        """m real samples per member, from its sampler's stream (never the evaluation's)."""
        return np.stack([self.grid.reference.sample(r, m) for r in self.rngs])

    def generate(self, z):
        """G(z) and dG/dz, (N, m) each, through G's averages where it keeps them (--ema)."""
        x, slopes = self.run([self.ops.member_G, self.ops.member_slope], self.ops.member_z, z)
        return x, slopes

    def logits(self, x):
        return self.run([self.ops.logits], self.ops.member_x, x, self.group)[0]

    def logit_grads(self, x):
        return self.run([self.ops.logit_grads], self.ops.member_x, x, self.group)[0]

    def run(self, fetches, placeholder, values, group=1):
        """fetches on values (N, m), CHUNK points per member at a time, each chunk padded to whole
        groups by its own first points (their outputs are dropped)."""
        values = np.asarray(values, dtype=np.float32)
        chunk = group * math.ceil(self.CHUNK / group)
        outputs = [np.empty(values.shape) for _ in fetches]
        for start in range(0, values.shape[1], chunk):
            part = values[:, start : start + chunk]
            pad = np.arange(-part.shape[1] % group) % part.shape[1]
            padded = np.concatenate([part, part[:, pad]], axis=1)
            feed = padded[..., None] if self.model.n is not None else padded[0][:, None]
            for out, got in zip(outputs, self.session.run(fetches, {placeholder: feed}), strict=True):
                out[:, start : start + part.shape[1]] = np.reshape(got, (len(part), -1))[:, : part.shape[1]]
        return outputs

    def fine_tune(self, steps):
        """DRS's fine-tuning: `steps` updates of D alone on the logistic loss, on real batches and G's
        samples of each member's own stream; D's trained weights are kept to be put back."""
        model, batch = self.model, self.model.args.batch_size
        self.saved_d = model.axis.values(self.session, model.d_params)
        if steps == 0:  # --drs-steps 0: the trained D as it is
            return
        x = self.grid.units.to_model(np.stack([self.real(batch) for _ in range(steps)]))  # (T, N, B): D's own units
        z = np.stack([self.noise(batch) for _ in range(steps)])
        shape = (steps, *model.batch_shape)  # (T, [N,] B, 1)
        self.session.run(model.fine_tune.loss, model.fine_tune.feed(x.reshape(shape), z.reshape(shape)))

    def restore_d(self):
        self.model.axis.load(self.session, self.model.d_params, self.saved_d)


class Sampler(NamedTuple):
    draw: Callable  # (reader, args) -> Drawn
    help: str


# Every sampler, by its --sampler name: a new one is one entry here and its flags in gan1d/flags.py.
SAMPLERS = {
    "plain": Sampler(plain, "the tutorial's: G on the evaluation grid's noise"),
    "drs": Sampler(drs, "discriminator rejection sampling (Azadi et al. 2019): --drs-steps, --drs-gamma"),
    "mh": Sampler(mh, "Metropolis-Hastings GAN (Turner et al. 2019): --mh-chain, --mh-calibration"),
    "jbop": Sampler(jbop, "rejects the noise where |G'(z)| is largest (Tanielian et al. 2020): --jbop-fraction"),
    "dot": Sampler(dot, "discriminator optimal transport (Tanaka 2019): --dot-steps, --dot-lr"),
}
PARAMETERS = {  # each sampler's flags: its results are reused only under the same values
    "plain": (),
    "drs": ("drs_steps", "drs_gamma", "sampler_max_draws"),
    "mh": ("mh_chain", "mh_calibration"),
    "jbop": ("jbop_fraction",),
    "dot": ("dot_steps", "dot_lr"),
}


def parameters(name, args):
    return {flag: getattr(args, flag) for flag in PARAMETERS[name]}


def apply(reader, names, args):
    """{name: Drawn} of each sampler named, DRS last (it fine-tunes D, then puts it back); a member
    that did not end finite gets NaN from every sampler but plain."""
    order = sorted(names, key=lambda name: name == "drs")
    drawn = {}
    for name in order:
        reader.start(list(SAMPLERS).index(name))
        read = SAMPLERS[name].draw(reader, args)
        if name != "plain":  # plain is G's own samples, kept as they are
            read = read._replace(samples=np.where(reader.finite[:, None], read.samples, np.nan))
        drawn[name] = read
    return drawn
