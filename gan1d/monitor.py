"""A run's bookkeeping around the training loop, for each of its members (one for a single run,
many for a study's population): when training pauses, evaluations on the fixed grid, log lines,
TensorBoard summaries, early stopping and the best weights per member, divergence per member,
clean stops on a signal, checkpoints and resume, and a single run's output files."""

import math
import multiprocessing
import os
import signal
import time

import numpy as np

from . import files
from .figures import AnimationFrames, plot_distributions, plot_training
from .lazy import tf
from .metrics import EVAL_POINTS, METRIC_NAMES, batch_metrics, metrics, verdict

STUDY_CHUNK = 200  # a population's steps per session.run: long enough to amortise it, short enough for Ctrl-C
RUNNING, DIVERGED, EARLY_STOPPED = "running", "diverged", "early_stopped"
ROW_COLUMNS = ["step", "loss_d", "loss_g", "lr_d", "lr_g", *METRIC_NAMES]  # "elapsed" stays out: it varies


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
    """G on the z grid and, if asked, D on the x grid (grouped by batch), in one `session.run`:
    (N, n) each, N = 1 for a single run."""
    fetches, feed = [model.eval_G, *extra], {model.eval_z: grid.zs[:, None]}
    if decision:
        fetches.append(model.eval_D)
        feed[model.eval_x] = grid.xs[grid.groups, None]
    fetched = session.run(fetches, feed)
    boundary = None
    if decision:
        boundary = np.empty((len(fetched[0]), EVAL_POINTS))
        boundary[:, grid.groups] = fetched[-1]  # overlapping points of the last group take its values
    return fetched[0], boundary, fetched[1 : 1 + len(extra)]


def fresh_state(n):
    """What a checkpoint keeps besides the weights, JSON-able: per member, its status, its streak
    under --early-stop, the step where it ended, its divergence step and its best w1."""
    return {
        "step": 0, "count": 0, "sum_d": [0.0] * n, "sum_g": [0.0] * n, "rows": [],
        "status": [RUNNING] * n, "ended": [None] * n, "diverged_step": [None] * n,
        "streak": [0] * n, "best_w1": [math.inf] * n, "best_step": [None] * n,
    }  # fmt: skip


