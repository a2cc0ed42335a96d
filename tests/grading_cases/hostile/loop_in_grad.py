"""mse_loss is right; mse_grad never returns."""

import numpy as np


def mse_loss(pred, target):
    return np.mean((pred - target) ** 2)


def mse_grad(pred, target):
    while True:
        pass
