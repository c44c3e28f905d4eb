"""What every section builder needs: the artefact, its rows by id and its labels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from safecity.assess.crime_groups import load_crime_groups
from safecity.report.artefact_reader import AssessmentArtefact, Audience
from safecity.report.document import (
    Sentence,
)
from safecity.report.evidence import RowIndex
from safecity.report.formatting import is_missing

MARKING = "OFFICIAL-SENSITIVE"
"""The security marking of the partners' edition (UK Government Security Classifications)."""

REPORT_TITLE = "Strategic Assessment"
PERSON_TABLES = ("people_repeats", "people_profiles")
"""Tables about people (victims, offenders): partners only, and their own section."""
OVERVIEW_TOPICS = ("all_crime", "harm")
APPENDIX_LETTERS = "ABCDEFGH"


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What every section builder needs: the artefact, its rows by id, and its labels."""

    artefact: AssessmentArtefact
    index: RowIndex
    area_code: str
    area_name: str
    period: str
    baseline: str
    threshold: int

    @property
    def audience(self) -> Audience:
        """The audience the report is for."""
        return self.artefact.audience


def is_person_level(sentence: Sentence, context: ReportContext) -> bool:
    for row_id in sentence.row_ids:
        row = context.index.positions.get(row_id)
        if row is not None and row[0] in PERSON_TABLES:
            return True
    return False


def topic_findings(
    findings: list[Sentence], topics: dict[str, str], wanted: tuple[str, ...]
) -> list[Sentence]:
    return [
        sentence
        for sentence in findings
        if sentence.finding_id is not None and topics.get(sentence.finding_id) in wanted
    ]


def whole_number(value: object) -> int | None:
    """``value`` as a whole number, or ``None`` when it is missing."""
    return None if is_missing(value) else round(float(str(value)))


@cache
def _packaged_group_names() -> dict[str, str]:
    return {group.id: group.name for group in load_crime_groups()}


def group_names(context: ReportContext) -> dict[str, str]:
    """Crime group id -> name: the artefact's (``crime_groups``, ``indicators``), else the
    packaged crime groups' names."""
    names = dict(_packaged_group_names())
    indicators = context.artefact.table("indicators")
    if indicators is not None and not indicators.empty:
        names.update(
            zip(
                indicators["indicator_id"].astype(str),
                indicators["indicator_name"].astype(str),
                strict=True,
            )
        )
    groups = context.artefact.table("crime_groups")
    if groups is not None and {"group_id", "name"} <= set(groups.columns):
        names.update(zip(groups["group_id"].astype(str), groups["name"].astype(str), strict=True))
    return names
