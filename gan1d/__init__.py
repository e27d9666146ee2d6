"""Everything around the tutorial's script `gan.py`, one concern per module.

- `lazy`: TensorFlow, matplotlib and scipy, imported on first use.
- `flags`: presets, value checks and the checks between flags.
- `metrics`: the fixed evaluation grid, the metrics, and what counts as converged or accurate.
- `figures`: the distributions and training figures, the study figure, the animation.
- `files`: run folders, atomic writes, summaries and checkpoints.
- `monitor`: a run's bookkeeping: evaluations, log lines, early stopping, divergence, stops, outputs.
- `study`: many seeds and configurations, and their table.

The package never imports `gan.py`; `gan.py` hands it what it needs. Importing it does nothing.
"""
