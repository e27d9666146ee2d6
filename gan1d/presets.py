"""Presets (sets of flag values), the classic data shapes of --target, and the default learning
rates: the values that flags.resolve() lays under the flags given."""

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
        "g_start": "spread",
        "d_input_scale": 0.25,
        "r1": 0.1,
        "d_steps": 5,
        "batch_size": 256,
        "optimizer": "adam",
        "learning_rate": 0.002,
        "beta1": 0.5,
        "decay_rate": 1.0,
        "pretrain_steps": 0,
        "num_steps": 2000,
        "ema": 0.995,
        "log_every": 100,
    },
}
# robust with minibatch discrimination, retuned for two modes (docs/presets.md, "minibatch-modes: the modes preset before"), the modes
# preset until the equal-budget protocol found a better one: G's noise unscaled and its spread
# start's units shallow, so that a bend can move to where the step between the modes belongs and
# then steepen; a faster rate that decays; more steps of fewer D updates.
PRESETS["minibatch-modes"] = {
    **PRESETS["robust"],
    "minibatch": True,
    "minibatch_group": 16,
    "d_init": 0.3,
    "g_input_scale": 1.0,
    "g_start_slope": 1.0,
    "learning_rate": 0.012,
    "decay_rate": 0.9,
    "decay_steps": 300,
    "num_steps": 3000,
    "d_steps": 3,
}
# The equal-budget protocol's mixture recipe (docs/equal-budget.md, docs/jump.md): deligan's best on the
# two-mode tuning target (seeds 0-3), chosen because it separated the two-mode target's held-out
# seeds most often, then with the lowest median w1 (20/20, 0.079); the held-out targets played no part.
PRESETS["modes"] = {
    **PRESETS["robust"],
    "r1": 0.0,  # the protocol's base: robust without its R1 penalty
    "latent": "mixture",  # DeLiGAN: G's noise is mu_c + sigma_c z, for one of K learned components
    "latent_components": 6,  # fixed by the protocol on every target: four modes at most, two spare
    "latent_weights": "learned",  # equal weights cannot draw 1:3 data
    "learning_rate": 0.000616,
    "beta1": 0.156,
    "g_input_scale": 0.595,
    "d_steps": 5,
    "batch_size": 256,
    "sigma_penalty": 0.00468,
    "classifier_weight": 0.383,
}
# The preset for data of any shape (docs/any.md): the protocol's any-shape method in its second round
# (the classifier term annealed), chosen over both tuning targets (one-mode, two-modes; seeds 0-3) by the
# protocol's score, 8/8 with the lowest median w1, and preferred to the first round by the rule declared
# with it, on five fresh targets (94 successes against 92, none wholly below). No value reads the target:
# six parts on every target, the prior learned so that one part can take all the mass, trained in the
# data's standardised units.
PRESETS["any"] = {
    **PRESETS["robust"],
    "r1": 0.0,  # the protocol's base: robust without its R1 penalty
    "generators": 6,  # one more than the most modes of any held-out target; the prior starves the spare ones
    "noise": "normal",  # a part draws a bell as a straight line (docs/any.md, "Why the parts drew spikes")
    "standardise": True,  # scale-free: a copy x100 + 1,000 trains on the same numbers
    "learning_rate": 0.0026,
    "beta1": 0.422,
    "g_input_scale": 0.333,
    "d_steps": 5,
    "batch_size": 256,
    "classifier_weight": 6.78,
    "classifier_anneal": True,  # the parts free to close the seams between those sharing a mode, at the end
}
# What --data trains with when no --preset is given: your data's shape is unknown, and the any preset
# matched or beat the modes preset (the advice before it) on every held-out synthetic target, at a lower
# w1 on every mixture; on Old Faithful no interval puts modes ahead of it (docs/any.md, "Old Faithful").
DATA_PRESET = "any"
PRESETS_MINIBATCH = {
    "robust": {"minibatch_group": 16, "d_init": 0.3, "learning_rate": 0.001}
}  # on top with --minibatch

