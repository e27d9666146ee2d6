"""Everything around the tutorial's script `gan.py`, one concern per module.

- `lazy`: TensorFlow, matplotlib and scipy, imported on first use.
- `flags`: every flag of `gan.py` declared once, with its help, its check and its facts.
- `settings`: the parser, presets and derived defaults resolved once into a frozen RunConfig,
  and the checks between flags.
- `names`: the names of run, population and study folders.
- `presets`: the presets, the classic targets and the default learning rates.
- `search`: a study's configurations: the sweep's grid, or a random search's quasi-random draws.
- `target`: the data's distribution, one normal or a mixture of modes.
- `data`: `--data`, a user's column of numbers read safely, checked, hashed, split and standardised.
- `sources`: the seam: what training draws from (a source) and what evaluation judges against (a reference).
- `judge`: judging without the truth: calibrated two-sample statistics, held-out modes, the held-out verdict.
- `baselines`: a data run's baselines and the memorisation distances.
- `export`: a trained G written beside its run and drawn from with NumPy alone.
- `metrics`: the fixed evaluation grid, the metrics and mode metrics, converged, accurate, the verdict.
- `figures`: the distributions and training figures, the study and sweep figures, the animation.
- `files`: run folders, atomic writes, summaries and results read back.
- `checkpoints`: checkpoints as JSON and npz (never pickle), damage reported and recovered from.
- `optim`: a population's optimiser, the tutorial's updates with each member's own rates.
- `population`: the member axis a GAN is built along, and each member's initial weights.
- `cures`: the cures' graph parts: penalties, clipping, instance noise, spectral norm, unrolling.
- `loops`: the in-graph training loops and the evaluation ops.
- `spread`: G's spread start.
- `monitor`: a run's pauses: evaluations, log lines, TensorBoard, stop requests.
- `stopping`: per member, divergence, early stopping and the best weights.
- `outputs`: one Outcome for a run and a population, each member's verdict, the files written.
- `runner`: the session and graph of a run or a population, and its files.
- `progress`: what a run or a study prints: progress bars, log lines, the verdict.
- `plan`: a study's plan: its populations, memory estimates, splitting and refusals.
- `cluster`: a study's populations as tasks on Dask, a local cluster or an existing one.
- `study`: studies over seeds, presets and sweeps, their tables and figures.
- `stats`: intervals on rates and medians, which comparisons they support, the ranking of a search.

The package never imports `gan.py`; `gan.py` hands it what it needs by name: its model class,
training loop and evaluation noise as a `runner.Tutorial` (which a cluster's worker loads from
the file it names), and to a study the function that resolves a run's flags. Importing it does
nothing.
"""
