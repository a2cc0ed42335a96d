"""Moved: the record API is :mod:`tinygrad_edu.course.lessons`, the runner
:mod:`tinygrad_edu.course.lesson_runner`.

This alias keeps ``from tinygrad_edu.lesson_runner import claim, show, out_dir`` working
for lessons written before the move: it *is* the record module (same functions, same
run state), so rows recorded through either name reach the runner.
"""

import sys

from tinygrad_edu.course import lessons as _lessons

sys.modules[__name__] = _lessons
