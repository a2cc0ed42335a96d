"""Moved to :mod:`tinygrad_edu.course.grading`.

This alias keeps ``from tinygrad_edu.grading import Exercise, Example, ...`` working in
exercise files written before the move: it *is* that package, so ``isinstance`` checks
and the exercise loader see the same classes.
"""

import sys

from tinygrad_edu.course import grading as _grading

sys.modules[__name__] = _grading
