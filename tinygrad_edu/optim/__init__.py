"""Optimisers and learning-rate schedules, with PyTorch's names and update rules.

>>> from tinygrad_edu.optim import Adam, lr_scheduler
>>> opt = Adam(model.parameters(), lr=1e-3)                      # doctest: +SKIP
>>> sched = lr_scheduler.CosineAnnealingLR(opt, T_max=100)       # doctest: +SKIP

Each optimiser's docstring gives its update rule, its defaults, and where it differs from
the paper that introduced it. :mod:`.optimizer` holds the shared machinery (parameter
groups, the step loop, state dicts); each other module is one update rule.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .optimizer import Optimizer, ParamsT
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Adamax", "Optimizer", "ParamsT", "RMSprop",
           "lr_scheduler"]
