"""Our GPU kernels, as ``tinygrad_edu.kernels.numba_cuda`` and ``tinygrad_edu.kernels.cupy``.

They live in the repository's top-level ``kernels/`` folder (one idea per file; see
``kernels/README.md``). The wheel installs them here, inside this package; in a checkout
(an editable install, or ``PYTHONPATH=<repo>``) this package's path also covers that
folder, so ``tinygrad_edu.kernels.<module>`` imports the same files in every layout.
Importing this package imports no GPU library.
"""

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2] / "kernels"
if (_CHECKOUT / "numba_cuda").is_dir() and str(_CHECKOUT) not in __path__:
    __path__.append(str(_CHECKOUT))
