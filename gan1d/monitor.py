"""A run's pauses around the training loop, for each of its members (one for a single run, many
for a study's population): when training pauses, the evaluation on the fixed grid and its rows,
log lines and TensorBoard summaries, clean stops on a signal. It composes the pieces that each do
one thing: the stopping rules (gan1d/stopping.py), the checkpoints (gan1d/checkpoints.py) and the
outcome the run's files are written from (gan1d/outputs.py)."""

import math
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .checkpoints import Checkpoints, rng_arrays, set_rng_states
from .figures import AnimationFrames
from .lazy import tf
from .loops import evaluate_grid
from .metrics import METRIC_NAMES, batch_metrics
from .outputs import Outcome
from .stopping import StoppingRules

STUDY_CHUNK = 200  # a population's steps per session.run: long enough to amortise it, short enough for Ctrl-C


class StopRequest:
    """SIGINT/SIGTERM ask training to stop after the current chunk of steps; a second one stops at
    once. event: anything with is_set(), asked too (a test's stand-in for a signal)."""

    def __init__(self, event=None):
        self.requested, self.event = False, event

    def __enter__(self):
        # Python lets only the main thread set signal handlers: elsewhere the event alone is asked
        main = threading.current_thread() is threading.main_thread()
        self._previous = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM) if main}
        return self

    def __exit__(self, *exc):
        for s, handler in self._previous.items():
            signal.signal(s, handler)

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print(f"\n{signal.Signals(signum).name}: stopping after the current steps (again to stop at once)", flush=True)

    def __bool__(self):
        return self.requested or (self.event is not None and self.event.is_set())


def fresh_state(n):
    """The loop's own state, JSON-able: the step, and the losses summed since the last evaluation."""
    return {"step": 0, "count": 0, "sum_d": [0.0] * n, "sum_g": [0.0] * n, "rows": []}


