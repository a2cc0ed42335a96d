"""mse_loss is right; mse_grad crashes the interpreter (SIGSEGV)."""

import ctypes

import numpy as np


def mse_loss(pred, target):
    return np.mean((pred - target) ** 2)


def mse_grad(pred, target):
    return ctypes.string_at(0)
