"""Everything around the tutorial's script `gan.py`, one concern per module.

- `lazy`: TensorFlow, matplotlib and scipy, imported on first use.
- `flags`: every flag of `gan.py` with its help text, value checks, derived defaults and the
  checks between flags.
- `presets`: the presets, the classic targets and the default learning rates.
- `search`: a study's configurations: the sweep's grid, or a random search's quasi-random draws.
- `target`: the data's distribution, one normal or a mixture of modes.
- `metrics`: the fixed evaluation grid, the metrics and mode metrics, converged, accurate, the verdict.
- `figures`: the distributions and training figures, the study and sweep figures, the animation.
- `files`: run folders, atomic writes, summaries and checkpoints (JSON and npz, never pickle).
- `optim`: tf.train's optimisers with their own step counters, and a population's per-member ones.
- `spread`: G's spread start.
- `progress`: what a run prints: a progress bar, log lines, the verdict.
- `monitor`: the bookkeeping of one run or one population, per member: evaluations, early
  stopping, best weights, divergence, stops, checkpoints, a run's outputs.
- `population`: the member axis's plumbing, and each member's initial weights.
- `plan`: a study's plan, memory estimates, splitting and refusals.
- `study`: studies over seeds, presets and sweeps, reuse and resume, their table and figures.
- `stats`: intervals on rates and medians, which comparisons they support, the ranking of a search.

The package never imports `gan.py`; `gan.py` hands it what it needs by name: the model class to
a population's initial weights, and to a study the function that resolves a run's flags and the
one that trains a population. Importing it does nothing.
"""
