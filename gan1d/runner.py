"""The run's machinery around the tutorial's model and loop: the session, the graph of one run or
one population, its monitor, and the files it ends with; a study's population trained, resumed or
reused. `gan.py` hands in what it needs by name,
as a `Tutorial`: the model class and the training loop."""

import importlib
import os
import sys
import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from . import export, files, folder, outputs, samplers
from .lazy import native_stderr_silenced, tf
from .metrics import EvalGrid
from .monitor import Monitor, StopRequest
from .noise import noise_grid
from .plan import settings_record
from .progress import Progress
from .sources import reference_of, units_of


class Tutorial(NamedTuple):
    """What gan.py hands the package: GAN(args, members) and train(session, model, monitor); and
    source, the path of the file that defines them as TUTORIAL, from which a worker process of a
    cluster loads them (by that name: a Tutorial is sent to a worker as its source's path, never as
    code)."""

    model: Callable
    train: Callable
    source: str

    def __reduce__(self):
        return load_tutorial, (os.path.abspath(self.source),)


def load_tutorial(source):
    """The TUTORIAL of the file at source, imported under its own name (a worker's sys.path gains
    its folder)."""
    where, name = os.path.split(source)
    if where not in sys.path:
        sys.path.insert(0, where)
    return importlib.import_module(os.path.splitext(name)[0]).TUTORIAL


def session_config(threads=None):
    config = tf.ConfigProto()  # default thread pools: one thread each made every session.run slower here
    if threads:
        config.intra_op_parallelism_threads = config.inter_op_parallelism_threads = threads
    # grappler's graph rewrites cost ~0.3 s at the first run of each loop and gain nothing on ops this small
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return config


def evaluation_grid(args):
    """The fixed grid every evaluation of a run (or of a whole population) uses: built once."""
    grid = noise_grid(args)
    return EvalGrid(reference_of(args), args.noise_range, args.minibatch_group, grid, args.noise, units_of(args))


def train_in(run_dir, members, tutorial, stop, progress, final_weights=None, samplers=None):
    """Builds the graph of one run (one member) or a population, and trains it in run_dir (given
    final_weights, a finished population's, only evaluates it), then reads it with each sampler
    (those of --sampler, unless named); returns its outputs.Outcome."""
    args = members[0]
    with tf.Graph().as_default() as graph:
        # --- seeding: numpy's stream of each member feeds its data and noise, TensorFlow's the
        # initial weights (a population's members get a single run's of their seeds: gan1d/population.py)
        tf.set_random_seed(args.seed)
        rngs = [np.random.RandomState(m.seed) for m in members]
        model = tutorial.model(args, members if len(members) > 1 else None)
        grid = evaluation_grid(args)
        graph.finalize()
        with native_stderr_silenced():
            session = tf.Session(config=session_config(args.jobs if len(members) > 1 else None))
        with session:
            monitor = Monitor(session, model, grid, rngs, run_dir, stop, progress, final_weights)
            outcome = tutorial.train(session, model, monitor)
            return read_with(session, model, members, outcome, args.sampler if samplers is None else samplers)


def read_with(session, model, members, outcome, names):
    """The outcome with each named sampler's samples (gan1d/samplers.py); unread if interrupted."""
    if any(status == "interrupted" for status, _ in outcome.statuses):
        return outcome
    ended = np.array([status != "diverged" for status, _ in outcome.statuses])
    finite = ended & np.all(np.isfinite(outcome.samples), axis=1)
    reader = samplers.Reader(session, model, outcome.grid, members, outcome.samples, finite)
    return outcome._replace(sampled=samplers.apply(reader, names, model.args))


def run(args, tutorial, stop_event=None):
    """One training run in <out-dir>/<run-name>/: its files, its verdict; returns its summary."""
    run_dir = os.path.join(args.out_dir, args.run_name)
    config = files.config_dict(args, tf.__version__)
    if args.resume:
        saved = folder.read_config(run_dir)
        folder.check_data(run_dir, saved.get("data_record"), args.data_record)
        folder.check_resume(run_dir, saved, config)
    folder.prepare(run_dir, args.resume, args.overwrite)
    folder.write_config(run_dir, config)
    progress, started = Progress(args.num_steps, args.log_every, args.quiet), time.time()
    with StopRequest(stop_event) as stop:
        outcome = train_in(run_dir, [args], tutorial, stop, progress)
    summary = outputs.write_run(run_dir, outcome, config, time.time() - started)
    if args.export and summary["status"] != "interrupted":
        export.export(run_dir, vars(args), units_of(args))
    progress.verdict(summary["verdict"], summary["verdict_reason"])
    return summary


def population(args, tutorial, path, runs, stop, bar):
    """A finished population's results read back if its settings match, else trained (or resumed);
    the chosen seeds' figures drawn from its final weights."""
    members = [r.settings for r in runs]
    record = settings_record(members)
    name = os.path.basename(path)
    saved = None if args.overwrite else saved_population(path, record)
    if saved is not None:
        bar.update(members[0].num_steps)
        return reused(args, tutorial, path, runs, saved, stop, bar)
    folder.prepare(path, resume=True, overwrite=args.overwrite)  # a checkpoint left is resumed
    started = time.time()
    trained = train_in(path, members, tutorial, stop, bar)
    results = outputs.population_results(trained, runs, name, args.sampler)
    seconds = round(time.time() - started, 3)
    status = "interrupted" if any(s == "interrupted" for s, _ in trained.statuses) else "completed"
    if status == "completed":
        read = {name: samplers.parameters(name, args) for name in args.sampler}
        outputs.write_population(path, trained, results, record, seconds, read)
        outputs.draw_seeds(path, runs, trained, args.plot_seeds)
    return {"status": status, "results": results, "seconds": seconds}


def reused(args, tutorial, path, runs, saved, stop, bar):
    """A finished population's rows of each --sampler: those it was read with under the same sampler
    flags, and the others read now from its final weights (training nothing); the chosen seeds'
    figures drawn if missing. Its summary.json keeps every sampler's rows."""
    members = [r.settings for r in runs]
    wanted = {name: samplers.parameters(name, args) for name in args.sampler}
    missing = [name for name, values in wanted.items() if saved["samplers"].get(name) != values]
    drawn = [m for m in members if m.seed in args.plot_seeds]
    figures = drawn and not all(os.path.exists(folder.seed_figure(path, m.seed)) for m in drawn)
    rows = saved["results"]
    if missing or figures:
        evaluated = train_in(path, members, tutorial, stop, bar, saved["weights"], missing)
        if figures:
            outputs.draw_seeds(path, runs, evaluated, args.plot_seeds)
        if missing:
            new = outputs.population_results(evaluated, runs, os.path.basename(path), missing)
            rows = [r for r in rows if r["sampler"] not in missing] + new
            outputs.add_samplers(
                path, evaluated.sampled, rows, {**saved["samplers"], **{m: wanted[m] for m in missing}}
            )
    return {"status": "completed", "results": [r for r in rows if r["sampler"] in wanted], "reused": True}


def saved_population(path, record):
    """A finished population's summary and weights, if both read back whole and match record; a
    damaged file is reported, and the population trained again; one trained on another content of
    its data file is refused."""
    return folder.read_population(path, record, outputs.STUDY_METRICS, samplers.PLAIN_COSTS)
