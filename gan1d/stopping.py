"""The stopping rules of a run or a population, per member: divergence (a loss or a generated
sample not finite), --early-stop (w1 at or below a threshold for --patience evaluations in a row)
and --keep-best (the weights of the evaluation with the lowest w1). A member that diverged or
stopped early is left out from then on; the run ends when every member has."""

import math

import numpy as np

from .checkpoints import weight_arrays, weight_list

RUNNING, DIVERGED, EARLY_STOPPED = "running", "diverged", "early_stopped"


class StoppingRules:
    """Each member's status and the weights it will end with. state is JSON-able (a checkpoint
    keeps it); best and kept are (N, ...) weights, each member's best evaluation's and its early
    stop's."""

    def __init__(self, early_stop, patience, keep_best, n):
        self.early_stop, self.patience, self.keep_best = early_stop, patience, keep_best
        self.state = {
            "status": [RUNNING] * n, "ended": [None] * n, "diverged_step": [None] * n,
            "streak": [0] * n, "best_w1": [math.inf] * n, "best_step": [None] * n,
        }  # fmt: skip
        self.best = self.kept = None

    def running(self):
        return np.array([s == RUNNING for s in self.state["status"]])

    def end(self, i, status, step, diverged_step=None):
        self.state["status"][i], self.state["ended"][i] = status, step
        if diverged_step is not None:
            self.state["diverged_step"][i] = diverged_step

    def check_losses(self, step, loss_d, loss_g):
        """After the steps from step on, (T, N) losses each: a running member with a non-finite loss
        diverged at the first such step."""
        bad = ~(np.isfinite(loss_d) & np.isfinite(loss_g))
        for i in np.flatnonzero(bad.any(axis=0) & self.running()):
            self.end(i, DIVERGED, step, diverged_step=step + int(np.argmax(bad[:, i])) + 1)

    def check_samples(self, step, finite):
        """At an evaluation: a running member whose generated samples are not all finite diverged."""
        for i in np.flatnonzero(~finite & self.running()):
            self.end(i, DIVERGED, step, diverged_step=step)

    def judge(self, step, w1, current):
        """After an evaluation, w1 {member: value} of the running members: the best weights so far and
        the early stops. current() fetches every member's weights, only when some are to be kept."""
        improved = []
        for i, value in w1.items():
            if self.keep_best and value < self.state["best_w1"][i]:
                self.state["best_w1"][i], self.state["best_step"][i] = value, step
                improved.append(i)
            below = self.early_stop and value <= self.early_stop
            self.state["streak"][i] = self.state["streak"][i] + 1 if below else 0
        stopping = [i for i in w1 if self.early_stop and self.state["streak"][i] >= self.patience]
        if not improved and not stopping:
            return
        values = current()
        if improved:
            self.best = copy_members(self.best, values, improved)
        if stopping:
            self.kept = copy_members(self.kept, values, stopping)
            for i in stopping:
                self.end(i, EARLY_STOPPED, step)

    def final_values(self, values):
        """The weights each member ends with, filled into values (fresh arrays, (N, ...) each): with
        --keep-best its best evaluation's (unless it diverged), else its early stop's, else the last."""
        for i, status in enumerate(self.state["status"]):
            source = self.best if self.kept_step(i) is not None else self.kept if status == EARLY_STOPPED else None
            if source is not None:
                for value, kept in zip(values, source, strict=True):
                    value[i] = kept[i]
        return values

    def changes_weights(self):
        return self.best is not None or self.kept is not None

    def statuses(self, step, interrupted):
        """Each member's final status and the step it reached."""
        out = []
        for status, ended in zip(self.state["status"], self.state["ended"], strict=True):
            if status == RUNNING:
                out.append(("interrupted" if interrupted else "completed", step))
            else:
                out.append((status, ended))
        return out

    def kept_step(self, i):
        """The step whose weights member i ends with under --keep-best, or None."""
        if self.keep_best and self.state["best_step"][i] is not None and self.state["status"][i] != DIVERGED:
            return self.state["best_step"][i]
        return None

    def arrays(self):
        return {**weight_arrays("best", self.best), **weight_arrays("kept", self.kept)}

    def restore(self, state, arrays):
        self.state = {key: state[key] for key in self.state}
        self.state["best_w1"] = [math.inf if w is None else w for w in self.state["best_w1"]]
        self.best, self.kept = weight_list(arrays, "best"), weight_list(arrays, "kept")


def copy_members(target, source, members):
    """target's weights (a list of (N, ...) arrays, or None: a copy of source) with the given members'
    slices taken from source."""
    out = [np.array(s, copy=True) for s in (source if target is None else target)]
    for t, s in zip(out, source, strict=True):
        t[members] = s[members]
    return out
