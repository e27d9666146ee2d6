"""`python gan.py --sample N --from RUN_DIR`: N samples from a trained run's G without training
(a study's population with --member K), written as .npy and .csv and judged against the run's
reference (docs/run-folder.md).

The run is read from its folder alone (gan1d/folder.py): its settings from config.json (checked
as the command line checks flags), its final weights from weights.npz, its data file from where it
was or from a copy carried in the folder, whichever has the content it was trained on. The plain
sampler draws with NumPy alone (gan1d/export.py), without TensorFlow; the D-guided ones build the
run's graph, load its weights and read it as a study reads a population (gan1d/samplers.py). All
draws come from the streams (--seed, or the run's own seed; the sampler) that the run's own
sampler reads use, so the same command gives the same bytes."""

import math
import time
from typing import NamedTuple

import numpy as np

from . import data, folder, samplers
from .export import NumpyGenerator, generator_arrays, generator_settings
from .flags import READ_FLAGS
from .folder import FolderError
from .metrics import EVAL_POINTS
from .sources import units_of


class Trained(NamedTuple):
    """A finished run read back: its folder, the member drawn from (0 for a single run), its frozen
    settings (a RunConfig) and every member's final weights {variable name: (N, ...)}."""

    folder: str
    member: int
    settings: object
    weights: dict


def read_trained(where, member, parser):
    """The run (or population member) of a folder; FolderError in one line if it is not one."""
    values = folder.saved_settings(where, member)
    if values.get("data"):
        _, column = data.parse_spec(str(values["data"]))
        found = folder.carried_data(where, values.get("data_record"))
        values = {**values, "data": found if column is None else f"{found}:{column}"}
    try:
        settings = parser.from_config(values, folder.path(where, folder.CONFIG))
    except ValueError as error:
        raise FolderError(str(error)) from None
    weights = folder.read_weights(where)
    if not weights or any(a.ndim == 0 or a.shape[0] <= (member or 0) for a in weights.values()):
        raise FolderError(f"{folder.path(where, folder.WEIGHTS)} holds no weights of member {member or 0}")
    return Trained(where, member or 0, settings, weights)


def sample(args, parser, tutorial):
    """The --sample command: draws, writes, judges and says; returns the exit status (0)."""
    trained = read_trained(getattr(args, "from"), args.member, parser)
    seed = args.seed if "seed" in args.given else trained.settings.seed  # the run's own streams by default
    read = {flag: getattr(args, flag) for flag in READ_FLAGS}
    run = trained.settings.replace(seed=seed, quiet=args.quiet, xla=False, **read)
    from .runner import evaluation_grid

    grid = evaluation_grid(run)  # the samplers' real draws and the verdict's reference
    started = time.time()
    drawn = draw(trained, run, args.sample, tutorial, grid)
    seconds = time.time() - started
    out = args.out_dir if "out_dir" in args.given else folder.path(trained.folder, folder.DRAWN)
    folder.write_drawn(out, name_of(run, args.sample, args.member), drawn.samples[0], column_of(run))
    name = run.sampler[0]
    if name != "plain":
        cost = samplers.costs(drawn, 0)
        print(f"{name}: {cost['sampler_draws']:.2f} drawn and {cost['sampler_steps']:g} gradient steps per sample kept, acceptance {cost['sampler_acceptance']:.2f}; {seconds:.1f} s")  # fmt: skip
    print(judged(drawn.samples[0], grid))
    return 0


def generator_of(trained, run):
    """The run's G in NumPy, in the data's units; tried on two points, so that arrays of the wrong
    shapes for config.json's settings are one line."""
    config = vars(run)
    try:
        g = NumpyGenerator(generator_arrays(trained.weights, config, trained.member), generator_settings(config, units_of(run)))  # fmt: skip
        g.sample(2, seed=0)
    except (ValueError, IndexError) as error:  # ExportError is a ValueError
        where = folder.path(trained.folder, folder.WEIGHTS)
        raise FolderError(f"{where}: G's arrays are missing or of another shape than config.json's settings make them ({error})") from None  # fmt: skip
    return g


def plain_draws(trained, run, n):
    """G's own n samples (1, n): its noise (and a mixture's part uniforms) from the plain sampler's stream."""
    rng = np.random.default_rng([run.seed, samplers.SAMPLER_SALT, list(samplers.SAMPLERS).index("plain")])
    return generator_of(trained, run).sample(n, rng=rng)[None]


def draw(trained, run, n, tutorial, grid):
    """The sampler's Drawn for one member: plain's in NumPy; a D-guided one's from the run's graph."""
    plain = plain_draws(trained, run, n)
    if run.sampler[0] == "plain":
        return samplers.plain_drawn(plain)
    from .lazy import native_stderr_silenced, tf
    from .runner import session_config

    with tf.Graph().as_default() as graph:
        tf.set_random_seed(run.seed)
        model = tutorial.model(run)
        graph.finalize()
        with native_stderr_silenced():
            session = tf.Session(config=session_config())
        with session:
            session.run(model.init)
            load_member(session, model, trained)
            reader = samplers.Reader(session, model, grid, [run], plain, np.array([True]))
            return samplers.apply(reader, run.sampler, run)[run.sampler[0]]


def load_member(session, model, trained):
    """Loads the member's final weights into a single run's graph of its settings (a population's
    biases (N, 1, out) are a single run's (out,))."""
    for v in model.weights():
        value, shape = trained.weights.get(v.op.name), v.shape.as_list()
        if value is None or value[0].size != np.prod(shape):
            raise FolderError(f"{folder.path(trained.folder, folder.WEIGHTS)}: {v.op.name} is missing or of another shape than config.json's settings make it")  # fmt: skip
        v.load(value[trained.member].reshape(shape), session)


def name_of(run, n, member):
    """The files' name: sampler, count, seed (and member), e.g. plain-n1000-seed-42."""
    return f"{run.sampler[0]}-n{n}-seed-{run.seed}" + ("" if member is None else f"-member-{member}")


def column_of(run):
    """The .csv's header: the data file's column, or x."""
    if not run.data:
        return "x"
    return data.parse_spec(run.data)[1] or "x"


def judged(samples, grid):
    """The verdict line of the first 10,000 samples against the run's reference (its truth, or its
    held-out data), with their metrics; fewer are too few for the calibrated verdict."""
    from .outputs import final_metrics, verdicts

    if len(samples) < EVAL_POINTS:
        return f"{len(samples):,} samples: the verdict judges {EVAL_POINTS:,}; draw at least that many to be judged"
    final = final_metrics(np.asarray(samples[:EVAL_POINTS], dtype=np.float64), grid)
    (label, reason), _ = verdicts("completed", final, grid)
    shown = ", ".join(f"{k} {final[k]:.4g}" for k in ("w1", "std_ratio", "ks", "ho_w1") if math.isfinite(final.get(k, math.nan)))  # fmt: skip
    return f"verdict ({EVAL_POINTS:,} of them): {label}: {reason}\n{shown}"
