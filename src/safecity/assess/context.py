"""What every figure family receives, and what it gives back to the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from safecity.assess.coverage import Coverage, load_coverage_rule
from safecity.assess.crime_groups import CrimeGroup
from safecity.assess.denominators import Denominators
from safecity.assess.disclosure_policy import DisclosurePolicy
from safecity.assess.fact_source import FactSource
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea
from safecity.data.warehouse import Warehouse


@dataclass(frozen=True, slots=True)
class AssessmentOptions:
    """User choices that families read (all optional).

    Attributes
    ----------
    comparators_path
        YAML or CSV naming the comparator group (most similar CSPs) by GSS code (family 6).
    priority_inputs_path
        YAML of the partnership's inputs to priority scoring: public concern, organisational
        position (family 11).
    harm_index
        Name of the loaded harm-weight index to use (family 3); by default the only one loaded.
    """

    comparators_path: Path | None = None
    priority_inputs_path: Path | None = None
    harm_index: str | None = None


@dataclass(frozen=True, slots=True)
class AssessmentInputs:
    """The assessed area and period, and the aggregated data every family starts from.

    Attributes
    ----------
    warehouse
        The open warehouse (lookups, populations and other small tables).
    area, period, baseline
        What is assessed, and the comparison period.
    window
        From the earliest period compared (three periods back) to the end of ``period``.
    groups
        The crime groups computed for this area, with ``sources`` (group id -> ``police_uk``
        or ``extract``).
    counts
        ``lsoa_code, month, group_id, count`` over ``window`` for the area's LSOAs.
    denominators
        LSOA residents (and households) for the period.
    indicators
        The ``indicators`` rows of families 1, 2 and 4 (``row_id`` first).
    seed
        Seed for every simulation (SII intervals, permutation tests).
    options
        The user's choices (comparators, priority inputs, harm index).
    coverage
        Months with data by source and the comparison rule (methods.md §0.2a): rates use
        ``coverage.exposure_fraction(source, period)`` of a year at risk.
    policy
        The disclosure policy: which sources' counts public tables protect, and the threshold.
    facts
        Where the aggregations over the fact tables run (:mod:`safecity.assess.fact_source`);
        None: the warehouse's own DuckDB. Read it through :meth:`fact_backend`.
    """

    warehouse: Warehouse
    area: StudyArea
    period: Period
    baseline: Period
    window: Period
    groups: list[CrimeGroup]
    sources: dict[str, str]
    counts: pd.DataFrame
    denominators: Denominators
    indicators: pd.DataFrame
    seed: int
    options: AssessmentOptions = field(default_factory=AssessmentOptions)
    coverage: Coverage = field(default_factory=lambda: Coverage(rule=load_coverage_rule()))
    policy: DisclosurePolicy = field(default_factory=DisclosurePolicy)
    facts: FactSource | None = None

    def fact_backend(self) -> Any:
        """The Ibis backend the families' own aggregations over the fact tables run on."""
        return self.warehouse.ibis if self.facts is None else self.facts.backend

    def exposure_fraction(self, group_id: str) -> float:
        """Years at risk in the period for ``group_id``'s source (months with data / 12).

        Without coverage information (a hand-built input) a whole period of data is assumed.
        """
        source = self.sources.get(group_id)
        if source is None or not self.coverage.by_source:
            return self.period.length / 12.0
        return self.coverage.exposure_fraction(source, self.period)


@dataclass(slots=True)
class FamilyOutput:
    """A family's tables (partner and public), skipped parts with reasons, findings, notes.

    ``public_tables`` must already be disclosure-controlled and never hold person-level rows.
    ``manifest`` entries are merged into the artefact's manifest under the family's name.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    public_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
