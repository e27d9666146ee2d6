"""A run's bookkeeping around the training loop: when training pauses, evaluations on the fixed
grid, log lines, TensorBoard summaries, early stopping, the best weights, divergence, clean stops
on a signal, checkpoints, and the run's output files."""

import math
import multiprocessing
import os
import signal
import time

import numpy as np

from . import files
from .figures import AnimationFrames, plot_distributions, plot_training
from .lazy import tf
from .metrics import EVAL_POINTS, METRIC_NAMES, metrics, verdict
from .progress import Progress


class StopRequest:
    """SIGINT/SIGTERM ask training to stop after the current chunk of steps; a second one stops at once."""

    def __init__(self, event=None):
        self.requested, self.event = False, event

    def __enter__(self):
        # a study's workers are asked through the event; their signals stay as the pool set them
        in_main = multiprocessing.parent_process() is None
        signals = (signal.SIGINT, signal.SIGTERM) if in_main else ()
        self._previous = {s: signal.signal(s, self._handle) for s in signals}
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


def evaluate_grid(session, model, grid, extra=(), decision=True):
    """G on the z grid and, if asked, D on the x grid (grouped by batch), in one `session.run`."""
    fetches, feed = [model.eval_G, *extra], {model.eval_z: grid.zs[:, None]}
    if decision:
        fetches.append(model.eval_D)
        feed[model.eval_x] = grid.xs[grid.groups, None]
    fetched = session.run(fetches, feed)
    boundary = None
    if decision:
        boundary = np.empty(EVAL_POINTS)
        boundary[grid.groups] = fetched[-1][:, 0]  # overlapping points of the last group take its values
    return fetched[0][:, 0], boundary, fetched[1 : 1 + len(extra)]


