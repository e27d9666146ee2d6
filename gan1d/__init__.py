"""Everything around the tutorial's script `gan.py`, one concern per module.

- `lazy`: TensorFlow, matplotlib and scipy, imported on first use.
- `flags`: presets, targets, value checks and the checks between flags.
- `target`: the data's distribution, one normal or a mixture of modes.
- `metrics`: the fixed evaluation grid, the metrics and mode metrics, converged, accurate, the verdict.
- `figures`: the distributions and training figures, the study and sweep figures, the animation.
- `files`: run folders, atomic writes, summaries and checkpoints.
- `progress`: what a run prints: a progress bar, log lines, the verdict.
- `monitor`: a run's bookkeeping: evaluations, early stopping, divergence, stops, outputs.
- `population`: many seeds of one configuration trained together in one graph.
- `study`: studies over seeds, presets and sweeps, reuse and resume, their table and figures.
- `stats`: intervals on rates and medians, and which comparisons they support.

The package never imports `gan.py`; `gan.py` hands it what it needs (a study gets the module
itself, to build its graphs from the tutorial's own network functions). Importing it does nothing.
"""
