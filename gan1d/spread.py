"""G's spread start (--g-start spread, the robust and modes presets): G's first weights chosen from
the data instead of drawn at random, so that G starts spread over a real batch's range."""

import numpy as np

from .mixture import spread_centres


def spread_start(h_dim, half_width, batch, slope, match_std=False, out_weight=0.1, centre=None):
    """G's weights for --g-start spread: hidden unit i bends at the centre k_i of the i-th of h_dim
    equal slices of G's scaled noise [-half_width, half_width] and rises toward the nearer end
    (weight slope * sign(k_i): the smaller the slope, the less its bias must change to move the bend,
    -b/w); its output weight is out_weight * sign(k_i), so G starts increasing and steepening toward
    both ends; the output bias starts at the mean of a real batch (a data-dependent start: it works
    for any target). With match_std (--g-start-std), the output weights are rescaled so that G's
    outputs over the noise have the batch's std. centre: the output bias instead of the batch's mean.
    {variable name: value}."""
    k = (np.arange(h_dim) + 0.5) / h_dim * 2 * half_width - half_width  # (h,)
    side = np.where(k >= 0, 1.0, -1.0)
    w, v = slope * side, out_weight * side
    if match_std:
        z = np.linspace(-half_width, half_width, 1001)[:, None]  # (n, 1): G's scaled noise
        v = v * batch.std() / np.std(np.logaddexp(0, z * w - w * k) @ v)
    bias = batch.mean() if centre is None else centre
    return {"G/g0/w": w[None], "G/g0/b": -w * k, "G/g1/w": v[:, None], "G/g1/b": [bias]}


def spread_starts(h_dim, members, batches, half_width_of):
    """Each member's spread start from its own real batch, over its scaled noise: half_width_of(m)
    is how far member m's noise reaches on either side of 0. With --generators K, each generator's
    (under G/gen<k>/) with its output bias at its own quantile of the batch."""
    return [spread_start_of(h_dim, m, batch, half_width_of(m) * m.g_input_scale) for m, batch in zip(members, batches, strict=True)]  # fmt: skip


def spread_start_of(h_dim, member, batch, half_width):
    """One member's spread start; with --generators K, each generator's at its own centre."""
    slope, match = member.g_start_slope, member.g_start_std
    if member.generators == 1:
        return spread_start(h_dim, half_width, batch, slope, match)
    starts = [
        spread_start(h_dim, half_width, batch, slope, match, centre=c) for c in spread_centres(batch, member.generators)
    ]
    return {name.replace("G/", f"G/gen{k}/", 1): v for k, s in enumerate(starts) for name, v in s.items()}


def load_generator(session, model, values):
    """Loads G's weights, and their moving averages, which start as copies, from one {name: value}
    per member."""
    for v in [v for v in model.g_params if v.op.name in values[0]]:  # the latent's mu and sigma keep their start
        value = np.stack([np.asarray(m[v.op.name], np.float32) for m in values])
        for copy in [v] + ([model.ema[v.op.name]] if model.ema else []):
            copy.load(np.reshape(value, v.shape), session)
