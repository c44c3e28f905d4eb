"""Community reports in the observatory: the published family's tables, as pages show them.

``safecity publish`` stores every public table of the artefact (``PublishedTable`` /
``PublishedRow``), so the ``community_reports`` family's public tables (the contract of issue
13: ``community_reports_summary``, ``_monthly``, ``_strand``, ``_ward``, ``_business``) arrive
with the rest. They come only from the artefact's PUBLIC copy: counts below the family's
``minimum_public_count`` are withheld (null, ``suppressed`` true), with secondary suppression so
that no withheld count can be worked out from the others. :func:`community_reports_data` reads
the five tables in one query and caches them by assessment, so the page makes the same few
queries whatever its number of rows.

A withheld count reads "Suppressed" with the reason beside its table, never 0 or a blank; when
the family was not assessed (no community reports loaded), the pages say so and why, never
zeros. :func:`public_values` is the one rule both the pages and the API apply to a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from safecity_web import core_gateway
from safecity_web.observatory import chart_specs, queries, visual
from safecity_web.observatory.models import PublishedAssessment, PublishedRow
from safecity_web.observatory.views.charts import PageChart

FAMILY = "community_reports"
MINUS = "\u2212"


class Table(StrEnum):
    """The family's public tables."""

    SUMMARY = "community_reports_summary"
    MONTHLY = "community_reports_monthly"
    STRAND = "community_reports_strand"
    WARD = "community_reports_ward"
    BUSINESS = "community_reports_business"


COLUMNS: dict[Table, tuple[str, ...]] = {
    Table.SUMMARY: (
        "kind", "kind_label", "channel", "channel_label", "reports", "reports_previous",
        "losses_pounds", "months_covered", "months_covered_previous", "change_pct",
        "change_p_value", "change_significant", "change_test", "change_not_made", "suppressed",
    ),
    Table.MONTHLY: ("month", "period", "kind", "kind_label", "reports", "suppressed"),
    Table.STRAND: (
        "strand", "strand_label", "community_reports", "community_reports_previous",
        "change_pct", "change_p_value", "change_significant", "change_test", "change_not_made",
        "police_recorded", "police_crime_group", "police_recorded_note", "suppressed",
    ),
    Table.WARD: ("ward_code", "ward_name", "kind", "kind_label", "reports", "suppressed"),
    Table.BUSINESS: (
        "category", "category_label", "reports", "reports_previous", "losses_pounds",
        "suppressed",
    ),
}  # fmt: skip
"""Each public table's columns in order (the contract's, and the tests, coverage and notes the
family adds; the artefact's ``row_id`` left out): what the downloads and the API give, null
where a table does not have one."""
DOWNLOAD_NAMES: dict[str, Table] = {
    "summary": Table.SUMMARY,
    "monthly": Table.MONTHLY,
    "strands": Table.STRAND,
    "wards": Table.WARD,
    "business": Table.BUSINESS,
}
"""The name of each table in its download's URL (``/community-reports/wards.csv``)."""
COUNT_COLUMNS: dict[Table, tuple[str, ...]] = {
    Table.SUMMARY: ("reports", "reports_previous"),
    Table.MONTHLY: ("reports",),
    Table.STRAND: ("community_reports", "community_reports_previous"),
    Table.WARD: ("reports",),
    Table.BUSINESS: ("reports", "reports_previous"),
}
"""The counts from the protected source in each table (withheld when suppressed)."""
CHANGE_COLUMNS = ("change_pct", "change_p_value", "change_significant")
LOSS_COLUMNS: dict[Table, tuple[str, ...]] = {
    Table.SUMMARY: ("losses_pounds", *CHANGE_COLUMNS),
    Table.STRAND: CHANGE_COLUMNS,
    Table.BUSINESS: ("losses_pounds",),
}
"""Losses and changes of a suppressed row are withheld with its counts (they would reveal
them)."""

NOT_LOADED = "no community reports were loaded for this assessment's period"
NO_POLICE_EXTRACT = "no force extract with hate-crime flags was loaded for this assessment"
SUPPRESSED = "Suppressed"


