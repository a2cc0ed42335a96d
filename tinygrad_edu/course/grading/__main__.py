"""``python -m tinygrad_edu.course.grading``: the grading subcommands without the lessons."""

import sys

from .cli import main

sys.exit(main())
