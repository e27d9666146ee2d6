"""Speed of gan.py against the reference's way of running the same graph, as ratios measured in one run.

    python benchmarks/bench.py            # everything, several minutes on 2 cores
    python benchmarks/bench.py --quick    # training and frame ratios only
    python benchmarks/bench.py --only populations,study200   # the population goals (study200: ~20 minutes)
    python benchmarks/bench.py --only cluster                # a study on 2 local Dask workers against one process
    python benchmarks/bench.py --only peer                   # against the JAX peer (pip install -r requirements-bench.txt)

The reference way: two `session.run` per training step with `feed_dict`, and each frame or figure
evaluated in batch-sized chunks, one `session.run` per chunk (1,666 calls per frame at batch 12).
Prints a table and, last, one JSON line with every figure.
"""

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import gan  # noqa: E402
from gan1d import files  # noqa: E402
from gan1d import study as gan_study  # noqa: E402
from gan1d.figures import plot_distributions  # noqa: E402
from gan1d.loops import evaluate_grid  # noqa: E402
from gan1d.metrics import EVAL_POINTS, EvalGrid  # noqa: E402
from gan1d.sources import reference_of  # noqa: E402
from gan1d.target import Target  # noqa: E402

tf = gan.tf
GAN_PY = os.path.join(ROOT, "gan.py")


def grid_of(args):
    return EvalGrid(reference_of(args), args.noise_range, args.minibatch_group)


def build(flags):
    args = gan.parse_args([*flags, "--quiet"])
    args = args.replace(loop="feed")  # builds both kinds of update: the per-step ops and the in-graph loop
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(args.seed)
        model = gan.GAN(args)
        session = tf.Session(config=gan.runner.session_config())
        session.run(model.init)
    return args, graph, model, session


def batches(model, num_steps, seed=0):
    args, rng = model.args, np.random.RandomState(seed)
    data, noise = gan.DataDistribution(Target.of(args), rng), gan.GeneratorDistribution(args.noise_range, rng)
    return model.axis.fed(gan.sample_steps([data], [noise], num_steps, args.batch_size, args.d_steps))


def time_training(flags, num_steps=1200, chunk=10):
    """Seconds for num_steps steps: the literal loop, the in-graph loop in gan.py's default chunks
    (one per evaluation), and the in-graph loop in one chunk; each on a fresh session, first call included."""
    args, graph, model, _ = build(flags)
    data = batches(model, num_steps)
    result = {}
    for name, size, loop in [
        ("feed", num_steps, "feed"),
        ("graph_chunks", chunk, "graph"),
        ("graph_one", num_steps, "graph"),
    ]:
        args = args.replace(loop=loop)
        with graph.as_default():
            session = tf.Session(config=gan.runner.session_config())
            session.run(model.init)
        started = time.perf_counter()
        for start in range(0, num_steps, size):
            gan.train_steps(session, model, [b[start : start + size] for b in data], loop)
        result[name] = time.perf_counter() - started
        session.close()
    return result


def time_xla(flags, num_steps=20_000, chunk=10):
    """The same comparison for a 20,000-step run with --xla, compilation included."""
    t = time_training([*flags, "--xla"], num_steps, chunk)
    return {"feed": t["feed"], "xla_chunks": t["graph_chunks"], "xla_one": t["graph_one"]}


