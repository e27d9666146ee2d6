"""Heavy modules imported on first use, so that `--help` and bad flags answer before
TensorFlow's ~5 s import; TensorFlow's start-up noise is silenced on the way in."""

import contextlib
import importlib
import os
import sys


class LazyModule:
    """A module imported on first attribute access, after an optional setup."""

    def __init__(self, name, setup=None):
        self.__dict__.update(_name=name, _setup=setup, _module=None)

    def __getattr__(self, attr):
        if self._module is None:
            if self._setup is not None:
                self._setup()
            self.__dict__["_module"] = importlib.import_module(self._name)
        return getattr(self._module, attr)


@contextlib.contextmanager
def native_stderr_silenced():
    """TensorFlow's C++ start-up lines (CUDA probing, oneDNN notices) bypass its log level: hide them."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _quiet_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with native_stderr_silenced():
        import tensorflow

        tensorflow.get_logger().setLevel("ERROR")
        tensorflow.config.experimental.enable_op_determinism()
        tensorflow.config.list_physical_devices()  # probes CUDA once, here, where its complaint is hidden


def _headless_matplotlib():
    import matplotlib

    matplotlib.use("Agg")


tf = LazyModule("tensorflow.compat.v1", _quiet_tensorflow)
tf2 = LazyModule("tensorflow", _quiet_tensorflow)  # tf.function(jit_compile=True) under --xla
plt = LazyModule("matplotlib.pyplot", _headless_matplotlib)
animation = LazyModule("matplotlib.animation", _headless_matplotlib)
stats = LazyModule("scipy.stats")
special = LazyModule("scipy.special")
