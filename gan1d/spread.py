"""G's spread start (--g-start spread, the robust and modes presets): G's first weights chosen from
the data instead of drawn at random, so that G starts spread over a real batch's range."""

import numpy as np


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


def spread_starts(h_dim, members, batches, half_width_of):
    """Each member's spread start from its own real batch, over its scaled noise: half_width_of(m)
    is how far member m's noise reaches on either side of 0."""
    return [
        spread_start(h_dim, half_width_of(m) * m.g_input_scale, batch, m.g_start_slope, m.g_start_std)
        for m, batch in zip(members, batches, strict=True)
    ]


def load_generator(session, model, values):
    """Loads G's weights, and their moving averages, which start as copies, from one {name: value}
    per member."""
    for v in model.g_params:
        value = np.stack([np.asarray(m[v.op.name], np.float32) for m in values])
        for copy in [v] + ([model.ema[v.op.name]] if model.ema else []):
            copy.load(np.reshape(value, v.shape), session)
