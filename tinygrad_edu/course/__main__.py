"""``python -m tinygrad_edu.course``: the ``tinygrad-edu`` command."""

import sys

from .cli import main

sys.exit(main())