def suppression_reason(minimum: int) -> str:
    """Why a count reads "Suppressed" (community reports are a protected source)."""
    return (
        f"Community reports are a protected source: a count of fewer than {minimum:,} reports "
        "is not published, nor any count from which one could be worked out (those read "
        f"“{SUPPRESSED}”)."
    )


def public_values(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """A stored public row as it may be shown: a suppressed row never shows a withheld number.

    The public copy already leaves a withheld count null; should a row be flagged
    ``suppressed`` with all its counts present, every count (and its losses) is withheld here
    too, so nothing suppressed is ever printed or answered.
    """
    row = dict(values)
    row["suppressed"] = bool(row.get("suppressed"))
    if not row["suppressed"]:
        return row
    counts = [column for column in COUNT_COLUMNS[table] if column in row]
    if all(row.get(column) is not None for column in counts):
        for column in counts:
            row[column] = None
    for column in LOSS_COLUMNS.get(table, ()):
        if column in row:
            row[column] = None
    return row


@dataclass(frozen=True, slots=True)
class CommunityReportsData:
    """The family's public tables of one assessment and what its manifest says of them."""

    summary: list[dict[str, Any]]
    monthly: list[dict[str, Any]]
    strands: list[dict[str, Any]]
    wards: list[dict[str, Any]]
    business: list[dict[str, Any]]
    minimum: int
    absent_reason: str | None = None
    """Why the family was not assessed (``None`` when it was)."""
    first_month: str | None = None
    last_month: str | None = None
    period: str = ""
    previous_period: str = ""
    police_reason: str | None = None
    """Why police-recorded hate crime is not beside the strands (``None`` when it is)."""
    sources: list[str] = field(default_factory=list)


def _record(manifest: Mapping[str, Any]) -> dict[str, Any]:
    families = manifest.get("families")
    found = families.get(FAMILY) if isinstance(families, Mapping) else None
    return dict(found) if isinstance(found, Mapping) else {}


def _sentence(text: Any) -> str:
    return str(text).strip().rstrip(".")


def absent_reason(manifest: Mapping[str, Any], *, has_rows: bool) -> str | None:
    """Why the family was not assessed, from the manifest (``None`` when it was)."""
    record = _record(manifest)
    skipped = manifest.get("skipped")
    skipped_reason = skipped.get(FAMILY) if isinstance(skipped, Mapping) else None
    stated = record.get("reason") or record.get("not_assessed") or skipped_reason
    if record.get("assessed") is False or record.get("status") == "not assessed" or not has_rows:
        return _sentence(stated) if stated else NOT_LOADED
    return None


def _minimum(record: Mapping[str, Any]) -> int:
    for key in ("threshold", "minimum_public_count"):
        value = record.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 1:
            return int(value)
    minimum: int = core_gateway.community_reports_config().minimum_public_count
    return minimum


def _months(record: Mapping[str, Any], monthly: list[dict[str, Any]]) -> tuple[str | None, ...]:
    covered = record.get("months_covered")
    if isinstance(covered, Mapping):
        listed = sorted(
            str(month)[:7]
            for months in covered.values()
            if isinstance(months, list)
            for month in months
        )
        if listed:
            return listed[0], listed[-1]
    months = record.get("months")
    if isinstance(months, Mapping) and months.get("first") and months.get("last"):
        return str(months["first"]), str(months["last"])
    if isinstance(months, list) and months:
        ordered = sorted(str(month) for month in months)
        return ordered[0], ordered[-1]
    seen = sorted({str(row.get("month"))[:7] for row in monthly if row.get("month")})
    return (seen[0], seen[-1]) if seen else (None, None)


def _sources(record: Mapping[str, Any]) -> list[str]:
    found = []
    for source in record.get("sources") or record.get("source_files") or []:
        if isinstance(source, Mapping):
            name = source.get("path") or source.get("file") or source.get("name")
            if name:
                found.append(str(name).rsplit("/", 1)[-1])
        elif source:
            found.append(str(source).rsplit("/", 1)[-1])
    return found


def _police_reason(record: Mapping[str, Any], strands: list[dict[str, Any]]) -> str | None:
    compared = [row for row in strands if row.get("police_crime_group")]
    if compared and all(row.get("police_recorded") is None for row in compared):
        noted = (
            str(row["police_recorded_note"]) for row in compared if row.get("police_recorded_note")
        )
        stated = record.get("police_recorded_reason") or next(noted, None)
        return _sentence(stated) if stated else NO_POLICE_EXTRACT
    return None


def community_reports_data(assessment: PublishedAssessment) -> CommunityReportsData:
    """The assessment's community-report tables (one query, cached), or why it has none."""

    def build() -> CommunityReportsData:
        found: dict[str, list[dict[str, Any]]] = {table.value: [] for table in Table}
        for name, values in (
            PublishedRow.objects.filter(
                table__assessment=assessment, table__name__in=[table.value for table in Table]
            )
            .order_by("table__name", "position")
            .values_list("table__name", "values")
        ):
            row = public_values(Table(name), values)
            if name == Table.MONTHLY and row.get("month"):
                row["month"] = str(row["month"])[:7]
            found[name].append(row)
        manifest = queries.manifest(assessment)
        record = _record(manifest)
        has_rows = any(found.values())
        first, last = _months(record, found[Table.MONTHLY])
        return CommunityReportsData(
            summary=found[Table.SUMMARY],
            monthly=found[Table.MONTHLY],
            strands=found[Table.STRAND],
            wards=found[Table.WARD],
            business=found[Table.BUSINESS],
            minimum=_minimum(record),
            absent_reason=absent_reason(manifest, has_rows=has_rows),
            first_month=first,
            last_month=last,
            period=str(record.get("period") or assessment.period),
            previous_period=str(record.get("previous_period") or assessment.baseline or ""),
            police_reason=_police_reason(record, found[Table.STRAND]),
            sources=_sources(record),
        )

    return queries.cached(assessment, "community-reports", build)


# How the pages write the family's figures.


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def count_text(value: Any) -> str:
    """A count as printed (``1,234``)."""
    number = _number(value)
    return "" if number is None else f"{round(number):,}"


def pounds_text(value: Any) -> str:
    """Pounds as printed (``£4,318.50``)."""
    number = _number(value)
    return "" if number is None else f"£{number:,.2f}"


def month_text(month: str | None) -> str:
    """``2024-04`` as ``April 2024`` (the text itself if it is not a month)."""
    if not month:
        return ""
    try:
        first = date.fromisoformat(f"{month[:7]}-01")
    except ValueError:
        return str(month)
    return f"{first:%B %Y}"


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure as a table prints it: the number, "Suppressed", or why there is none."""

    text: str
    suppressed: bool = False


def count_cell(row: Mapping[str, Any], column: str, *, absent: str = "Not available") -> Cell:
    """A count cell: the number, "Suppressed" when withheld, else ``absent``."""
    value = row.get(column)
    if _number(value) is not None:
        return Cell(count_text(value))
    if row.get("suppressed"):
        return Cell(SUPPRESSED, suppressed=True)
    return Cell(absent)


def pounds_cell(row: Mapping[str, Any], column: str = "losses_pounds") -> Cell:
    """A losses cell: pounds, "Suppressed" when withheld, else "None recorded"."""
    value = row.get(column)
    if _number(value) is not None:
        return Cell(pounds_text(value))
    if row.get("suppressed"):
        return Cell(SUPPRESSED, suppressed=True)
    return Cell("None recorded")


def change_text(now: Any, before: Any) -> str:
    """The difference of two counts with its sign (``+7``, ``−3``, ``No change``), or ``""``
    when either is withheld."""
    first, second = _number(before), _number(now)
    if first is None or second is None:
        return ""
    difference = round(second) - round(first)
    if difference == 0:
        return "No change"
    return f"+{difference:,}" if difference > 0 else f"{MINUS}{abs(difference):,}"


def _kind_order() -> dict[str, int]:
    config = core_gateway.community_reports_config()
    return {kind.id: position for position, kind in enumerate(config.kinds)}


def kind_labels(data: CommunityReportsData) -> dict[str, str]:
    """Each kind's label: from the summary rows, else the configuration, in the config's order."""
    config = core_gateway.community_reports_config()
    labels = {kind.id: kind.label for kind in config.kinds}
    for row in (*data.summary, *data.monthly, *data.wards):
        if row.get("kind") and row.get("kind_label"):
            labels[str(row["kind"])] = str(row["kind_label"])
    seen = {str(row.get("kind")) for table in (data.summary, data.monthly, data.wards)
            for row in table if row.get("kind")}  # fmt: skip
    order = _kind_order()
    return {
        kind: labels.get(kind, kind.replace("_", " ").capitalize())
        for kind in sorted(seen, key=lambda kind: (order.get(kind, len(order)), kind))
    }


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """One kind and channel: reports this period and the previous one, and losses."""

    kind: str
    kind_label: str
    channel: str
    channel_label: str
    reports: Cell
    previous: Cell
    change: str
    losses: Cell | None
    tested: str = ""
    """The change's test in words (``Significant increase``), or why none was made."""
    tag: str = ""


@dataclass(frozen=True, slots=True)
class KindSummary:
    """A kind's channels, with its total when none of its counts is withheld."""

    kind: str
    label: str
    lines: list[SummaryLine]
    total: Cell | None
    total_previous: Cell | None
    total_change: str
    total_tested: str = ""
    total_tag: str = ""


TOTAL_CHANNELS = frozenset({"", "all", "total"})
"""Channels of a row that is a kind's total over every channel (when the family writes one)."""


def tested_change(row: Mapping[str, Any]) -> tuple[str, str]:
    """The family's test of the change (``change_significant``, ``change_pct``) in words with
    its tag class, why it was not made, or ``("", "")`` when the row carries no test."""
    if row.get("change_not_made"):
        return f"Not tested: {_sentence(row['change_not_made'])}", visual.comparison_class(
            visual.NOT_COMPARED
        )
    significant = row.get("change_significant")
    percent = _number(row.get("change_pct"))
    if significant is None or percent is None:
        return "", ""
    if not significant:
        return "No significant change", visual.change_class("not-significant")
    direction = "increase" if percent > 0 else "decrease"
    return f"Significant {direction} ({percent:+.1f}%)", visual.change_class(direction)


def _summary_line(row: Mapping[str, Any], *, label: str) -> SummaryLine:
    kind = str(row.get("kind") or "")
    tested, tag = tested_change(row)
    business = kind == "business" or _number(row.get("losses_pounds")) is not None
    return SummaryLine(
        kind=kind,
        kind_label=label,
        channel=str(row.get("channel") or ""),
        channel_label=str(row.get("channel_label") or row.get("channel") or ""),
        reports=count_cell(row, "reports"),
        previous=count_cell(row, "reports_previous"),
        change=change_text(row.get("reports"), row.get("reports_previous")),
        losses=pounds_cell(row) if business else None,
        tested=tested,
        tag=tag,
    )


def _kind_summary(kind: str, label: str, rows: list[dict[str, Any]]) -> KindSummary:
    by_channel = [row for row in rows if str(row.get("channel") or "") not in TOTAL_CHANNELS]
    given = next((row for row in rows if str(row.get("channel") or "") in TOTAL_CHANNELS), None)
    lines = [_summary_line(row, label=label) for row in by_channel]
    if given is not None:
        tested, tag = tested_change(given)
        return KindSummary(
            total_tested=tested,
            total_tag=tag,
            kind=kind,
            label=label,
            lines=lines,
            total=count_cell(given, "reports"),
            total_previous=count_cell(given, "reports_previous"),
            total_change=change_text(given.get("reports"), given.get("reports_previous")),
        )
    if len(by_channel) < 2 or any(row["suppressed"] for row in by_channel):
        return KindSummary(kind, label, lines, None, None, "")
    total = sum(_number(row.get("reports")) or 0 for row in by_channel)
    previous = sum(_number(row.get("reports_previous")) or 0 for row in by_channel)
    return KindSummary(
        kind=kind,
        label=label,
        lines=lines,
        total=Cell(count_text(total)),
        total_previous=Cell(count_text(previous)),
        total_change=change_text(total, previous),
    )


def summary_lines(data: CommunityReportsData) -> list[KindSummary]:
    """The summary by kind and channel, kinds in the configuration's order, each with its
    total: the family's own total row when it writes one (channel ``all``), else the sum of
    its channels when none of them is withheld (a total beside a withheld part would reveal
    it), else none."""
    labels = kind_labels(data)
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in labels}
    for row in data.summary:
        by_kind.setdefault(str(row.get("kind") or ""), []).append(row)
    return [
        _kind_summary(kind, labels.get(kind, kind), rows) for kind, rows in by_kind.items() if rows
    ]


