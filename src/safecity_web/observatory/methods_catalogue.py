"""The statistical methods behind the observatory's figures, as the report's methods appendix
names them: one page lists them all, and a finding or a change links to its method there.

The entries come from the core (``core_gateway.methods_appendix``), so the report and the
observatory describe each method in the same words.
"""

from __future__ import annotations

from functools import cache

from django.urls import reverse

from safecity_web import core_gateway

CHANGE_TEST = "rate_ratio_test"
"""The test of a change between the baseline and the period."""
BENCHMARK_BY_INTERVAL = "fingertips_benchmark"
"""The comparison of an area with a benchmark by its confidence interval."""
RATE_INTERVAL = "crude_rate"
"""A rate with its confidence interval."""


@cache
def entries() -> dict[str, core_gateway.MethodEntry]:
    """Method id -> entry, in the appendix's order."""
    return {entry.method_id: entry for entry in core_gateway.methods_appendix()}


def entry(method_id: str) -> core_gateway.MethodEntry | None:
    """The entry ``method_id``, or ``None`` when the appendix has no such entry."""
    return entries().get(method_id)


def url(method_id: str) -> str:
    """The address of the entry on the methods page (``/methods/#method-rate-ratio-test``)."""
    found = entry(method_id)
    page = reverse("observatory:methods")
    return page if found is None else f"{page}#{found.anchor}"
