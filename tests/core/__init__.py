"""Tests of the autodiff core: Tensor, autograd, the elementwise/reduce/movement/matmul
ops and the testing toolkit. Run with::

    PYTHONPATH=. python -m pytest tests/core -q            # "dev" profile, quick
    CI=true PYTHONPATH=. python -m pytest tests/core -q    # derandomized, as in CI
    PYTHONPATH=. python -m pytest tests/core -m "not torch"  # without the PyTorch oracle

(A package, so that module names like ``test_matmul`` cannot clash with other folders.)
"""
