"""How close can the generator family get to N(mu, sigma) at all? Fits G directly to the data's
quantile function (supervised, no discriminator), which bounds what any GAN training can reach.

    python benchmarks/capacity.py

For each hidden size it prints the lowest Wasserstein-1 distance and std ratio reached by G on the
evaluation grid, with the robust preset's input scaling; and the bound for a linear map of the
uniform noise. Several restarts per size; the best is kept.
"""

import sys

import numpy as np

sys.path.insert(
    0, __import__("os").path.dirname(__import__("os").path.dirname(__import__("os").path.abspath(__file__)))
)

import gan  # noqa: E402

tf = gan.tf


def best_fit(hidden_size, restarts=3, steps=20_000):
    args = gan.parse_args(["--preset", "robust", "--hidden-size", str(hidden_size), "--quiet"])
    grid = gan.EvalGrid(args)
    u = (grid.zs + args.noise_range) / (2 * args.noise_range)  # G's noise, as a quantile level
    target = gan.stats.norm.ppf(np.clip(u, 0.5 / len(u), 1 - 0.5 / len(u)), args.mu, args.sigma)
    best = None
    for restart in range(restarts):
        with tf.Graph().as_default():
            tf.set_random_seed(restart)
            z = tf.constant(grid.zs[:, None], tf.float32)
            with tf.variable_scope("G"):
                out = gan.generator(z, hidden_size, args.g_input_scale, args.g_init)
            loss = tf.reduce_mean(tf.abs(out[:, 0] - target))  # W1 of a monotone map = mean |G - quantile|
            step = tf.train.AdamOptimizer(0.01).minimize(loss)
            with tf.Session() as session:
                session.run(tf.global_variables_initializer())
                for _ in range(steps):
                    session.run(step)
                samples = session.run(out)[:, 0]
        m = gan.metrics(samples, grid, args)
        if best is None or m["w1"] < best["w1"]:
            best = m
    return best


def main():
    args = gan.parse_args(["--quiet"])
    grid = gan.EvalGrid(args)
    linear = (grid.zs - grid.zs.mean()) / grid.zs.std() * args.sigma + args.mu  # same mean and std
    print(f"linear map of the uniform noise: w1 {gan.metrics(linear, grid, args)['w1']:.4f}")
    for hidden_size in (4, 8, 16):
        m = best_fit(hidden_size)
        print(f"hidden size {hidden_size:>2}: best w1 {m['w1']:.4f}  std ratio {m['std_ratio']:.3f}")


if __name__ == "__main__":
    main()