class Monitor:
    """Decides where training pauses, and at each pause evaluates, logs, applies the stopping
    rules, honours a stop request and checkpoints; at the end, the run's Outcome."""

    def __init__(self, session, model, grid, rngs, run_dir, stop, progress, final_weights=None):
        self.session, self.model, self.grid, self.rngs = session, model, grid, rngs
        # a study's population of one seed has no member axis, but is a study's: rows name their member
        self.args, self.n, self.single = model.args, len(model.members), not model.args.in_study
        self.stop, self.progress, self.final_weights = stop, progress, final_weights
        self.state, self.interrupted = fresh_state(self.n), False
        self.rules = StoppingRules(self.args.early_stop, self.args.patience, self.args.keep_best, self.n)
        self.checkpoints = Checkpoints(session, model.saver, run_dir)
        self.last_finite = [None] * self.n  # (step, samples) of each member's last finite evaluation
        self.frames = AnimationFrames(self.args.anim_path, grid) if self.args.anim_path else None
        self.summaries = tf.summary.FileWriter(self.args.logdir, session.graph) if self.args.logdir else None
        self.pending = None  # (taken, future) of an overlapped evaluation not yet recorded
        self.pool = ThreadPoolExecutor(1) if self.overlaps() else None
        self.started = time.time()

    @property
    def step(self):
        return self.state["step"]

    def resumed(self):
        """Restores the last usable checkpoint (with --resume, or always for a study's population),
        or a finished population's final weights; True if it did."""
        if self.final_weights is not None:
            self.model.axis.load(self.session, self.model.weights(), self.final_weights)
            self.state["step"] = self.args.num_steps
            return True
        if not (self.args.resume or self.args.in_study):
            return False
        restored = self.checkpoints.restore()
        if restored is None:
            return False
        state, arrays = restored
        self.state = {key: state[key] for key in self.state}
        self.rules.restore(state, arrays)
        set_rng_states(self.rngs, arrays)
        if self.frames is not None and "frame_steps" in arrays:
            frames = zip(arrays["frame_steps"].tolist(), arrays["frame_decision"], arrays["frame_density"], strict=True)
            self.frames.frames = list(frames)
        self.progress.start(self.step)
        self.progress.say(f"resumed from step {self.step}")
        return True

    def wants_more(self):
        """True while steps remain, some member runs and nothing stopped the run."""
        if self.step >= self.args.num_steps or not self.rules.running().any():
            return False
        if self.stop:
            self.interrupted = True
            return False
        return True

    def next_pause(self):
        """The next step at which training pauses: an evaluation, log line, frame, checkpoint, or
        (a population) the end of a chunk."""
        args, step = self.args, self.step
        periods = [args.eval_every] + ([args.checkpoint_every] if args.checkpoint_every else [])
        if self.single:
            periods += [args.log_every] + ([args.anim_every] if args.anim_path else [])
        else:
            periods.append(STUDY_CHUNK)
        return min([(step // p + 1) * p for p in periods] + [args.num_steps])

    def after_steps(self, end, loss_d, loss_g):
        """Records the losses of the steps up to end, (T,) or (T, N) each, then whatever is due at end."""
        # an overlapped evaluation is recorded before these steps' losses, as it would be before they ran;
        # if it found a member diverged, that member's steps are dropped here as they would not have run
        self.drain()
        args, state = self.args, self.state
        loss_d, loss_g = (np.reshape(v, (len(v), self.n)) for v in (loss_d, loss_g))  # (T, N)
        self.rules.check_losses(state["step"], loss_d, loss_g)
        if not self.rules.running().any():
            return
        state.update(step=end, count=state["count"] + len(loss_d))
        for key, losses in (("sum_d", loss_d), ("sum_g", loss_g)):  # float32 sums, as each member's losses are
            state[key] = [total + column.sum() for total, column in zip(state[key], losses.T, strict=True)]
        self.progress.update(end)
        if end % args.eval_every == 0 or end == args.num_steps:
            self.evaluate()
        elif self.frames is not None and end % args.anim_every == 0:
            samples, decision, _ = evaluate_grid(self.session, self.model, self.grid)
            self.frames.add(end, samples[0], decision[0])
        if args.checkpoint_every and end % args.checkpoint_every == 0 and self.rules.running().any():
            self.save_checkpoint()

    def overlaps(self):
        """Whether an evaluation's G on the grid and metrics run on a thread while training goes on: a
        single run whose evaluations decide nothing at once (no stopping rule, frame or summary)."""
        quiet = self.frames is None and self.summaries is None and self.model.evaluation.reads is not None
        return self.single and quiet and not (self.args.early_stop or self.args.keep_best)

    def evaluate(self):
        """One evaluation on the fixed grid, in two halves: what it reads is taken now (the weights G
        is evaluated with, the learning rates, the losses since the last one); G on the grid and the
        metrics follow at once, or, overlapped, on a thread while the next steps train, recorded at
        the next pause. Either way the rows hold the same numbers (tests/test_monitor.py)."""
        self.drain()
        taken = self.take()
        if self.pool is None:
            self.record(taken, self.measure(taken))
        else:
            self.pending = (taken, self.pool.submit(self.measure, taken))

    def drain(self):
        """Records the overlapped evaluation still pending, if any."""
        if self.pending is not None:
            (taken, future), self.pending = self.pending, None
            self.record(taken, future.result())

    def take(self):
        """The evaluation's inputs at this pause: {step, losses: each member's mean losses since the
        last evaluation, feed}. Overlapped, feed holds the values of every variable read behind the
        evaluation (G's weights, the steps behind the learning rates); at once, nothing is fed."""
        state, step = self.state, self.state["step"]
        if step == 0 and self.progress.clock is None:
            self.progress.start(step)
        count = state["count"] or math.nan  # no loss before the first step
        losses = [(d / count, g / count) for d, g in zip(state["sum_d"], state["sum_g"], strict=True)]
        state.update(sum_d=[0.0] * self.n, sum_g=[0.0] * self.n, count=0)
        reads = self.model.evaluation.reads if self.pool is not None else []
        return {"step": step, "losses": losses, "feed": dict(zip(reads, self.session.run(reads), strict=True))}

    def measure(self, taken):
        """G (and D, for a frame) on the grid with the taken weights, the learning rates and the
        metrics of G's samples: (samples, decision or None, {metric: (N,)}, (lr_d, lr_g) (N,) each,
        summaries)."""
        ops, model = self.model.evaluation, self.model
        bound = len(ops.bound_ops)  # G's slopes, and a mixture's index of each point
        extra = [*ops.bound_ops, model.lr_d, model.lr_g] + ([ops.histogram] if self.summaries else [])
        frame = self.frames is not None and taken["step"] % self.args.anim_every == 0
        samples, decision, fetched = evaluate_grid(self.session, model, self.grid, extra, frame, taken["feed"])
        rates = [np.broadcast_to(v, self.n) for v in fetched[bound : bound + 2]]
        return samples, decision, batch_metrics(samples, self.grid, *fetched[:bound]), rates, fetched[bound + 2 :]

    def record(self, taken, measured):
        """Each running member's row, the log line and summaries; then the stopping rules."""
        step, (samples, decision, scores, (lr_d, lr_g), summaries) = taken["step"], measured
        finite = np.all(np.isfinite(samples), axis=1)
        self.rules.check_samples(step, finite)
        if decision is not None and finite[0]:
            self.frames.add(step, samples[0], decision[0])
        w1 = {}
        for i in np.flatnonzero(self.rules.running()):
            self.last_finite[i] = (step, samples[i])
            (loss_d, loss_g) = taken["losses"][i]
            row = {"step": step, "loss_d": loss_d, "loss_g": loss_g, "lr_d": float(lr_d[i]), "lr_g": float(lr_g[i])}
            row.update({k: float(v[i]) for k, v in scores.items()})
            state_row = row if self.single else {**row, "member": int(i), "seed": self.model.members[i].seed}
            self.state["rows"].append(state_row)
            w1[i] = row["w1"]
            if self.single:
                self.write_summaries(row, summaries)
                self.progress.report(row)
        self.rules.judge(step, w1, lambda: self.model.axis.values(self.session, self.model.weights()))

    def write_summaries(self, row, summaries):
        if self.summaries is None:
            return
        tags = {"losses/d": "loss_d", "losses/g": "loss_g", "lr/d": "lr_d", "lr/g": "lr_g"}
        tags.update({f"eval/{m}": m for m in METRIC_NAMES if m != "kde_nll"})
        values = [tf.Summary.Value(tag=tag, simple_value=row[key]) for tag, key in tags.items()]
        self.summaries.add_summary(tf.Summary(value=values), row["step"])
        for summary in summaries:
            self.summaries.add_summary(summary, row["step"])

    def save_checkpoint(self):
        self.drain()  # a checkpoint holds every evaluation's row up to its step
        arrays = {**rng_arrays(self.rngs), **self.rules.arrays()}
        if self.frames is not None and self.frames.frames:
            steps, decision, density = zip(*self.frames.frames, strict=True)
            arrays.update(
                frame_steps=np.array(steps), frame_decision=np.stack(decision), frame_density=np.stack(density)
            )
        self.checkpoints.save(self.step, {**self.state, **self.rules.state}, arrays)

    def finish(self):
        """Training is over: each member's final weights, samples and decision boundary, the
        animation and TensorBoard closed; the Outcome the run's files are written from."""
        self.drain()
        if self.pool is not None:
            self.pool.shutdown()
        training_seconds = time.time() - self.started  # pretraining, training and evaluations
        self.progress.end()
        if self.interrupted:
            self.save_checkpoint()
        model, values = self.model, self.member_values()
        if self.rules.changes_weights():
            values = self.rules.final_values(values)
            model.axis.load(self.session, model.weights(), values)
        samples, decision, (slopes, *index) = evaluate_grid(self.session, model, self.grid, model.evaluation.bound_ops)
        if self.frames is not None and self.frames.frames:
            self.frames.save()
        if self.summaries is not None:
            self.summaries.close()
            print(f"wrote TensorBoard events to {self.args.logdir}")
        names = [v.op.name for v in model.weights()]
        return Outcome(
            statuses=self.rules.statuses(self.step, self.interrupted),
            diverged_step=list(self.rules.state["diverged_step"]),
            kept_step=[self.rules.kept_step(i) for i in range(self.n)],
            samples=samples,
            slopes=slopes,
            index=index[0] if index else None,
            decision=decision,
            last_finite=self.last_finite,
            rows=self.state["rows"],
            weights=dict(zip(names, values, strict=True)),
            grid=self.grid,
            training_seconds=training_seconds,
        )

    def member_values(self):
        return self.model.axis.values(self.session, self.model.weights())
