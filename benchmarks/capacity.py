"""How close can the generator family get to N(mu, sigma) at all? Fits G directly to the data's
quantile function (supervised, no discriminator): what no GAN training of that G can beat.

    python benchmarks/capacity.py [--target two-modes | --mu 2,6 --sigma 0.5] [--hidden-size 8]
        [--g-input-scale 1 --g-start-slope 1] [--adam-steps 2000]

Prints, on the evaluation grid: a linear map of the uniform noise; G (4 softplus units) fitted by
L-BFGS from random starts (what the family can represent); and G fitted by Adam from two starts,
input scale 1/8 either way unless --g-input-scale is given: random weights N(0, 0.1^2)
(--g-start random --g-init 0.1) and the spread start (--g-start spread, its slope --g-start-slope),
which is what gradient training from each start reaches even with the exact target in hand.
"""

import argparse
import os
import sys

import numpy as np
from scipy import optimize

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import gan  # noqa: E402
from gan1d.metrics import EvalGrid, metrics  # noqa: E402
from gan1d.sources import reference_of  # noqa: E402
from gan1d.spread import spread_start  # noqa: E402

tf = gan.tf


def best_fit(target_flags, hidden_size, start, restarts=2, steps=8_000):
    flags = ["--g-input-scale", "0.125", "--g-init", "0.1", "--g-start", start, "--hidden-size", str(hidden_size)]
    args = gan.parse_args([*flags, *target_flags, "--quiet"])  # the flags given win
    grid = EvalGrid(reference_of(args), args.noise_range, args.batch_size)
    u = (grid.zs + args.noise_range) / (2 * args.noise_range)  # G's noise, as a quantile level
    target = grid.reference.ppf(np.clip(u, 0.5 / len(u), 1 - 0.5 / len(u)))
    best = None
    for restart in range(restarts):
        with tf.Graph().as_default():
            tf.set_random_seed(restart)
            z = tf.constant(grid.zs[:, None], tf.float32)
            with tf.variable_scope("G"):
                out = gan.generator(z, hidden_size, gan.NetConfig.of(args))
            loss = tf.reduce_mean(tf.abs(out[:, 0] - target))  # W1 of a monotone map = mean |G - quantile|
            step = tf.train.AdamOptimizer(0.01).minimize(loss)
            with tf.Session() as session:
                session.run(tf.global_variables_initializer())
                if start == "spread":  # the output bias from a real batch, as a run does
                    batch = gan.DataDistribution(grid.reference, np.random.RandomState(restart)).sample(256)
                    half_width = args.noise_range * args.g_input_scale
                    values = spread_start(hidden_size, half_width, batch, args.g_start_slope)
                    for v in tf.trainable_variables("G/"):
                        v.load(np.reshape(values[v.op.name], v.shape), session)
                for _ in range(steps):
                    session.run(step)
                samples = session.run(out)[:, 0]
        m = metrics(samples, grid)
        if best is None or m["w1"] < best["w1"]:
            best = m
    return best


def lbfgs_fit(grid, args, hidden_size=4, restarts=5, scales=(3.0, 30.0, 300.0)):
    """Least squares between G's sorted outputs and the exact quantiles (the W2-optimal pairing),
    from random starts at several weight scales (a step between modes needs steep units)."""
    z = grid.zs / args.noise_range

    def outputs(p):
        w, b, a, c = np.split(p, [hidden_size, 2 * hidden_size, 3 * hidden_size])
        return np.logaddexp(0, np.outer(z, w) + b) @ a + c

    rng, best = np.random.default_rng(0), None
    for scale in scales:
        for _ in range(restarts):
            best = better(best, lbfgs_once(grid, outputs, rng, scale, hidden_size))
    return best


def better(best, m):
    return m if best is None or m["w1"] < best["w1"] else best


def lbfgs_once(grid, outputs, rng, scale, hidden_size):
    start = np.append(rng.normal(0, scale, 3 * hidden_size), grid.reference.mean)
    loss = lambda p: np.mean((np.sort(outputs(p)) - grid.quantiles) ** 2)  # noqa: E731
    fit = optimize.minimize(loss, start, method="L-BFGS-B", options={"maxiter": 3000})
    return metrics(outputs(fit.x), grid)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hidden-size", type=int, default=4, help="G's hidden units (default: 4)")
    parser.add_argument("--adam-steps", type=int, default=8_000, help="steps of each Adam fit (default: 8000)")
    options, target_flags = parser.parse_known_args()
    h = options.hidden_size
    args = gan.parse_args([*target_flags, "--quiet"])
    grid = EvalGrid(reference_of(args), args.noise_range, args.batch_size)
    print(f"target {grid.reference.describe()}, G with {h} softplus units")
    linear = (grid.zs - grid.zs.mean()) / grid.zs.std() * grid.reference.std + grid.reference.mean  # same mean and std
    show("linear map of the uniform noise", metrics(linear, grid))
    show("L-BFGS, random starts", lbfgs_fit(grid, args, h))
    for start in ("random", "spread"):
        show(f"Adam, {start} start", best_fit(target_flags, h, start, steps=options.adam_steps))


def show(label, m):
    print(f"{label:<34} w1 {m['w1']:.4f}  std ratio {m['std_ratio']:.3f}  separated {m['separated']:.0f}  "
          f"gap mass {m['gap_mass']:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