class Monitor:
    """Decides where training pauses, and at each pause evaluates, logs, keeps each member's best
    weights, stops members early, detects each member's divergence, honours a stop request and
    checkpoints. A member that diverged or stopped early is left out from then on; the run ends
    when every member has."""

    def __init__(self, session, model, grid, rngs, run_dir, stop, progress, final_weights=None):
        self.session, self.model, self.grid, self.rngs = session, model, grid, rngs
        self.args, self.n, self.single = model.args, len(model.members), model.n is None
        self.run_dir, self.stop, self.progress, self.final_weights = run_dir, stop, progress, final_weights
        self.state, self.interrupted = fresh_state(self.n), False
        self.best = self.kept = None  # (N, ...) weights: each member's best evaluation, its early stop
        self.last_finite = [None] * self.n  # (step, samples) of each member's last finite evaluation
        self.frames = AnimationFrames(self.args.anim_path, grid) if self.args.anim_path else None
        self.summaries = tf.summary.FileWriter(self.args.logdir, session.graph) if self.args.logdir else None
        self.started = time.time()

    @property
    def step(self):
        return self.state["step"]

    def running(self):
        return np.array([s == RUNNING for s in self.state["status"]])

    def resumed(self):
        """Restores the last usable checkpoint (with --resume, or always for a study's population),
        or a finished population's final weights; True if it did."""
        if self.final_weights is not None:
            self.model.load_member_values(self.session, self.final_weights)
            self.state["step"] = self.args.num_steps
            return True
        if self.single and not self.args.resume:  # a study's population always resumes
            return False
        restored = files.restore_checkpoint(self.session, self.model.saver, self.run_dir)
        if restored is None:
            return False
        self.state, arrays = restored
        self.state["rows"] = [files.nan_for_null(row) for row in self.state["rows"]]
        self.state["best_w1"] = [math.inf if w is None else w for w in self.state["best_w1"]]
        files.set_rng_states(self.rngs, arrays)
        self.best, self.kept = files.weight_list(arrays, "best"), files.weight_list(arrays, "kept")
        if self.frames is not None and "frame_steps" in arrays:
            self.frames.frames = list(
                zip(arrays["frame_steps"].tolist(), arrays["frame_decision"], arrays["frame_density"], strict=True)
            )
        self.progress.start(self.step)
        self.progress.say(f"resumed from step {self.step}")
        return True

    def wants_more(self):
        """True while steps remain, some member runs and nothing stopped the run."""
        if self.step >= self.args.num_steps or not self.running().any():
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
        args, state = self.args, self.state
        loss_d, loss_g = (np.reshape(v, (len(v), self.n)) for v in (loss_d, loss_g))  # (T, N)
        bad = ~(np.isfinite(loss_d) & np.isfinite(loss_g))
        for i in np.flatnonzero(bad.any(axis=0) & self.running()):
            self.end_member(i, DIVERGED, state["step"], diverged_step=state["step"] + int(np.argmax(bad[:, i])) + 1)
        if not self.running().any():
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
        if args.checkpoint_every and end % args.checkpoint_every == 0 and self.running().any():
            self.save_checkpoint()

    def end_member(self, i, status, step, diverged_step=None):
        self.state["status"][i], self.state["ended"][i] = status, step
        if diverged_step is not None:
            self.state["diverged_step"][i] = diverged_step

    def evaluate(self):
        """One evaluation on the fixed grid: each running member's row of losses, learning rates and
        metrics, the log line and summaries, the best weights so far, and the early-stopping count."""
        args, state, step = self.args, self.state, self.state["step"]
        extra = [self.model.lr_d, self.model.lr_g] + ([self.model.eval_histogram] if self.summaries else [])
        frame = self.frames is not None and step % args.anim_every == 0
        samples, decision, fetched = evaluate_grid(self.session, self.model, self.grid, extra, decision=frame)
        (lr_d, lr_g), summaries = [np.broadcast_to(v, self.n) for v in fetched[:2]], fetched[2:]
        scores = batch_metrics(samples, self.grid)  # {name: (N,)}
        finite = np.all(np.isfinite(samples), axis=1)
        for i in np.flatnonzero(~finite & self.running()):
            self.end_member(i, DIVERGED, step, diverged_step=step)
        if frame and finite[0]:
            self.frames.add(step, samples[0], decision[0])
        if step == 0 and self.progress.clock is None:
            self.progress.start(step)
        count = state["count"] or math.nan  # no loss before the first step
        improved = []
        for i in np.flatnonzero(self.running()):
            self.last_finite[i] = (step, samples[i])
            row = {"step": step, "loss_d": state["sum_d"][i] / count, "loss_g": state["sum_g"][i] / count}
            row.update(lr_d=float(lr_d[i]), lr_g=float(lr_g[i]), **{k: float(v[i]) for k, v in scores.items()})
            state["rows"].append(row if self.single else {**row, "member": int(i), "seed": self.model.members[i].seed})
            if args.keep_best and row["w1"] < state["best_w1"][i]:
                state["best_w1"][i], state["best_step"][i] = row["w1"], step
                improved.append(i)
            state["streak"][i] = state["streak"][i] + 1 if args.early_stop and row["w1"] <= args.early_stop else 0
            if self.single:
                self.write_summaries(row, summaries)
                self.progress.report(row)
        state.update(sum_d=[0.0] * self.n, sum_g=[0.0] * self.n, count=0)
        self.keep_weights(improved, [i for i in np.flatnonzero(self.running()) if state["streak"][i] >= args.patience])

    def keep_weights(self, improved, stopping):
        """Copies the current weights of the improved members into best, of the stopping ones into kept."""
        if not improved and not (self.args.early_stop and stopping):
            return
        current = self.model.member_values(self.session)
        if improved:
            self.best = copy_members(self.best, current, improved)
        if self.args.early_stop and stopping:
            self.kept = copy_members(self.kept, current, stopping)
            for i in stopping:
                self.end_member(i, EARLY_STOPPED, self.step)

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
        arrays = files.rng_arrays(self.rngs)
        for name, values in (("best", self.best), ("kept", self.kept)):
            arrays.update({f"{name}_{k}": v for k, v in enumerate(values or [])})
        if self.frames is not None and self.frames.frames:
            steps, decision, density = zip(*self.frames.frames, strict=True)
            arrays.update(
                frame_steps=np.array(steps), frame_decision=np.stack(decision), frame_density=np.stack(density)
            )
        files.save_checkpoint(self.session, self.model.saver, self.run_dir, self.step, self.state, arrays)

    def statuses(self):
        """Each member's final status and the step it reached."""
        out = []
        for status, ended in zip(self.state["status"], self.state["ended"], strict=True):
            if status == RUNNING:
                out.append(("interrupted" if self.interrupted else "completed", self.step))
            else:
                out.append((status, ended))
        return out

    def final_values(self):
        """The weights each member ends with: with --keep-best its best evaluation's (unless it
        diverged), else its early stop's, else the last."""
        values, state = self.model.member_values(self.session), self.state
        for i, status in enumerate(state["status"]):
            source = None
            if self.args.keep_best and state["best_step"][i] is not None and status != DIVERGED:
                source = self.best
            elif status == EARLY_STOPPED:
                source = self.kept
            if source is not None:
                for value, kept in zip(values, source, strict=True):
                    value[i] = kept[i]  # fresh arrays from the session: filled in place
        return values

    def finish(self):
        """Training is over: each member's final weights, samples and decision boundary; a single
        run's files and verdict. Returns the summary (a population's: its samples and a row per member)."""
        self.training_seconds = time.time() - self.started  # pretraining, training and evaluations
        self.progress.end()
        if self.interrupted:
            self.save_checkpoint()
        if self.best is not None or self.kept is not None:
            self.model.load_member_values(self.session, self.final_values())
        samples, decision, _ = evaluate_grid(self.session, self.model, self.grid)
        if not self.single:
            return {"statuses": self.statuses(), "diverged_step": self.state["diverged_step"], "samples": samples,
                    "decision": decision, "rows": self.state["rows"],
                    "weights": dict(zip([v.op.name for v in self.model.weights()], self.model.member_values(self.session), strict=True))}  # fmt: skip
        return self.finish_run(samples[0], decision[0])

    def finish_run(self, samples, decision):
        """A single run's final metrics (with the KDE), figures, samples, summary.json and verdict."""
        (status, step), state = self.statuses()[0], self.state
        note = ""
        if self.args.keep_best and state["best_step"][0] is not None and status != DIVERGED:
            note = f"best w1 kept: step {state['best_step'][0]}"
        if status == DIVERGED:
            step, samples = self.last_finite[0] or (0, np.full(EVAL_POINTS, np.nan))
            decision, final = None, {name: math.nan for name in METRIC_NAMES}
            note = f"diverged at step {state['diverged_step'][0]}; last finite: step {step}"
        else:
            final = metrics(samples, self.grid, with_kde=True)
        return self.write_outputs(status, samples, decision, final, note or f"step {step}, {status}")

    def write_outputs(self, status, samples, decision, final, note):
        args, state, run_dir = self.args, self.state, self.run_dir
        diverged_step = state["diverged_step"][0]
        judged = verdict(status, final, self.grid.target, diverged_step)
        if math.isfinite(final["w1"]):
            note += f"\nw1 {final['w1']:.3f}  std ratio {final['std_ratio']:.2f}"
        plot_distributions(os.path.join(run_dir, "distributions.png"), samples, decision, self.grid, note, judged)
        files.write_csv(os.path.join(run_dir, "metrics.csv"), state["rows"], ROW_COLUMNS)
        if state["rows"]:
            plot_training(os.path.join(run_dir, "training.png"), state["rows"])
        files.write_npy(os.path.join(run_dir, "samples.npy"), samples.astype(np.float32))
        summary = {
            "status": status,
            "steps": self.statuses()[0][1],
            "diverged_step": diverged_step,
            "best_step": state["best_step"][0] if args.keep_best else None,
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


def copy_members(target, source, members):
    """target's weights (a list of (N, ...) arrays, or None: a copy of source) with the given members'
    slices taken from source."""
    out = [np.array(s, copy=True) for s in source] if target is None else [np.array(t, copy=True) for t in target]
    for t, s in zip(out, source, strict=True):
        t[members] = s[members]
    return out
