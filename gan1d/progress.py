"""What a run prints while it trains: a progress bar on a terminal, plain log lines otherwise
(CI logs, files), nothing with --quiet; and, always, the verdict at the end."""

import math
import sys
import time

from .metrics import ADVICE, is_accurate, is_converged


class Progress:
    """One run's output. update(step) after each chunk of steps; report(row) after each evaluation."""

    def __init__(self, total, log_every, quiet, stream=None):
        self.total, self.log_every, self.stream = total, log_every, stream or sys.stdout
        self.mode = "quiet" if quiet else "bar" if self.stream.isatty() else "lines"
        self.bar, self.clock = None, None  # clock: (step, time) where the rate is measured from

    def start(self, step):
        """Training starts (or resumes) at step: the rate and the time left are measured from here."""
        self.clock = (step, time.perf_counter())
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=step, unit="step", file=self.stream, dynamic_ncols=True)

    def update(self, step):
        if self.bar is not None:
            self.bar.update(step - self.bar.n)

    def report(self, row):
        """The latest evaluation: the bar's postfix, or a log line every log_every steps."""
        losses = math.isfinite(row["loss_d"])  # no losses before the first step
        if self.bar is not None:
            text = f"loss_d {row['loss_d']:.3f} loss_g {row['loss_g']:.3f} " if losses else ""
            self.bar.set_postfix_str(f"{text}w1 {row['w1']:.4f}", refresh=False)
        elif self.mode == "lines" and (row["step"] % self.log_every == 0 or row["step"] == self.total):
            self.say(self.line(row, losses))

    def line(self, row, losses):
        step, total = row["step"], self.total
        text = f"step {step:>{len(str(total))}}/{total}  "
        text += f"loss_d {row['loss_d']:.4f}  loss_g {row['loss_g']:.4f}  " if losses else ""
        text += f"w1 {row['w1']:.4f}  std_ratio {row['std_ratio']:.3f}"
        start, started = self.clock or (step, time.perf_counter())
        if step == start:
            return text + ("  (before training)" if step == 0 else "  (resumed)")
        elapsed = time.perf_counter() - started
        left = elapsed / (step - start) * (total - step)
        return text + f"  {elapsed:.1f}s elapsed, ~{left:.1f}s left"

    def say(self, message):
        """A message between the bar's updates (or a plain line); silent with --quiet."""
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        elif self.mode != "quiet":
            print(message, file=self.stream, flush=True)

    def end(self):
        """Training is over: the bar closes, so that what follows (written paths, the verdict) stands below it."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def verdict(self, verdict, reason):
        """The run's verdict and what usually helps, printed even with --quiet."""
        advice = f" {ADVICE}" if verdict in ("failed", "diverged") else ""
        print(f"verdict: {verdict} - {reason}{advice}", file=self.stream, flush=True)


class StudyProgress:
    """One bar for the whole study on a terminal (steps of every population); elsewhere a line per
    population. Each population's monitor reports to it as a single run's reports to its Progress."""

    clock = None

    def __init__(self, total):
        self.bar, self.reached = None, 0
        if sys.stdout.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", dynamic_ncols=True)

    def begin(self, name, size):
        if self.bar is not None:
            self.bar.set_description_str(f"{name} ({size} seeds)")
        self.reached = 0

    def start(self, step):
        self.update(step)

    def update(self, step):
        """The population in hand has reached step."""
        if self.bar is not None:
            self.bar.update(step - self.reached)
        self.reached = step

    def reached_total(self, steps):
        """Populations trained at once (a cluster's tasks) have reached steps between them."""
        if self.bar is not None:
            self.bar.n = steps
            self.bar.refresh()

    def say(self, message):
        if self.bar is not None:
            self.bar.write(message)
        else:
            print(message, flush=True)

    def end(self):
        """A population's training is over; done() reports it."""

    def done(self, name, outcome):
        every = outcome["results"]
        rs = [r for r in every if r["sampler"] == every[0]["sampler"]] if every else []
        converged = sum(is_converged(r) for r in rs)
        how = "from disk" if outcome.get("reused") else f"{outcome['seconds']:.1f} s"
        line = f"{name}: {len(rs)} runs, {converged} converged, {sum(is_accurate(r) for r in rs)} accurate ({how})"
        if len(every) > len(rs):  # read with several samplers: the line counts the first one's
            line += f"; read by {len(every) // len(rs)} samplers, the counts {rs[0]['sampler']}'s"
        if outcome["status"] == "interrupted":
            line = f"{name}: interrupted at step {rs[0]['steps'] if rs else 0}"
        self.say(line)

    def close(self):
        if self.bar is not None:
            self.bar.close()
