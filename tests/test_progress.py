"""gan1d.progress: log lines when not on a terminal, one bar on a terminal, only the verdict with --quiet."""

import io
import math

from gan1d.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def row(step, loss=0.5):
    return {"step": step, "loss_d": loss, "loss_g": loss, "w1": 0.25, "std_ratio": 0.9}


def drive(progress):
    progress.start(0)
    progress.report(row(0, loss=math.nan))  # before the first step: no losses yet
    for step in (10, 20, 30):
        progress.update(step)
        progress.report(row(step))
    progress.end()
    progress.verdict("failed", "60% of the generated mass lies beyond 4 sigma of the data.")


def test_lines_off_a_terminal_start_without_nan_and_end_with_the_verdict():
    out = io.StringIO()
    drive(Progress(30, log_every=10, quiet=False, stream=out))
    lines = out.getvalue().splitlines()
    assert lines[0] == "step  0/30  w1 0.2500  std_ratio 0.900  (before training)"
    assert lines[1].startswith("step 10/30  loss_d 0.5000  loss_g 0.5000  w1 0.2500") and "s left" in lines[1]
    assert len(lines) == 5 and "nan" not in out.getvalue()
    assert lines[-1].startswith("verdict: failed - 60% of the generated mass") and "--preset robust" in lines[-1]


def test_a_terminal_gets_one_bar_and_no_log_lines():
    out = Terminal()
    drive(Progress(30, log_every=10, quiet=False, stream=out))
    text = out.getvalue()
    assert "30/30" in text and "w1 0.2500" in text and "step/s" in text
    assert "step 10/30" not in text and text.rstrip().splitlines()[-1].startswith("verdict: failed")


def test_quiet_prints_only_the_verdict():
    out = Terminal()
    drive(Progress(30, log_every=10, quiet=True, stream=out))
    assert out.getvalue().splitlines() == [
        "verdict: failed - 60% of the generated mass lies beyond 4 sigma of the data. What usually helps: "
        'another --seed, --preset robust, or a lower --learning-rate; the README\'s "How often each recipe works" '
        "says how often each works."
    ]
