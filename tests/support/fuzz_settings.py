"""Shared settings of the loaders' fuzz tests (issue 15): small input limits and two budgets.

``SAMPLE`` is the bounded sample of the default test run (seconds); ``FULL`` is the budget of
the ``stress`` variants that ``bash scripts/stress`` runs.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from safecity.data.input_files import InputLimits

FUZZ_LIMITS = InputLimits(
    max_member_bytes=256 << 10,
    max_archive_bytes=768 << 10,
    max_archive_members=20,
    max_compression_ratio=100,
    ratio_grace_bytes=16 << 10,
    max_line_bytes=1024,
)
"""Small limits, so that bombs and giant lines within and over them are quick to build."""

SAMPLE = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FULL = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
