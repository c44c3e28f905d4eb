"""The de-identified ``community-reports`` CSV the site hands to the warehouse.

One row per combination of area, month received (Europe/London), kind, category, strands,
channel, ward and LSOA, with the number of reports and, for business reports, the sum of losses.
Reports moderated as duplicates or rejected are left out; anonymised reports still count (their
de-identified fields stay). The columns are the contract read by ``safecity load
community-reports`` (``docs/community-reports.md``)::

    area_code,month,kind,category,strands,channel,ward_code,lsoa_code,reports,losses_pounds
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO
from zoneinfo import ZoneInfo

from safecity_web.reporting.models import CommunityReport, Moderation

COLUMNS = (
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
LONDON = ZoneInfo("Europe/London")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
BUSINESS_KIND = "business"
STRAND_SEPARATOR = ";"
PENNY = Decimal("0.01")


class ExportPeriodError(ValueError):
    """A month bound that is not ``YYYY-MM`` or a range that runs backwards."""


@dataclass(frozen=True, slots=True, order=True)
class ExportRow:
    """One row of the export: a combination and its count (and losses for business)."""

    area_code: str
    month: str
    kind: str
    category: str
    strands: str
    channel: str
    ward_code: str
    lsoa_code: str
    reports: int
    losses_pounds: Decimal | None


def parse_month(*, text: str, option: str) -> datetime.date:
    """The first day of the month ``YYYY-MM``; :class:`ExportPeriodError` naming ``option``."""
    match = MONTH_PATTERN.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ExportPeriodError(f"{option} must be a month written YYYY-MM, got {text!r}")
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def _next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _london_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=LONDON)


def export_rows(
    *, from_month: datetime.date | None = None, to_month: datetime.date | None = None
) -> list[ExportRow]:
    """The export's rows, sorted by their columns, for reports received in the months given.

    Parameters
    ----------
    from_month, to_month
        First days of the first and last months to include (both inclusive; ``None``: open).

    Raises
    ------
    ExportPeriodError
        When ``to_month`` is before ``from_month``.
    """
    if from_month is not None and to_month is not None and to_month < from_month:
        raise ExportPeriodError(f"--to ({to_month:%Y-%m}) is before --from ({from_month:%Y-%m})")
    reports = CommunityReport.objects.exclude(
        moderation__in=[Moderation.DUPLICATE, Moderation.REJECTED]
    )
    if from_month is not None:
        reports = reports.filter(received_at__gte=_london_midnight(from_month))
    if to_month is not None:
        reports = reports.filter(received_at__lt=_london_midnight(_next_month(to_month)))
    counts: dict[tuple[str, ...], int] = {}
    losses_by_key: dict[tuple[str, ...], Decimal] = {}
    fields = (
        "area_code",
        "kind",
        "category",
        "strands",
        "channel",
        "ward_code",
        "lsoa_code",
        "received_at",
        "losses_pounds",
    )
    for values in reports.values_list(*fields).iterator(chunk_size=2000):
        area, kind, category, strands, channel, ward, lsoa, received, losses = values
        month = received.astimezone(LONDON).strftime("%Y-%m")
        strand_text = STRAND_SEPARATOR.join(sorted(set(strands or [])))
        key = (area, month, kind, category, strand_text, channel, ward, lsoa)
        counts[key] = counts.get(key, 0) + 1
        if losses is not None and kind == BUSINESS_KIND:
            losses_by_key[key] = losses_by_key.get(key, Decimal(0)) + losses
    rows = []
    for key, number in counts.items():
        total = losses_by_key.get(key)
        rows.append(
            ExportRow(
                *key,
                reports=number,
                losses_pounds=None if total is None else total.quantize(PENNY),
            )
        )
    return sorted(rows, key=lambda row: tuple(str(getattr(row, name)) for name in COLUMNS))


def write_export(*, rows: Iterable[ExportRow], stream: TextIO) -> int:
    """Write the header and ``rows`` to ``stream`` as CSV; return how many rows were written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    written = 0
    for row in rows:
        writer.writerow(
            [
                row.area_code,
                row.month,
                row.kind,
                row.category,
                row.strands,
                row.channel,
                row.ward_code,
                row.lsoa_code,
                row.reports,
                "" if row.losses_pounds is None else f"{row.losses_pounds:.2f}",
            ]
        )
        written += 1
    return written


def export_text(
    *, from_month: datetime.date | None = None, to_month: datetime.date | None = None
) -> str:
    """The whole export as text (for the portal download)."""
    stream = io.StringIO()
    write_export(rows=export_rows(from_month=from_month, to_month=to_month), stream=stream)
    return stream.getvalue()
