"""Which counts are protected in public tables, and the small-number threshold (config as data).

The policy (``safecity.config/disclosure.yaml``, or a deployment's own file) says, by source,
whether counts are protected: by default counts from data.police.uk, which publishes every
record with its LSOA and month, are not; counts from force extracts, partner data, surveys
and community reports are (methods.md §0.2a "Disclosure by source").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from safecity.config.packaged_yaml import read_packaged_yaml

DEFAULT_THRESHOLD = 5
"""Counts from 1 to 4 are suppressed by default (methods.md §0.2); 10 is the other common choice."""

KNOWN_SOURCES = ("police_uk", "extract", "partner", "survey", "community_reports")
"""Sources a policy names (``police_uk`` and ``extract`` are the crime groups' sources)."""


class DisclosurePolicyError(ValueError):
    """A disclosure policy that cannot be used, saying which setting is wrong and where."""


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """The small-number threshold and the sources whose counts are protected.

    Examples
    --------
    >>> policy = DisclosurePolicy()
    >>> policy.protects("extract"), policy.protects("police_uk"), policy.threshold
    (True, False, 5)
    """

    threshold: int = DEFAULT_THRESHOLD
    protected_sources: frozenset[str] = field(
        default_factory=lambda: frozenset({"extract", "partner", "survey", "community_reports"})
    )
    protected_lsoa_counts: bool = False
    """Whether counts of protected sources are published for single LSOAs at all."""

    def protects(self, source: str) -> bool:
        """Whether counts from ``source`` are protected (an unknown source is protected)."""
        return source in self.protected_sources or source not in KNOWN_SOURCES

    def with_threshold(self, threshold: int) -> DisclosurePolicy:
        """The same policy with another threshold."""
        if threshold < 1:
            raise DisclosurePolicyError(f"the suppression threshold must be 1 or more: {threshold}")
        return DisclosurePolicy(
            threshold=threshold,
            protected_sources=self.protected_sources,
            protected_lsoa_counts=self.protected_lsoa_counts,
        )


def _policy_from(document: Any, *, where: str) -> DisclosurePolicy:
    if not isinstance(document, dict):
        raise DisclosurePolicyError(
            f"{where}: expected a mapping with threshold and protected_sources"
        )
    threshold = document.get("threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise DisclosurePolicyError(f"{where}: threshold must be a whole number of 1 or more")
    sources = document.get("protected_sources")
    if not isinstance(sources, dict) or not sources:
        raise DisclosurePolicyError(
            f"{where}: protected_sources must map each source ({', '.join(KNOWN_SOURCES)}) to"
            " true or false"
        )
    protected = set()
    for name, value in sources.items():
        if name not in KNOWN_SOURCES:
            raise DisclosurePolicyError(
                f"{where}: protected_sources.{name} is not a known source; known:"
                f" {', '.join(KNOWN_SOURCES)}"
            )
        if not isinstance(value, bool):
            raise DisclosurePolicyError(f"{where}: protected_sources.{name} must be true or false")
        if value:
            protected.add(str(name))
    missing = [name for name in KNOWN_SOURCES if name not in sources]
    if missing:
        raise DisclosurePolicyError(
            f"{where}: protected_sources does not say whether {', '.join(missing)} is protected"
        )
    lsoa_counts = document.get("protected_lsoa_counts", False)
    if not isinstance(lsoa_counts, bool):
        raise DisclosurePolicyError(f"{where}: protected_lsoa_counts must be true or false")
    return DisclosurePolicy(
        threshold=threshold,
        protected_sources=frozenset(protected),
        protected_lsoa_counts=lsoa_counts,
    )


def load_disclosure_policy(path: Path | None = None) -> DisclosurePolicy:
    """The policy in ``path``, or the shipped ``disclosure.yaml``.

    Raises
    ------
    DisclosurePolicyError
        If the file cannot be read or a setting is missing or wrong (the message names it).
    """
    if path is None:
        return _policy_from(
            read_packaged_yaml("disclosure.yaml"), where="safecity.config/disclosure.yaml"
        )
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DisclosurePolicyError(
            f"{path}: cannot read the disclosure policy: {error}"
        ) from error
    return _policy_from(document, where=str(path))


__all__ = [
    "DEFAULT_THRESHOLD",
    "KNOWN_SOURCES",
    "DisclosurePolicy",
    "DisclosurePolicyError",
    "load_disclosure_policy",
]
