"""Where the course's lessons and exercises are.

The repository keeps them in top-level folders (``lessons/``, ``exercises/``); the
wheel carries the same files inside this package (``tinygrad_edu/course/_lessons``,
``tinygrad_edu/course/_exercises``; see ``setup.py``). Each lookup tries, in order:

1. the environment variable (``TINYGRAD_EDU_LESSONS``, ``TINYGRAD_EDU_EXERCISES``), for
   instructors with folders of their own;
2. the copy installed with the package (a wheel);
3. the folder of the checkout around the package (an editable install, or
   ``PYTHONPATH=<repo>``).

When none exists the first path that would have been used is returned, so the caller's
error message names it along with the variable to set.
"""

from __future__ import annotations

import os
from pathlib import Path

COURSE_DIR = Path(__file__).resolve().parent
REPO_DIR = COURSE_DIR.parents[1]  # meaningful in a checkout only


def _find(env_var: str, name: str) -> Path:
    env = os.environ.get(env_var)
    if env:
        return Path(env)
    installed = COURSE_DIR / f"_{name}"
    if installed.is_dir():
        return installed
    checkout = REPO_DIR / name
    if checkout.is_dir():
        return checkout
    return installed


def lessons_dir() -> Path:
    """The lesson scripts: ``$TINYGRAD_EDU_LESSONS``, the installed copy, or the checkout's."""
    return _find("TINYGRAD_EDU_LESSONS", "lessons")


def exercises_dir() -> Path:
    """The exercises: ``$TINYGRAD_EDU_EXERCISES``, the installed copy, or the checkout's."""
    return _find("TINYGRAD_EDU_EXERCISES", "exercises")
