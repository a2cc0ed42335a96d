"""Hypothesis profiles for the whole test suite.

* ``dev`` (the default locally): few examples, no deadline — quick feedback while editing.
* in CI (``CI`` set, as GitHub Actions and most CI services do): hypothesis's built-in
  ``ci`` profile, which hypothesis itself loads when it sees ``CI``. It is derandomized
  (the same examples on every run, so a red CI run is reproducible), keeps no example
  database and has no deadline. We do not redefine it. Older hypothesis versions have
  no built-in ``ci`` profile (or one that is not derandomized); there we load our own
  ``tinygrad-ci`` with those same settings.
* ``HYPOTHESIS_PROFILE=<name>`` (or pytest's ``--hypothesis-profile``) picks one
  explicitly, e.g. ``HYPOTHESIS_PROFILE=thorough`` before a release.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)


def _ci_profile() -> str:
    """The built-in ``ci`` profile when it is deterministic, else our own."""
    try:
        ci = settings.get_profile("ci")
    except InvalidArgument:  # hypothesis < 6.131 has no built-in "ci" profile
        ci = None
    if ci is not None and ci.derandomize and ci.database is None and ci.deadline is None:
        return "ci"
    settings.register_profile(
        "tinygrad-ci", derandomize=True, database=None, deadline=None,
        suppress_health_check=[HealthCheck.too_slow], print_blob=True,
    )
    return "tinygrad-ci"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (_ci_profile() if _in_ci() else "dev")
settings.load_profile(PROFILE)


def pytest_report_header(config) -> str:  # noqa: ANN001 - pytest hook
    return f"hypothesis profile: {PROFILE} ({settings.default})"
