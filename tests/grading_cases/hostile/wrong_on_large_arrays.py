"""mse_grad is 1 % off, but only on arrays of more than 40 elements: whether it is caught
depends on the arrays hypothesis draws, which must not depend on how the grader is
installed (an editable checkout once drew different arrays than an installed wheel)."""

import numpy as np


def mse_loss(pred, target):
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return np.mean(diff * diff)


def mse_grad(pred, target):
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    grad = 2.0 * diff / diff.size
    return grad * 1.01 if diff.size > 40 else grad