def reference_frame(session, model, grid, batch_size):
    """The reference's capture: D and G each in batch-sized chunks (the last 10000 mod B left at 0)."""
    db, g = np.zeros(EVAL_POINTS), np.zeros(EVAL_POINTS)
    for i in range(EVAL_POINTS // batch_size):
        part = slice(i * batch_size, (i + 1) * batch_size)
        db[part] = session.run(model.D1, {model.x: grid.xs[part, None]})[:, 0]
        g[part] = session.run(model.G, {model.z: grid.zs[part, None]})[:, 0]
    return db, g


def time_frame(flags, repeats=3):
    args, graph, model, session = build(flags)
    with graph.as_default():
        grid = grid_of(args)
    evaluate_grid(session, model, grid)
    reference = min(timed(lambda: reference_frame(session, model, grid, args.batch_size)) for _ in range(repeats))
    ours = min(timed(lambda: evaluate_grid(session, model, grid)) for _ in range(10 * repeats))
    return {"reference": reference, "ours": ours}


def timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def process(argv):
    """Wall seconds and peak resident memory (MB) of one child process."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    wall, peak = out.stdout.split()
    return float(wall), float(peak)


def reference_way_script(out_dir, flags):
    """A child process that runs a whole run the reference way: import, build, pretrain and train with
    two session.run per step, one chunked frame, one figure."""
    return [
        sys.executable, "-c",
        f"import sys; sys.path.insert(0, {ROOT!r}); sys.argv = ['bench']\n"
        f"import benchmarks.bench as b; b.reference_run({flags!r}, {out_dir!r})",
    ]  # fmt: skip


def reference_run(flags, out_dir):
    args, graph, model, session = build(flags)
    with graph.as_default():
        rng = np.random.RandomState(args.seed)
        target = Target.of(args)
        gan.pretrain(session, model, [rng], args.pretrain_steps, "feed")
        data, noise = gan.DataDistribution(target, rng), gan.GeneratorDistribution(args.noise_range, rng)
        for _ in range(args.num_steps):
            drawn = gan.sample_steps([data], [noise], 1, args.batch_size, args.d_steps)
            gan.train_steps(session, model, model.axis.fed(drawn), "feed")
        grid = grid_of(args)
        decision, samples = reference_frame(session, model, grid, args.batch_size)
        os.makedirs(out_dir, exist_ok=True)
        plot_distributions(os.path.join(out_dir, "reference.png"), samples, decision, grid)


def end_to_end(tmp):
    floors, runs = [], []
    for _ in range(3):  # alternated, so that a change in the machine's load touches both
        floors.append(process([sys.executable, "-c", "import tensorflow"])[0])
        runs.append(process([sys.executable, GAN_PY, "--minibatch", "--out-dir", tmp]))
    floor, (ours, ours_mb) = min(floors), min(runs)
    reference, reference_mb = process(reference_way_script(os.path.join(tmp, "ref"), ["--minibatch"]))
    anim, anim_mb = process([sys.executable, GAN_PY, "--out-dir", tmp, "--anim-path", os.path.join(tmp, "x.gif")])
    short_anim, short_anim_mb = process(
        [sys.executable, GAN_PY, "--out-dir", tmp, "--num-steps", "300", "--anim-path", os.path.join(tmp, "y.gif")]
    )
    return {
        "import_tensorflow_s": floor, "minibatch_run_s": ours, "minibatch_run_reference_way_s": reference,
        "minibatch_run_over_import": ours / floor, "reference_way_over_import": reference / floor,
        "peak_mb": ours_mb, "peak_mb_reference_way": reference_mb, "anim_1200_frames_s": anim,
        "anim_1200_frames_peak_mb": anim_mb, "anim_300_frames_peak_mb": short_anim_mb,
    }  # fmt: skip


def study(tmp, sizes=(20, 200), processes=2):
    """Studies of seeds x 2 configurations (2016 defaults, --compare) against as many separate
    `python gan.py` processes, the latter estimated from `processes` processes per configuration;
    and the peak memory of a 1,000-member study."""
    single = {}
    for name, flags in [("plain", []), ("minibatch", ["--minibatch"])]:
        times = [
            process([sys.executable, GAN_PY, *flags, "--seed", str(s), "--out-dir", tmp])[0] for s in range(processes)
        ]
        single[name] = sum(times) / len(times)
    result = {"single_process_s": single}
    for seeds in sizes:
        wall, peak = process([sys.executable, GAN_PY, "--seeds", str(seeds), "--compare", "--out-dir", tmp])
        estimated = seeds * sum(single.values())
        result[f"{seeds}x2"] = {
            "study_s": wall,
            "peak_mb": peak,
            "processes_s_estimated": estimated,
            "speedup": estimated / wall,
        }
    wall, peak = process([sys.executable, GAN_PY, "--seeds", "1000", "--out-dir", tmp])
    result["1000_members"] = {"study_s": wall, "peak_mb": peak}
    return result


OLD_ROBUST = ["--g-start", "random", "--g-init", "0.1", "--batch-size", "12", "--d-steps", "3", "--learning-rate", "0.001",
              "--num-steps", "6000"]  # fmt: skip


def robust_time(repeats=2):
    """A --preset robust run against the preset as it was before the spread start (OLD_ROBUST), a
    --preset minibatch-modes run on two modes, a --preset robust --minibatch run and a 2016-defaults run done
    the reference way; TensorFlow's import excluded (in-process)."""
    runs = {
        "robust_s": ["--preset", "robust"],
        "old_robust_s": ["--preset", "robust", *OLD_ROBUST],
        "modes_s": ["--preset", "minibatch-modes", "--target", "two-modes"],
        "robust_minibatch_s": ["--preset", "robust", "--minibatch"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        files.PRINT_WRITES = False
        times = {name: [] for name in runs}
        for _ in range(repeats):  # alternated, so that a change in the machine's load touches all
            for name, argv in runs.items():
                args = gan.parse_args([*argv, "--quiet", "--out-dir", tmp])
                with contextlib.redirect_stdout(io.StringIO()):
                    times[name].append(timed(lambda a=args: gan.run(a)))
        times = {name: min(values) for name, values in times.items()}
        times["defaults_reference_way_s"] = timed(lambda: reference_run([], tmp))
    return times


def evaluation_cost(flags, repeats=5):
    """A default run's evaluations (121 of them) against the same run evaluated only at its ends;
    both train in the same 10-step chunks. Returns the extra seconds over the training seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        files.PRINT_WRITES = False
        times = {"evaluated": [], "ends_only": []}
        for _ in range(repeats):  # alternated, so that a change in the machine's load touches both
            for name, extra in [("evaluated", []), ("ends_only", ["--eval-every", "1200"])]:
                args = gan.parse_args([*flags, *extra, "--quiet", "--out-dir", tmp])
                with contextlib.redirect_stdout(io.StringIO()):  # the verdict line
                    times[name].append(gan.run(args)["training_seconds"])
        times = {name: min(values) for name, values in times.items()}
    return {**times, "overhead": times["evaluated"] / times["ends_only"] - 1}


def population_speed(flags, seeds=20, singles=3):
    """A study of `seeds` seeds (its own wall time, in one process, TensorFlow's import excluded)
    against 20 single runs' training time, estimated from `singles` single runs of the first seeds
    (`training_seconds`, alternated with nothing else running)."""
    with tempfile.TemporaryDirectory() as tmp:
        files.PRINT_WRITES = False
        single = []
        for seed in range(100, 100 + singles):
            args = gan.parse_args([*flags, "--seed", str(seed), "--quiet", "--out-dir", tmp])
            with contextlib.redirect_stdout(io.StringIO()):
                single.append(gan.run(args)["training_seconds"])
        args = gan.parse_args([*flags, "--seeds", str(seeds), "--seed", "100", "--quiet", "--out-dir", tmp])
        with contextlib.redirect_stdout(io.StringIO()):
            study_s = timed(lambda: gan_study.run_study(args, gan.flag_parser().settings, gan.TUTORIAL))
    estimated = seeds * sum(single) / len(single)
    return {"single_training_s": single, "singles_estimated_s": estimated, "study_s": study_s, "xla": args.xla}


def mixture_cost(sizes=(20, 200), num_steps=400, parts=6):
    """Wall seconds of a --preset robust study of N seeds with `parts` generators and with one, for N
    in sizes (compiled as a long study is, TensorFlow's import excluded): each member draws its own
    indices, one draw op per member and update, so the parts' share of the cost could grow with N."""
    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        files.PRINT_WRITES = False
        for n in sizes:
            for k in (1, parts):
                flags = ["--preset", "robust", "--generators", str(k), "--num-steps", str(num_steps), "--xla"]
                args = gan.parse_args([*flags, "--seeds", str(n), "--seed", "100", "--quiet", "--out-dir", tmp])
                with contextlib.redirect_stdout(io.StringIO()):
                    seconds[f"{n}x{k}"] = timed(
                        lambda a=args: gan_study.run_study(a, gan.flag_parser().settings, gan.TUTORIAL)
                    )
    return seconds


def study_200(flags):
    """Wall seconds of a 200-seed study, TensorFlow's import excluded (long: opt in with --only study200)."""
    with tempfile.TemporaryDirectory() as tmp:
        files.PRINT_WRITES = False
        args = gan.parse_args([*flags, "--seeds", "200", "--seed", "100", "--quiet", "--out-dir", tmp])
        with contextlib.redirect_stdout(io.StringIO()):
            return timed(lambda: gan_study.run_study(args, gan.flag_parser().settings, gan.TUTORIAL))


def d_forward(s, n):
    """Multiply-adds and elementwise ops of D on n samples with settings s, from its layer shapes."""
    width, first = 2 * s.hidden_size, s.pack
    n = n // s.pack
    macs, elementwise = n * first * width + n * width * width, 2 * n * width  # d0, d1 and their activations
    if s.minibatch:
        kd, group = s.num_kernels * s.kernel_dim, s.minibatch_group
        macs += n * width * kd + n * (width + s.num_kernels)  # the minibatch layer's linear map, then d3
        elementwise += 3 * n * group * kd + 2 * n * group * s.num_kernels  # sub, abs, add per pair; exp, sum
    else:
        macs += n * width * width + n * width  # d2, d3
        elementwise += n * width
    return macs, elementwise


def member_step_work(flags):
    """A member-step's multiply-adds and elementwise ops, counted: per D update G on a batch, D on a
    real and a generated batch, the backward pass at twice the forward, R1 (if on) at three more
    forwards of D on the real batch; then G's update, G and D forward and backward."""
    s = gan.parse_args([*flags, "--quiet"])
    b = s.batch_size
    g_macs, g_elem = 2 * b * s.hidden_size, b * s.hidden_size
    d_macs, d_elem = d_forward(s, b)
    r1 = 3 if s.r1 else 0
    per_d = (3 * (g_macs + 2 * d_macs) + r1 * d_macs, 3 * (g_elem + 2 * d_elem) + r1 * d_elem)
    per_g = (3 * (g_macs + d_macs), 3 * (g_elem + d_elem))
    return {"macs": s.d_steps * per_d[0] + per_g[0], "elementwise": s.d_steps * per_d[1] + per_g[1]}


def machine_throughput(size=1024, repeats=20):
    """Multiply-adds per second of a float32 matmul in TensorFlow on this machine, the best of repeats."""
    with tf.Graph().as_default():
        a = tf.Variable(np.random.RandomState(0).normal(size=(size, size)).astype(np.float32))
        product = tf.reduce_sum(tf.matmul(a, a))  # a variable: nothing a graph optimiser could fold away
        with tf.Session(config=gan.runner.session_config()) as session:
            session.run(a.initializer)
            session.run(product)
            best = min(timed(lambda: session.run(product)) for _ in range(repeats))
    return size**3 / best


SECTIONS = (
    "training",
    "frame",
    "evaluation",
    "xla",
    "end_to_end",
    "study",
    "robust",
    "populations",
    "cluster",
    "sample",
)
OPT_IN = ("study200", "mixture", "peer")  # long: only with --only
PEER = os.path.join(ROOT, "benchmarks", "peer", "robust_jax.py")  # benchmarks/peer/README.md


# four populations of equal work (the cost of a step does not depend on the swept values)
CLUSTER_STUDY = ["--preset", "robust", "--seeds", "20", "--num-steps", "1000", "--no-xla",
                 "--sweep", "g-start=random,spread", "--sweep", "activation=tanh,relu"]  # fmt: skip


def quiet_study(argv):
    """Wall seconds of one study, its output and written paths kept off the terminal."""
    args = gan.parse_args([*argv, "--quiet"])
    files.PRINT_WRITES = False
    with contextlib.redirect_stdout(io.StringIO()):
        return timed(lambda: gan_study.run_study(args, gan.flag_parser().settings, gan.TUTORIAL))


def cluster_speed(tmp, repeats=2):
    """A 4-population study in this process and on 2 local workers (each a single-threaded
    TensorFlow on its own core, the default), the fastest of repeats taken in turn, the cluster's
    start included; and a task's overhead: 4 and 8 one-step populations on 1 worker against the same
    in this process, the cluster's start apart."""
    ways = {"in_process_s": [], "workers_2_s": ["--workers", "2"]}
    figures = {"study": " ".join(CLUSTER_STUDY), **{name: [] for name in ways}}
    for k in range(repeats):
        for name, flags in ways.items():
            out = ["--out-dir", os.path.join(tmp, f"{name}-{k}")]
            figures[name].append(quiet_study([*CLUSTER_STUDY, *flags, *out]))
    for name in ways:
        figures[name] = min(figures[name])
    for tasks in (4, 8):
        swept = ",".join(str(k) for k in range(1, tasks + 1))
        tiny = ["--seeds", "1", "--num-steps", "1", "--pretrain-steps", "0", "--sweep", f"d-steps={swept}"]
        for name, flags in [("in_process", []), ("workers_1", ["--workers", "1"])]:
            out = ["--out-dir", os.path.join(tmp, f"tiny-{tasks}-{name}")]
            figures[f"tiny_{tasks}_{name}_s"] = quiet_study([*tiny, *flags, *out])
    extra = {k: figures[f"tiny_{k}_workers_1_s"] - figures[f"tiny_{k}_in_process_s"] for k in (4, 8)}
    figures["overhead_per_task_s"] = (extra[8] - extra[4]) / 4
    figures["cluster_start_s"] = extra[4] - 4 * figures["overhead_per_task_s"]
    return figures


def peer_speed(tmp, sizes=(20, 200), steps=2000):
    """The JAX peer and `gan.py --preset robust --seeds N` on the same work, whole processes one after
    the other; then the project's study again in this process with its parts timed (breakdown)."""
    import importlib.util

    figures = {"jax": importlib.util.find_spec("jax") is not None}
    for n in sizes:
        row = {}
        if figures["jax"]:
            out = subprocess.run([sys.executable, PEER, "--seeds", str(n), "--steps", str(steps)], capture_output=True, text=True, check=True)  # fmt: skip
            row["peer_s"] = float(out.stdout.split("process wall:")[1].split()[0])
            row["peer_compile_s"] = float(out.stdout.split("compile:")[1].split()[0])
            row["peer_loop_s"] = float(out.stdout.split("train run:")[1].split()[0])
            row["peer_result"] = out.stdout.strip().splitlines()[-1]
        argv = ["--preset", "robust", "--seeds", str(n), "--num-steps", str(steps), "--quiet"]
        row["project_s"] = process([sys.executable, GAN_PY, *argv, "--out-dir", os.path.join(tmp, f"p{n}")])[0]
        row["parts"] = study_parts([*argv, "--out-dir", os.path.join(tmp, f"parts{n}")])
        figures[n] = row
    return figures


def study_parts(argv):
    """Seconds of each part of one study run in this process: TensorFlow's import, graph build, start
    (initial weights, spread start, pretraining), draws, compile, loop, evaluation, judging and files,
    the rest. Each part is a function wrapped with a timer; compile is the first chunk's excess over
    the median chunk."""
    from gan1d import monitor, outputs

    spent, chunks = {}, []

    def timing(owner, name, part):
        original = getattr(owner, name)

        def timed_call(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds = time.perf_counter() - started
                spent[part] = spent.get(part, 0.0) + seconds
                if part == "loop":
                    chunks.append(seconds)

        setattr(owner, name, timed_call)
        return owner, name, original

    patched = [
        timing(gan.GAN, "__init__", "graph build"),
        timing(gan, "start", "start"),
        timing(gan, "sample_steps", "draws"),
        timing(gan, "train_steps", "loop"),
        timing(monitor.Monitor, "evaluate", "evaluation"),
        timing(monitor.Monitor, "finish", "evaluation"),
        timing(outputs, "population_results", "judging and files"),
        timing(outputs, "write_population", "judging and files"),
        timing(gan_study, "write_study", "judging and files"),
    ]
    try:
        spent["import"] = timed(lambda: tf.constant(0))  # TensorFlow's import, once per process
        spent["wall"] = quiet_study(argv)
    finally:
        for owner, name, original in patched:
            setattr(owner, name, original)
    spent["compile"] = max(0.0, chunks[0] - float(np.median(chunks))) if chunks else 0.0
    spent["loop"] -= spent["compile"]
    spent["rest"] = spent["wall"] - sum(v for k, v in spent.items() if k not in ("wall", "import"))
    return {k: round(v, 2) for k, v in spent.items()}


def sample_speed(tmp, n=1_000_000, repeats=3):
    """`gan.py --sample n --from RUN` of a trained robust run (plain: NumPy, no TensorFlow; jbop: the
    run's graph) against a bare `import tensorflow`, the fastest of repeats each taken in turn; and
    the NumPy sampler's own seconds for the same n in this process."""
    from gan1d.sampling import generator_of, read_trained

    train = [GAN_PY, "--preset", "robust", "--num-steps", "300", "--quiet", "--out-dir", tmp, "--run-name", "kept"]
    subprocess.run([sys.executable, *train], check=True, stdout=subprocess.DEVNULL)
    run = os.path.join(tmp, "kept")
    ways = {
        "import_tensorflow": ["-c", "import tensorflow"],
        "sample_plain": [GAN_PY, "--sample", str(n), "--from", run, "--quiet"],
        "sample_jbop": [GAN_PY, "--sample", str(n), "--from", run, "--sampler", "jbop", "--quiet"],
    }
    measured = {name: [] for name in ways}
    for _ in range(repeats):
        for name, argv in ways.items():
            measured[name].append(process([sys.executable, *argv]))
    figures = {f"{name}_s": min(w for w, _ in m) for name, m in measured.items()}
    figures.update({f"{name}_peak_mb": max(p for _, p in m) for name, m in measured.items()})
    trained = read_trained(run, None, gan.flag_parser())
    g = generator_of(trained, trained.settings)
    figures["numpy_sampler_s"] = min(timed(lambda: g.sample(n, seed=0)) for _ in range(repeats))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="training and frame ratios only (default: off)")
    parser.add_argument(
        "--only", default=None, help=f"comma list of sections of {SECTIONS + OPT_IN} (default: all but {OPT_IN})"
    )
    options = parser.parse_args()
    wanted = set(options.only.split(",")) if options.only else set(SECTIONS[:2] if options.quick else SECTIONS)
    figures, rows = {}, []
    for name, flags in [("plain", []), ("minibatch", ["--minibatch"])]:
        figures[name] = {}
        if "training" in wanted:
            figures[name]["training"] = t = time_training(flags)
            rows += [
                (f"1,200 steps, {name}: in-graph loop, 10-step chunks", t["feed"] / t["graph_chunks"], 4.0),
                (f"1,200 steps, {name}: in-graph loop, one chunk", t["feed"] / t["graph_one"], 4.0),
            ]
        if "frame" in wanted:
            figures[name]["frame"] = f = time_frame(flags)
            rows.append((f"one frame, {name}", f["reference"] / f["ours"], 30.0 if name == "minibatch" else 100.0))
        if "evaluation" in wanted:
            figures[name]["evaluation"] = e = evaluation_cost(flags)
            rows.append(
                (f"evaluation cost, {name}: 10% / extra share of training", 0.1 / max(e["overhead"], 1e-9), 1.0)
            )
        if "xla" in wanted:
            figures[name]["xla"] = x = time_xla(flags)
            rows += [
                (f"20,000 steps --xla, {name}: 10-step chunks", x["feed"] / x["xla_chunks"], 10.0),
                (f"20,000 steps --xla, {name}: one chunk", x["feed"] / x["xla_one"], 10.0),
            ]
    with tempfile.TemporaryDirectory() as tmp:
        if "end_to_end" in wanted:
            figures["end_to_end"] = e = end_to_end(tmp)
            rows += [
                (
                    "gan.py --minibatch: 1.5 x import floor / run",
                    1.5 * e["import_tensorflow_s"] / e["minibatch_run_s"],
                    1.0,
                ),
                ("1,200-step GIF run: 60 s / its time", 60.0 / e["anim_1200_frames_s"], 1.0),
                ("peak memory: 1.1 x reference way / ours", 1.1 * e["peak_mb_reference_way"] / e["peak_mb"], 1.0),
                (
                    "GIF memory: 300-frame run / 1,200-frame run",
                    e["anim_300_frames_peak_mb"] / e["anim_1200_frames_peak_mb"],
                    0.9,
                ),
            ]
        if "study" in wanted:
            figures["study"] = s = study(os.path.join(tmp, "study"))
            rows += [
                ("study 20 seeds x 2: separate processes / study", s["20x2"]["speedup"], 15.0),
                ("study 200 seeds x 2: separate processes / study", s["200x2"]["speedup"], 40.0),
                ("study of 1,000 members: 4 GB / its peak memory", 4096 / s["1000_members"]["peak_mb"], 1.0),
            ]
    if "populations" in wanted:
        for name, flags in [
            ("robust", ["--preset", "robust"]),
            ("robust --minibatch", ["--preset", "robust", "--minibatch"]),
        ]:
            figures[f"populations {name}"] = p = population_speed(flags)
            rows.append(
                (
                    f"20-seed study, {name}: 20 single runs' training / study",
                    p["singles_estimated_s"] / p["study_s"],
                    4.0,
                )
            )
            p["work_per_member_step"] = work = member_step_work(flags)
            p["macs_per_s"] = work["macs"] * 20 * gan.parse_args(flags).num_steps / p["study_s"]
        figures["machine_macs_per_s"] = peak = machine_throughput()
        for name in ("robust", "robust --minibatch"):
            figures[f"populations {name}"]["share_of_machine"] = figures[f"populations {name}"]["macs_per_s"] / peak
    if "cluster" in wanted:
        with tempfile.TemporaryDirectory() as tmp:
            figures["cluster"] = c = cluster_speed(tmp)
        rows.append(("4-population study: in-process / 2 local workers", c["in_process_s"] / c["workers_2_s"], 1.6))
    if "peer" in wanted:
        with tempfile.TemporaryDirectory() as tmp:
            figures["peer"] = p = peer_speed(tmp)
        if not p["jax"]:
            print("peer: JAX is not installed (pip install -r requirements-bench.txt): the project's parts only")
        for n in (20, 200):
            if p["jax"]:
                rows.append((f"robust, {n} seeds x 2,000 steps: the peer / the project", p[n]["peer_s"] / p[n]["project_s"], 1.0))  # fmt: skip
            parts = ", ".join(f"{k} {v:.1f}" for k, v in p[n]["parts"].items())
            print(f"{n} seeds, the project's parts (s): {parts}")
    if "sample" in wanted:
        with tempfile.TemporaryDirectory() as tmp:
            figures["sample"] = d = sample_speed(tmp)
        rows += [
            (
                "--sample 1,000,000 plain: 1.5 x import tensorflow / its wall",
                1.5 * d["import_tensorflow_s"] / d["sample_plain_s"],
                1.0,
            ),  # fmt: skip
            (
                "--sample 1,000,000 jbop: 1.5 x import tensorflow / its wall",
                1.5 * d["import_tensorflow_s"] / d["sample_jbop_s"],
                1.0,
            ),  # fmt: skip
        ]
    if "mixture" in wanted:
        figures["mixture"] = m = mixture_cost()
        small, large = m["20x6"] / m["20x1"], m["200x6"] / m["200x1"]
        rows.append(("6 generators' cost over one's: at 20 members / at 200", small / large, 1 / 1.5))  # at most 1.5x
    if "study200" in wanted:
        figures["study200"] = t = study_200(["--preset", "robust", "--minibatch"])
        rows.append(("200-seed study, robust --minibatch: 7 minutes / its time", 420 / t, 1.0))
    if "robust" in wanted:
        figures["robust"] = r = robust_time()
        rows += [
            ("robust preset: the preset before the spread start / now", r["old_robust_s"] / r["robust_s"], 1.0),
            ("robust preset: reference-way 2016 defaults / robust", r["defaults_reference_way_s"] / r["robust_s"], 1.0),
            ("minibatch-modes on two modes: 2 x robust / minibatch-modes", 2 * r["robust_s"] / r["modes_s"], 1.0),
            ("minibatch-modes: robust --minibatch / minibatch-modes", r["robust_minibatch_s"] / r["modes_s"], 1.0),
        ]
    print(f"{'measure':<58} {'ratio':>8} {'target':>8}  met")
    for label, ratio, target in rows:
        print(f"{label:<58} {ratio:>8.2f} {target:>8.2f}  {'yes' if ratio >= target else 'NO'}")
    print(json.dumps({"ratios": {label: round(ratio, 3) for label, ratio, _ in rows}, "figures": figures}))


if __name__ == "__main__":
    main()
