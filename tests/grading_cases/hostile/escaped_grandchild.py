"""Starts a grandchild that calls setsid and runs with an empty environment (so neither
the process group nor the run's token finds it), holding the output pipe it inherited.
The grader used to hang until that pipe closed. Both functions are correct."""

import subprocess
import sys

import numpy as np

MARKER = "tinygrad-edu-escaped-grandchild"
subprocess.Popen([sys.executable, "-c", f"import time; time.sleep(300)  # {MARKER}"],
                 env={}, start_new_session=True)


def mse_loss(pred, target):
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return np.mean(diff * diff)


def mse_grad(pred, target):
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return 2.0 * diff / diff.size
