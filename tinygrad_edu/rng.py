"""Seeds and generators: every random function in the library takes one of these."""

from __future__ import annotations

import numpy as np

Seed = int | np.random.Generator | None


def make_rng(seed: Seed = None) -> np.random.Generator:
    """An int seeds a new ``numpy.random.Generator``; a Generator is used as is (so a
    caller can thread one stream through several calls); None draws fresh entropy."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, a numpy.random.Generator or None, got {seed!r}")
    return np.random.default_rng(seed)
