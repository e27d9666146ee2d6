"""A run's bookkeeping around the training loop: when training pauses, evaluations on the fixed
grid, log lines, TensorBoard summaries, early stopping, the best weights, divergence, clean stops
on a signal, checkpoints, and the run's output files."""

import concurrent.futures
import math
import multiprocessing
import os
import signal
import time

import numpy as np

from . import files
from .figures import AnimationFrames, plot_distributions, plot_training
from .lazy import tf
from .metrics import EVAL_POINTS, METRIC_NAMES, metrics


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
        self.metrics_thread, self.pending = concurrent.futures.ThreadPoolExecutor(1), None
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
        self.log(f"resumed from step {self.step}")
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
        if end % args.eval_every == 0 or end == args.num_steps:
            self.evaluate()
        elif self.frames is not None and end % args.anim_every == 0:
            self.frames.add(end, *evaluate_grid(self.session, self.model, self.grid)[:2])
        if args.checkpoint_every and end % args.checkpoint_every == 0 and self.status == "completed":
            self.record_pending()
            self.save_checkpoint()

    def evaluate(self):
        """One evaluation: G on the z grid now; its metrics on a second thread while training goes on
        (at once with --early-stop or --keep-best, whose decisions need them before the next step)."""
        args, state, step = self.args, self.state, self.state["step"]
        extra = [self.model.eval_histogram] if self.summaries else []
        frame = self.frames is not None and step % args.anim_every == 0
        samples, decision, summaries = evaluate_grid(self.session, self.model, self.grid, extra, decision=frame)
        self.record_pending()
        if not np.all(np.isfinite(samples)):
            self.status, self.diverged_step = "diverged", step
            return
        self.last_finite = (step, samples)
        if frame:
            self.frames.add(step, samples, decision)
        lr_d, lr_g = self.session.run([self.model.lr_d, self.model.lr_g])
        count = state["count"] or math.nan  # no loss before the first step
        row = {"step": step, "loss_d": state["sum_d"] / count, "loss_g": state["sum_g"] / count}
        row.update(lr_d=float(lr_d), lr_g=float(lr_g), elapsed=time.time() - self.started)
        state.update(sum_d=0.0, sum_g=0.0, count=0)
        self.pending = (row, self.metrics_thread.submit(metrics, samples, self.grid), summaries)
        if args.early_stop or args.keep_best:
            self.record_pending()

    def record_pending(self):
        """Completes the evaluation in flight: its row, log line, summaries, best weights, early stop."""
        if self.pending is None:
            return
        (row, future, summaries), self.pending = self.pending, None
        args, state = self.args, self.state
        row.update(future.result())
        state["rows"].append(row)
        self.write_summaries(row, summaries)
        if args.keep_best and (state["best"] is None or row["w1"] < state["best"]["w1"]):
            state["best"] = {"w1": row["w1"], "step": row["step"], "weights": self.session.run(self.weights)}
        state["streak"] = state["streak"] + 1 if args.early_stop and row["w1"] <= args.early_stop else 0
        if row["step"] % args.log_every == 0 or row["step"] == args.num_steps:
            self.log_progress(row)
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

    def log_progress(self, row):
        step, total, elapsed = row["step"], self.args.num_steps, row["elapsed"]
        left = elapsed / max(step, 1) * (total - step)
        self.log(
            f"step {step:>{len(str(total))}}/{total}  loss_d {row['loss_d']:.4f}  loss_g {row['loss_g']:.4f}  "
            f"w1 {row['w1']:.4f}  std_ratio {row['std_ratio']:.3f}  {elapsed:.1f}s elapsed, ~{left:.1f}s left"
        )

    def log(self, message):
        if not self.args.quiet:
            print(message, flush=True)

    def save_checkpoint(self):
        extra = {"rng": self.rng.get_state(), "state": self.state, "frames": self.frames and self.frames.frames}
        files.save_checkpoint(self.session, self.model.saver, self.run_dir, self.step, extra)

    def finish(self):
        """Completes the last evaluation, then the final metrics (with the KDE), figures, samples and
        summary.json; returns the summary."""
        self.record_pending()
        self.metrics_thread.shutdown()
        self.training_seconds = time.time() - self.started  # pretraining, training and evaluations
        if self.status == "interrupted":
            self.save_checkpoint()
        args, state = self.args, self.state
        note = ""
        if args.keep_best and state["best"] is not None and self.status != "diverged":
            for v, value in zip(self.weights, state["best"]["weights"], strict=True):
                v.load(value, self.session)
            note = f"best w1 kept: step {state['best']['step']}"
        if self.status == "diverged":
            self.log(
                f"diverged at step {self.diverged_step}: a loss or a generated sample is NaN or infinite. "
                "What usually helps: a lower --learning-rate, --preset 2017 or robust, another --seed."
            )
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
        if math.isfinite(final["w1"]):
            note += f"\nw1 {final['w1']:.3f}  std ratio {final['std_ratio']:.2f}"
        plot_distributions(os.path.join(run_dir, "distributions.png"), samples, decision, self.grid, note)
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
            **final,
            "config": files.config_dict(args, tf.__version__),
        }
        files.write_json(os.path.join(run_dir, "summary.json"), summary)
        if self.frames is not None and self.frames.frames:
            self.frames.save()
        if self.summaries is not None:
            self.summaries.close()
            print(f"wrote TensorBoard events to {args.logdir}")
        return summary
