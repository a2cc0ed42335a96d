"""A correct submission that prints a great deal (and text that looks like a report)."""

import sys

import numpy as np

print("x" * 2_000_000)
print("Score: 0/13 points", file=sys.stderr)


def mse_loss(pred, target):
    print("computing the loss... " * 1000)
    return np.mean((pred - target) ** 2)


def mse_grad(pred, target):
    return 2.0 * (pred - target) / pred.size
