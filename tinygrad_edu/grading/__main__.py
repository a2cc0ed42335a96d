"""``python -m tinygrad_edu.grading``: the grading subcommands without the lessons."""

import sys

from .cli import main

sys.exit(main())