@dataclass(frozen=True, slots=True)
class StrandLine:
    """A hate-crime strand: community reports beside police-recorded hate crime."""

    strand: str
    label: str
    community: Cell
    police: Cell
    police_group: str


def strand_lines(data: CommunityReportsData) -> list[StrandLine]:
    """Community reports of hate by strand beside police-recorded hate crime of that strand."""
    lines = []
    for row in data.strands:
        group = str(row.get("police_crime_group") or "")
        note = str(row.get("police_recorded_note") or "").strip().rstrip(".")
        if _number(row.get("police_recorded")) is not None:
            police = Cell(count_text(row.get("police_recorded")))
        elif note:
            police = Cell(f"Not available: {note}")
        elif not group:
            police = Cell("No police flag for this strand")
        elif row.get("suppressed") and data.police_reason is None:
            police = Cell(SUPPRESSED, suppressed=True)
        else:
            police = Cell("Not available")
        lines.append(
            StrandLine(
                strand=str(row.get("strand") or ""),
                label=str(row.get("strand_label") or row.get("strand") or ""),
                community=count_cell(row, "community_reports"),
                police=police,
                police_group=group,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class WardLine:
    """A ward's reports of each kind (in the order of ``kinds``)."""

    code: str
    name: str
    cells: list[Cell]

    @property
    def is_ward(self) -> bool:
        """Whether the line is a ward (not the reports without a place)."""
        return bool(self.code)


def ward_lines(data: CommunityReportsData) -> tuple[list[str], list[WardLine]]:
    """The kinds' labels and each ward's reports by kind, wards by name.

    A ward listed without a row for a kind had no report of that kind (0): the family lists a
    ward for every kind it had reports of, suppressed or not.
    """
    labels = kind_labels(data)
    kinds = [kind for kind in labels if any(row.get("kind") == kind for row in data.wards)]
    by_ward: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for row in data.wards:
        code = str(row.get("ward_code") or "")
        names[code] = str(row.get("ward_name") or code)
        by_ward.setdefault(code, {})[str(row.get("kind"))] = row
    lines = [
        WardLine(
            code=code,
            name=names[code],
            cells=[
                count_cell(by_ward[code][kind], "reports") if kind in by_ward[code] else Cell("0")
                for kind in kinds
            ],
        )
        for code in sorted(by_ward, key=lambda code: (not code, names[code], code))
    ]
    return [labels[kind] for kind in kinds], lines


@dataclass(frozen=True, slots=True)
class BusinessLine:
    """A category of business crime: reports and losses."""

    category: str
    label: str
    reports: Cell
    losses: Cell


def business_lines(data: CommunityReportsData) -> list[BusinessLine]:
    """Business crime by category, with the losses businesses recorded."""
    return [
        BusinessLine(
            category=str(row.get("category") or ""),
            label=str(row.get("category_label") or row.get("category") or ""),
            reports=count_cell(row, "reports"),
            losses=pounds_cell(row),
        )
        for row in data.business
    ]


@dataclass(frozen=True, slots=True)
class CommunityReportsPage:
    """What the overview page shows."""

    data: CommunityReportsData
    kinds: list[KindSummary] = field(default_factory=list)
    strands: list[StrandLine] = field(default_factory=list)
    ward_kinds: list[str] = field(default_factory=list)
    wards: list[WardLine] = field(default_factory=list)
    business: list[BusinessLine] = field(default_factory=list)
    suppression: str = ""
    first_month: str = ""
    last_month: str = ""

    def has_suppressed(self, cells: list[Cell]) -> bool:
        """Whether any of ``cells`` is withheld."""
        return any(cell.suppressed for cell in cells)

    @property
    def changes_tested(self) -> bool:
        """Whether the family tested the changes between the periods."""
        return any(
            line.tested or kind.total_tested for kind in self.kinds for line in kind.lines
        ) or any(kind.total_tested for kind in self.kinds)

    @property
    def summary_suppressed(self) -> bool:
        """Whether the summary withholds a count."""
        return any(row["suppressed"] for row in self.data.summary)

    @property
    def strands_suppressed(self) -> bool:
        """Whether the strand table withholds a count."""
        return any(line.community.suppressed or line.police.suppressed for line in self.strands)

    @property
    def wards_suppressed(self) -> bool:
        """Whether the ward table withholds a count."""
        return any(cell.suppressed for line in self.wards for cell in line.cells)

    @property
    def business_suppressed(self) -> bool:
        """Whether the business table withholds a count."""
        return any(line.reports.suppressed or line.losses.suppressed for line in self.business)


def overview_page(data: CommunityReportsData) -> CommunityReportsPage:
    """The overview: summary by kind and channel, strands, wards and business crime."""
    if data.absent_reason is not None:
        return CommunityReportsPage(data=data)
    ward_kinds, wards = ward_lines(data)
    return CommunityReportsPage(
        data=data,
        kinds=summary_lines(data),
        strands=strand_lines(data),
        ward_kinds=ward_kinds,
        wards=wards,
        business=business_lines(data),
        suppression=suppression_reason(data.minimum),
        first_month=month_text(data.first_month),
        last_month=month_text(data.last_month),
    )


def _chart_values(
    data: CommunityReportsData, labels: dict[str, str]
) -> tuple[list[dict[str, Any]], list[str], dict[str, dict[str, str]]]:
    values = []
    table: dict[str, dict[str, str]] = {}
    for row in data.monthly:
        month, kind = str(row.get("month") or ""), str(row.get("kind") or "")
        count = _number(row.get("reports"))
        shown = count_cell(row, "reports").text
        values.append(
            {
                "month": month,
                "series": labels.get(kind, kind),
                "count": None if count is None else round(count),
                "shown": shown.lower() if count is None else shown,
            }
        )
        table.setdefault(month, {})[kind] = shown
    months = sorted(table)
    return values, months, table


def monthly_chart(assessment: PublishedAssessment, data: CommunityReportsData) -> PageChart | str:
    """Monthly reports by kind as small multiples with their data table (cached), or why
    there is none."""

    def build() -> PageChart | str:
        if data.absent_reason is not None:
            return f"No chart: community reports were not assessed ({data.absent_reason})."
        if not data.monthly:
            return "No chart: the assessment has no monthly counts of community reports."
        labels = kind_labels(data)
        kinds = [kind for kind in labels if any(row.get("kind") == kind for row in data.monthly)]
        values, months, table = _chart_values(data, labels)
        withheld = sum(1 for value in values if value["count"] is None)
        title = f"Community reports by month received, {month_text(months[0])} to " + month_text(
            months[-1]
        )
        alt_text = (
            f"Bar charts, one per kind of report ({', '.join(labels[kind] for kind in kinds)}), "
            f"of the community reports received each month in {assessment.area_name} from "
            f"{month_text(months[0])} to {month_text(months[-1])}."
            + (
                f" {withheld} monthly count(s) are suppressed and marked with a cross on the "
                "axis, not drawn as zero."
                if withheld
                else ""
            )
            + " The table below gives every month's counts."
        )
        spec = chart_specs.monthly_counts_spec(
            values=values,
            series_order=[labels[kind] for kind in kinds],
            title=title,
            description=alt_text,
            count_title="Reports",
        )
        return PageChart(
            chart_id="community-reports-monthly",
            title=title,
            alt_text=alt_text,
            spec=spec,
            headings=["Month", *(labels[kind] for kind in kinds)],
            rows=[
                [month_text(month), *(table[month].get(kind, "0") for kind in kinds)]
                for month in months
            ],
            note="A cross on the axis marks a month whose count is suppressed. Counts are of "
            "reports received by the partnership, not of incidents: a change can reflect how "
            "many people know where to report as much as how much happened.",
            table_caption=f"Data for the chart: {title}",
        )

    return queries.cached(assessment, "community-reports-monthly-chart", build)
