"""The de-identified ``community-reports`` CSV the web site exports for the warehouse.

One row per combination of area, month, kind, category, strands, channel, ward and LSOA, with
the number of reports and (business rows) the sum of their losses; columns exactly
:data:`EXPORT_COLUMNS` (``docs/community-reports.md``, "The export"). The web site writes it
(``python -m safecity_web export_community_reports``), the synthetic demo writes it
(:func:`write_export`), and ``safecity load community-reports`` reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from safecity.data.site_export_rows import export_csv_text

EXPORT_COLUMNS = (
    "area_code",
    "month",
    "kind",
    "category",
    "strands",
    "channel",
    "ward_code",
    "lsoa_code",
    "reports",
    "losses_pounds",
)
"""The export's header, in order."""
STRAND_SEPARATOR = ";"
"""Strands of one report joined in the ``strands`` column (sorted), e.g. ``race;religion``."""


class Channel(StrEnum):
    """How a report reached the partnership (the web site's ``Channel``)."""

    PUBLIC_FORM = "public_form"
    REPORTING_CENTRE = "reporting_centre"
    BUSINESS = "business"
    OPEN311 = "open311"

    @property
    def label(self) -> str:
        """What readers are told the channel is."""
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.PUBLIC_FORM: "Online form (residents)",
    Channel.REPORTING_CENTRE: "Third-party reporting centre",
    Channel.BUSINESS: "Business crime portal",
    Channel.OPEN311: "Reporting app (Open311)",
}


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One row of the export (its key and counts)."""

    area_code: str
    month: str
    kind: str
    category: str
    strands: tuple[str, ...]
    channel: Channel
    ward_code: str
    lsoa_code: str
    reports: int
    losses_pounds: Decimal | None

    def key(self) -> tuple[str, ...]:
        """The combination the row counts (unique within a file)."""
        return (
            self.area_code,
            self.month,
            self.kind,
            self.category,
            joined_strands(self.strands),
            self.channel.value,
            self.ward_code,
            self.lsoa_code,
        )

    def as_fields(self) -> list[str]:
        """The row as the CSV's fields."""
        return [
            *self.key(),
            str(self.reports),
            "" if self.losses_pounds is None else f"{self.losses_pounds:.2f}",
        ]


def joined_strands(strands: Iterable[str]) -> str:
    """Strand ids sorted, without repeats, joined with ``;`` (``''`` for none).

    >>> joined_strands(["religion", "race", "race"])
    'race;religion'
    """
    return STRAND_SEPARATOR.join(sorted(set(strands)))


def export_text(rows: Sequence[ExportRow]) -> str:
    """The CSV text of ``rows`` (header first, rows sorted by their key), ``\\n`` line ends."""
    return export_csv_text(EXPORT_COLUMNS, rows)


def write_export(*, rows: Sequence[ExportRow], path: Path) -> Path:
    """Write ``rows`` as the export CSV (UTF-8) at ``path``; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(export_text(rows), encoding="utf-8")
    return path


__all__ = [
    "CHANNEL_LABELS",
    "EXPORT_COLUMNS",
    "STRAND_SEPARATOR",
    "Channel",
    "ExportRow",
    "export_text",
    "joined_strands",
    "write_export",
]