# Classic data shapes (--target), each a set of --mu, --sigma and --weights; explicit flags win.
# Neighbouring modes are more than 6 sigma apart: closer, their 3-sigma neighbourhoods meet, no gap
# is left between them, and "separated" could not tell two peaks from a bridge (gan1d/metrics.py).
TARGETS = {
    "one-mode": {"mu": [4.0], "sigma": 0.5},  # the 2016 data
    "two-modes": {"mu": [2.0, 6.0], "sigma": 0.5},
    "near-modes": {"mu": [2.25, 5.75], "sigma": 0.5},  # 7 sigma apart, against two-modes' 8
    "wide-modes": {"mu": [1.0, 7.0], "sigma": 0.5},  # 12 sigma apart
    "unequal-modes": {"mu": [2.0, 6.0], "sigma": 0.5, "weights": [1.0, 3.0]},
    "three-modes": {"mu": [0.5, 4.0, 7.5], "sigma": 0.5},  # 7 sigma apart
    "five-modes": {"mu": [1.0, 2.5, 4.0, 5.5, 7.0], "sigma": 0.2},  # 7.5 sigma apart: gaps of 0.3 between modes
    "unequal-widths": {"mu": [2.0, 6.0], "sigma": [0.3, 0.7]},  # a gap of 1.0 between 3 sigma of each, as two-modes'
    "four-modes": {"mu": [1.0, 3.0, 5.0, 7.0], "sigma": 0.25},  # 8 sigma apart, as two-modes: gaps of 0.5
}

# Shapes beyond mixtures of normals (--target too; gan1d/shapes.py), and a copy moved far from the
# noise's range, each with exact truth. Kept apart from TARGETS, whose studies (docs/samplers.md)
# cover the classic shapes only.
SHAPE_TARGETS = {
    "skewed": {"shape": "lognorm:s=0.5,loc=2,scale=2"},  # mean 4.27, std 1.21, skewness 1.75
    "heavy-tailed": {"shape": "t:df=3,loc=4,scale=0.5"},  # std 0.87, no finite kurtosis
    "flat": {"shape": "uniform:loc=2,scale=4"},  # hard edges at 2 and 6, std 1.15
    # five modes of unequal widths and weights, each 3-sigma neighbourhood apart from the next
    "five-unequal": {
        "mu": [0.0, 2.5, 4.6, 6.1, 7.6],
        "sigma": [0.2, 0.4, 0.25, 0.15, 0.3],
        "weights": [1.0, 3.0, 2.0, 1.0, 3.0],
    },  # fmt: skip
    "two-modes-x100": {"mu": [2.0, 6.0], "sigma": 0.5, "stretch": 100.0, "shift": 1000.0},  # at 1,200 and 1,600
    # fresh targets, declared with the any preset's second round before any run on them (docs/any.md)
    "skewed-gamma": {"shape": "gamma:a=2,loc=2,scale=0.75"},  # another skewed family: mean 3.5, std 1.06
    "peaked": {"shape": "laplace:loc=4,scale=0.5"},  # a sharp peak and exponential tails, std 0.71
    "bounded": {"shape": "beta:a=2,b=5,loc=1,scale=6"},  # skewed with hard edges at 1 and 7, std 0.96
    "three-unequal": {"mu": [0.0, 3.0, 7.0], "sigma": [0.3, 0.6, 0.4], "weights": [2.0, 1.0, 3.0]},  # fmt: skip
    "two-modes-small": {
        "mu": [2.0, 6.0],
        "sigma": 0.5,
        "stretch": 0.01,
        "shift": -5.0,
    },  # at -4.98 and -4.94, sigma 0.005
}
NAMED_TARGETS = {**TARGETS, **SHAPE_TARGETS}  # what --target names

# The default learning rate, by optimizer and minibatch discrimination: the 2016 code's and the 2017 code's.
LEARNING_RATES = {("sgd", False): 0.03, ("sgd", True): 0.005, ("adam", False): 0.001, ("adam", True): 0.001}
LEARNING_RATE_HELP = "0.03; 0.005 with --minibatch; 0.001 with --optimizer adam"
