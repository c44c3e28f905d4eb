"""Victims and offenders: the partners' section on repeat and profiled people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safecity.report.context import (
    MARKING,
    ReportContext,
    whole_number,
)
from safecity.report.document import (
    Cell,
    Note,
    Section,
    Sentence,
    SentenceList,
    Table,
)
from safecity.report.formatting import (
    MISSING,
    format_count,
    format_share,
    is_missing,
)
from safecity.report.narrative import (
    lower_first,
)


def people_section(context: ReportContext, person_level: list[Sentence]) -> Section | None:
    repeats = context.artefact.table("people_repeats")
    profiles = context.artefact.table("people_profiles")
    if (repeats is None or repeats.empty) and (profiles is None or profiles.empty):
        return None
    section = Section(
        section_id="victims-and-offenders",
        number="",
        title="Victims and offenders",
        person_level=True,
    )
    section.blocks.append(
        Note(
            text=f"{MARKING}: this section is about people recorded as victims and offenders;"
            " it is for the partnership's own use and is left out of the public edition.",
            tone="warning",
        )
    )
    if person_level:
        section.blocks.append(SentenceList(sentences=tuple(person_level), heading="Findings"))
    if repeats is not None and not repeats.empty:
        rows = []
        for record in repeats.to_dict("records"):
            rows.append(
                (
                    Cell(
                        text=f"{str(record['role']).capitalize()}s ({record['scope']}):"
                        f" {lower_first(str(record['group_name']))}"
                    ),
                    Cell(
                        text=format_count(record["persons"]),
                        count=whole_number(record["persons"]),
                        numeric=True,
                    ),
                    Cell(
                        text=format_count(record["repeat_persons"]),
                        count=whole_number(record["repeat_persons"]),
                        numeric=True,
                    ),
                    Cell(
                        text=f"{format_share(record['repeat_person_share'])} ("
                        + _share_interval(record, "repeat_person_share")
                        + ")",
                        numeric=True,
                    ),
                    Cell(text=format_share(record["repeat_person_crime_share"]), numeric=True),
                )
            )
        section.blocks.append(
            Table(
                table_id="people-repeats",
                caption=f"Repeat victims and offenders, {context.period}",
                columns=(
                    "People",
                    "Persons",
                    "Repeat persons",
                    "Share repeat (95% CI)",
                    "Share of crimes involving a repeat person",
                ),
                rows=tuple(rows),
            )
        )
    if profiles is not None and not profiles.empty:
        chosen = profiles[profiles["group_id"] == "all_crime"]
        profile_rows = [
            (
                Cell(
                    text=f"{str(record['role']).capitalize()}s: {record['dimension']}"
                    f" {record['category']}".replace("_", " ")
                ),
                Cell(
                    text=format_count(record["persons"]),
                    count=whole_number(record["persons"]),
                    numeric=True,
                ),
                Cell(
                    text=f"{format_share(record['share'])} ("
                    + _share_interval(record, "share")
                    + ")",
                    numeric=True,
                ),
            )
            for record in chosen.to_dict("records")
        ]
        section.blocks.append(
            Table(
                table_id="people-profiles",
                caption=f"Victims and offenders of all crime by age, sex and ethnicity,"
                f" {context.period}",
                columns=("People", "Persons", "Share (95% CI)"),
                rows=tuple(profile_rows),
            )
        )
    return section


def _share_interval(record: Mapping[Any, object], column: str) -> str:
    lower, upper = record.get(f"{column}_lower_ci"), record.get(f"{column}_upper_ci")
    if is_missing(lower) or is_missing(upper):
        return MISSING
    return f"{format_share(lower)} to {format_share(upper)}"