class Monitor:
    """Decides where training pauses, and at each pause evaluates, logs, keeps the best weights,
    stops early, detects divergence, honours a stop request and checkpoints."""

    def __init__(self, session, model, grid, args, rng, run_dir, stop):
        self.session, self.model, self.grid, self.args, self.rng = session, model, grid, args, rng
        self.run_dir, self.stop = run_dir, stop
        self.state = {"step": 0, "rows": [], "streak": 0, "best": None, "sum_d": 0.0, "sum_g": 0.0, "count": 0}
        self.status, self.diverged_step, self.last_finite = "completed", None, None
        self.frames = AnimationFrames(args.anim_path, grid) if args.anim_path else None
        self.weights = model.d_params + model.g_params + list(model.ema.values())
        self.summaries = tf.summary.FileWriter(args.logdir, session.graph) if args.logdir else None
        self.progress = Progress(args.num_steps, args.log_every, args.quiet)
        self.started = time.time()

    @property
    def step(self):
        return self.state["step"]

    def resumed(self):
        """With --resume, restores the last checkpoint if there is one; True if it did."""
        extra = self.args.resume and files.restore_checkpoint(
            self.session, self.model.saver, self.run_dir, tf.train.latest_checkpoint
        )
        if not extra:
            return False
        self.rng.set_state(extra["rng"])
        self.state = extra["state"]
        if self.frames is not None and extra["frames"]:
            self.frames.frames = extra["frames"]
        self.progress.start(self.step)
        self.progress.say(f"resumed from step {self.step}")
        return True

    def wants_more(self):
        """True while steps remain and nothing stopped the run; a stop request marks it interrupted."""
        if self.step >= self.args.num_steps or self.status != "completed":
            return False
        if self.stop:
            self.status = "interrupted"
            return False
        return True

    def next_pause(self):
        """The next step at which training pauses: an evaluation, log line, frame or checkpoint."""
        args, step = self.args, self.step
        periods = [args.eval_every, args.log_every]
        periods += [args.anim_every] if args.anim_path else []
        periods += [args.checkpoint_every] if args.checkpoint_every else []
        return min([(step // p + 1) * p for p in periods] + [args.num_steps])

    def after_steps(self, end, loss_d, loss_g):
        """Records the losses of the steps up to end, (T,) each, then whatever is due at end."""
        args, state = self.args, self.state
        bad = ~(np.isfinite(loss_d) & np.isfinite(loss_g))
        if bad.any():
            self.status, self.diverged_step = "diverged", state["step"] + int(np.argmax(bad)) + 1
            return
        state.update(step=end, sum_d=state["sum_d"] + loss_d.sum(), sum_g=state["sum_g"] + loss_g.sum())
        state["count"] += len(loss_d)
        self.progress.update(end)
        if end % args.eval_every == 0 or end == args.num_steps:
            self.evaluate()
        elif self.frames is not None and end % args.anim_every == 0:
            self.frames.add(end, *evaluate_grid(self.session, self.model, self.grid)[:2])
        if args.checkpoint_every and end % args.checkpoint_every == 0 and self.status == "completed":
            self.save_checkpoint()

    def evaluate(self):
        """One evaluation on the fixed grid: a row of losses, learning rates and metrics, its log
        line and summaries, the best weights so far, and the early-stopping count."""
        args, state, step = self.args, self.state, self.state["step"]
        extra = [self.model.lr_d, self.model.lr_g] + ([self.model.eval_histogram] if self.summaries else [])
        frame = self.frames is not None and step % args.anim_every == 0
        samples, decision, fetched = evaluate_grid(self.session, self.model, self.grid, extra, decision=frame)
        (lr_d, lr_g), summaries = fetched[:2], fetched[2:]
        if not np.all(np.isfinite(samples)):
            self.status, self.diverged_step = "diverged", step
            return
        self.last_finite = (step, samples)
        if frame:
            self.frames.add(step, samples, decision)
        if step == 0 and self.progress.clock is None:
            self.progress.start(step)
        count = state["count"] or math.nan  # no loss before the first step
        row = {"step": step, "loss_d": state["sum_d"] / count, "loss_g": state["sum_g"] / count}
        row.update(lr_d=float(lr_d), lr_g=float(lr_g), **metrics(samples, self.grid))
        state.update(sum_d=0.0, sum_g=0.0, count=0)
        state["rows"].append(row)
        self.write_summaries(row, summaries)
        if args.keep_best and (state["best"] is None or row["w1"] < state["best"]["w1"]):
            state["best"] = {"w1": row["w1"], "step": step, "weights": self.session.run(self.weights)}
        state["streak"] = state["streak"] + 1 if args.early_stop and row["w1"] <= args.early_stop else 0
        self.progress.report(row)
        if args.early_stop and state["streak"] >= args.patience:
            self.status = "early_stopped"

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
        extra = {"rng": self.rng.get_state(), "state": self.state, "frames": self.frames and self.frames.frames}
        files.save_checkpoint(self.session, self.model.saver, self.run_dir, self.step, extra)

    def finish(self):
        """The final metrics (with the KDE), figures, samples, summary.json and the verdict; returns the summary."""
        self.training_seconds = time.time() - self.started  # pretraining, training and evaluations
        self.progress.end()
        if self.status == "interrupted":
            self.save_checkpoint()
        args, state = self.args, self.state
        note = ""
        if args.keep_best and state["best"] is not None and self.status != "diverged":
            for v, value in zip(self.weights, state["best"]["weights"], strict=True):
                v.load(value, self.session)
            note = f"best w1 kept: step {state['best']['step']}"
        if self.status == "diverged":
            step, samples = self.last_finite or (0, np.full(EVAL_POINTS, np.nan))
            decision = None
            final = {name: math.nan for name in METRIC_NAMES}
            note = f"diverged at step {self.diverged_step}; last finite: step {step}"
        else:
            samples, decision, _ = evaluate_grid(self.session, self.model, self.grid)
            step = state["step"]
            final = metrics(samples, self.grid, with_kde=True)
        return self.write_outputs(samples, decision, final, note or f"step {step}, {self.status}")

    def write_outputs(self, samples, decision, final, note):
        args, state, run_dir = self.args, self.state, self.run_dir
        judged = verdict(self.status, final, self.grid.target, self.diverged_step)
        if math.isfinite(final["w1"]):
            note += f"\nw1 {final['w1']:.3f}  std ratio {final['std_ratio']:.2f}"
        plot_distributions(os.path.join(run_dir, "distributions.png"), samples, decision, self.grid, note, judged)
        columns = ["step", "loss_d", "loss_g", "lr_d", "lr_g", *METRIC_NAMES]  # "elapsed" stays out: it varies
        files.write_csv(os.path.join(run_dir, "metrics.csv"), state["rows"], columns)
        if state["rows"]:
            plot_training(os.path.join(run_dir, "training.png"), state["rows"])
        files.write_npy(os.path.join(run_dir, "samples.npy"), samples.astype(np.float32))
        summary = {
            "status": self.status,
            "steps": state["step"],
            "diverged_step": self.diverged_step,
            "best_step": state["best"]["step"] if args.keep_best and state["best"] else None,
            "wall_seconds": round(time.time() - self.started, 3),
            "training_seconds": round(self.training_seconds, 3),
            "verdict": judged[0],
            "verdict_reason": judged[1],
            **final,
            "config": files.config_dict(args, tf.__version__),
        }
        files.write_json(os.path.join(run_dir, "summary.json"), summary)
        if self.frames is not None and self.frames.frames:
            self.frames.save()
        if self.summaries is not None:
            self.summaries.close()
            print(f"wrote TensorBoard events to {args.logdir}")
        self.progress.verdict(*judged)
        return summary
