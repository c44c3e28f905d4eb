"""Loading an Assessment artefact into the read model as a draft, and publishing it.

:func:`load_draft` reads the artefact's PUBLIC tables through the core gateway and writes them
in one transaction: an artefact that cannot be read, or fails half-way, leaves nothing behind.
:func:`publish` marks a draft published and the previously published assessment of the same
area superseded, atomically, and writes the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from safecity_web import core_gateway
from safecity_web.accounts.audit import record_event
from safecity_web.accounts.models import AuditAction, User
from safecity_web.observatory.indicator_metadata import indicator_catalogue
from safecity_web.observatory.models import (
    Area,
    AreaLevel,
    AssessmentStatus,
    Finding,
    Indicator,
    IndicatorValue,
    PublishedAssessment,
    PublishedRow,
    PublishedTable,
)

BATCH_SIZE = 4000
GROUP_KEY_COLUMNS = ("group_id", "indicator_id")
AREA_CODE_COLUMNS = ("area_code", "lsoa_code", "csp_code")
LSOA_WARD_TABLE = "hotspots_lsoa"
FLOAT_COLUMNS = (
    "numerator",
    "denominator",
    "exposure",
    "change_numerator",
    "change_baseline_numerator",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence",
    "baseline_numerator",
    "baseline_denominator",
    "baseline_value",
    "change_pct",
    "change_ratio",
    "change_p_value",
    "benchmark_value",
)
INTEGER_COLUMNS = (
    "multiplier",
    "rank",
    "rank_of",
    "months_in_period",
    "months_with_data",
    "baseline_months_with_data",
    "change_months",
    "change_baseline_months",
)
TEXT_COLUMNS = (
    "row_id",
    "data_months",
    "change_basis",
    "change_not_made",
    "indicator_name",
    "area_code",
    "area_name",
    "area_level",
    "period",
    "source",
    "denominator_type",
    "method",
    "baseline_period",
    "change_test",
    "benchmark_code",
    "benchmark_label",
    "benchmark_method",
    "caveat",
)


class PublishingError(ValueError):
    """An assessment that cannot be loaded or published; the message says why."""


ArtefactUnreadableError = core_gateway.ArtefactUnreadableError


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _integer(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _vintages(artefact: core_gateway.PublicArtefact) -> dict[tuple[str, str], str]:
    """Boundary vintage of each (area code, level): from the boundaries, else the manifest."""
    found: dict[tuple[str, str], str] = {}
    for feature in (artefact.boundaries or {}).get("features", []):
        properties = feature.get("properties") or {}
        code, level = properties.get("area_code"), properties.get("area_level")
        if code and level and properties.get("area_vintage") is not None:
            found[(str(code), str(level))] = str(properties["area_vintage"])
    return found


def _lsoa_wards(artefact: core_gateway.PublicArtefact) -> dict[str, str]:
    table = artefact.tables.get(LSOA_WARD_TABLE)
    if table is None or "ward_code" not in table.columns:
        return {}
    return {
        str(row["lsoa_code"]): str(row["ward_code"])
        for row in table.rows
        if row.get("lsoa_code") and row.get("ward_code")
    }


def _ensure_areas(artefact: core_gateway.PublicArtefact) -> dict[str, Area]:
    """Create or update the areas of the artefact's rows; return them by GSS code."""
    manifest_vintages: dict[str, Any] = artefact.manifest.get("vintages") or {}
    boundary_vintages = _vintages(artefact)
    wanted: dict[str, tuple[str, str, str]] = {}
    for row in artefact.indicators:
        code, level = str(row["area_code"]), str(row["area_level"])
        vintage = boundary_vintages.get((code, level), _text(manifest_vintages.get(level)))
        wanted[code] = (level, _text(row["area_name"]), vintage)
    wanted.setdefault(
        artefact.area_code,
        (
            artefact.area_level,
            artefact.area_name,
            _text(manifest_vintages.get(artefact.area_level)),
        ),
    )
    existing = {
        (area.gss_code, area.vintage): area
        for area in Area.objects.filter(gss_code__in=list(wanted))
    }
    areas: dict[str, Area] = {}
    changed: list[Area] = []
    new: list[Area] = []
    for code, (level, name, vintage) in wanted.items():
        area = existing.get((code, vintage))
        if area is None:
            area = Area(gss_code=code, vintage=vintage, level=level, name=name)
            new.append(area)
        elif area.name != name or area.level != level:
            area.name, area.level = name, level
            changed.append(area)
        areas[code] = area
    Area.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Area.objects.bulk_update(changed, ["name", "level"], batch_size=BATCH_SIZE)
    lsoa_wards = _lsoa_wards(artefact)
    csp = areas[artefact.area_code]
    with_parent: list[Area] = []
    for code, area in areas.items():
        parent: Area | None = None
        if area.level == AreaLevel.WARD:
            parent = csp
        elif area.level == AreaLevel.LSOA:
            parent = areas.get(lsoa_wards.get(code, ""), csp)
        if parent is not None and area.parent_id != parent.pk:
            area.parent = parent
            with_parent.append(area)
    Area.objects.bulk_update(with_parent, ["parent"], batch_size=BATCH_SIZE)
    return areas


def _method_text(rows: list[dict[str, Any]], *, area_name: str) -> str:
    """How the indicator's values are computed, in readers' words (the observatory's methods
    page has each method in full)."""
    first = rows[0]
    multiplier = _integer(first.get("multiplier")) or 1000
    confidence = _float(first.get("confidence")) or 0.95
    denominator = _text(first.get("denominator_type")) or "residents"
    sentences = [
        f"A rate per {multiplier:,} {denominator} (the count divided by the number of "
        f"{denominator}, times {multiplier:,}), with its {confidence:.0%} confidence interval.",
    ]
    if any(_text(row.get("change_test")) for row in rows):
        sentences.append(
            "Change against the baseline period is tested with an exact test comparing the "
            "two rates."
        )
    if any(_text(row.get("benchmark_method")) for row in rows):
        sentences.append(
            f"Wards and neighbourhoods are compared with {area_name}: an area is higher or "
            f"lower when its {confidence:.0%} confidence interval lies wholly above or below "
            f"the {area_name} rate, and similar otherwise."
        )
    return " ".join(sentences)


def _ensure_indicators(artefact: core_gateway.PublicArtefact) -> dict[str, Indicator]:
    """Create or update every indicator of the artefact with the shipped metadata."""
    catalogue = indicator_catalogue()
    order = {key: position for position, key in enumerate(catalogue.indicators)}
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for row in artefact.indicators:
        by_indicator.setdefault(str(row["indicator_id"]), []).append(row)
    indicators: dict[str, Indicator] = {}
    for indicator_id, rows in by_indicator.items():
        area_rows = [row for row in rows if row["area_code"] == artefact.area_code] or rows
        first = area_rows[0]
        metadata = catalogue.get(indicator_id)
        headline = indicator_id in catalogue.headline
        caveats = " ".join(text for text in (metadata.caveats, catalogue.common_caveats) if text)
        indicator, _ = Indicator.objects.update_or_create(
            indicator_id=indicator_id,
            defaults={
                "name": _text(first["indicator_name"]) or indicator_id,
                "definition": metadata.definition,
                "polarity": metadata.polarity,
                "method": _method_text(rows, area_name=artefact.area_name),
                "unit": metadata.unit,
                "denominator_type": _text(first["denominator_type"]),
                "multiplier": _integer(first["multiplier"]) or 1000,
                "source": _text(first["source"]),
                "caveats": caveats,
                "headline": headline,
                "display_order": (
                    catalogue.headline.index(indicator_id)
                    if headline
                    else 100 + order.get(indicator_id, 900)
                ),
            },
        )
        indicators[indicator_id] = indicator
    return indicators


def _indicator_value(
    row: dict[str, Any],
    *,
    assessment: PublishedAssessment,
    indicators: dict[str, Indicator],
    areas: dict[str, Area],
) -> IndicatorValue:
    fields: dict[str, Any] = {column: _text(row.get(column)) for column in TEXT_COLUMNS}
    fields.update({column: _float(row.get(column)) for column in FLOAT_COLUMNS})
    fields.update({column: _integer(row.get(column)) for column in INTEGER_COLUMNS})
    return IndicatorValue(
        assessment=assessment,
        indicator=indicators[str(row["indicator_id"])],
        area=areas[str(row["area_code"])],
        change_significant=_flag(row.get("change_significant")),
        suppressed=bool(row.get("suppressed")),
        unreliable=_flag(row.get("unreliable")),
        **fields,
    )


def _row_ids(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [item for item in str(value).split(";") if item]


def _first_of(row: dict[str, Any], columns: Iterable[str]) -> str:
    for column in columns:
        if row.get(column) is not None:
            return str(row[column])[:100]
    return ""


def _copy_rows(stored: PublishedTable, rows: list[dict[str, Any]]) -> None:
    """Write a table's rows with PostgreSQL's COPY (several times faster than INSERT)."""
    table = PublishedRow._meta.db_table
    statement = (
        f'COPY "{table}" ("table_id", "position", "group_key", "area_code", "values") FROM STDIN'
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for position, row in enumerate(rows):
            copy.write_row(
                (
                    stored.pk,
                    position,
                    _first_of(row, GROUP_KEY_COLUMNS),
                    _first_of(row, AREA_CODE_COLUMNS)[:9],
                    json.dumps(row, ensure_ascii=False),
                )
            )


def _load_tables(artefact: core_gateway.PublicArtefact, *, assessment: PublishedAssessment) -> None:
    for name, table in sorted(artefact.tables.items()):
        stored = PublishedTable.objects.create(
            assessment=assessment, name=name, columns=table.columns, row_count=len(table.rows)
        )
        if connection.vendor == "postgresql":
            _copy_rows(stored, table.rows)
            continue
        PublishedRow.objects.bulk_create(
            (
                PublishedRow(
                    table=stored,
                    position=position,
                    group_key=_first_of(row, GROUP_KEY_COLUMNS),
                    area_code=_first_of(row, AREA_CODE_COLUMNS)[:9],
                    values=row,
                )
                for position, row in enumerate(table.rows)
            ),
            batch_size=BATCH_SIZE,
        )


def load_draft(*, directory: Path) -> PublishedAssessment:
    """Load the PUBLIC tables of the artefact in ``directory`` as a draft assessment.

    Everything is written in one transaction; on any error nothing is left behind.

    Raises
    ------
    PublishingError
        When the artefact cannot be read (the message names the file and what is wrong).
    """
    try:
        artefact = core_gateway.read_public_artefact(directory=Path(directory))
    except core_gateway.ArtefactUnreadableError as error:
        raise PublishingError(f"cannot publish: {error}") from error
    if not artefact.indicators:
        raise PublishingError(f"cannot publish {directory}: the public indicators table is empty")
    created = parse_datetime(str(artefact.manifest.get("created_at") or ""))
    with transaction.atomic():
        assessment = PublishedAssessment.objects.create(
            area_code=artefact.area_code,
            area_name=artefact.area_name,
            area_level=artefact.area_level,
            period=artefact.period,
            baseline=artefact.baseline,
            status=AssessmentStatus.DRAFT,
            artefact_created_at=created,
            manifest=artefact.manifest,
            boundaries=artefact.boundaries,
            source_directory=str(Path(directory).resolve()),
        )
        areas = _ensure_areas(artefact)
        indicators = _ensure_indicators(artefact)
        IndicatorValue.objects.bulk_create(
            (
                _indicator_value(row, assessment=assessment, indicators=indicators, areas=areas)
                for row in artefact.indicators
            ),
            batch_size=BATCH_SIZE,
        )
        Finding.objects.bulk_create(
            Finding(
                assessment=assessment,
                finding_id=_text(row.get("finding_id")),
                topic=_text(row.get("topic")),
                sentence=_text(row.get("sentence")),
                significant=_flag(row.get("significant")),
                row_ids=_row_ids(row.get("row_ids")),
                methods=core_gateway.method_ids(row.get("methods")),
                position=position,
            )
            for position, row in enumerate(artefact.findings)
        )
        _load_tables(artefact, assessment=assessment)
    return assessment


def publish(
    assessment: PublishedAssessment,
    *,
    user: User | None,
    request: HttpRequest | None = None,
) -> PublishedAssessment:
    """Publish a draft: it becomes the public assessment of its area, atomically.

    The previously published assessment of the same area is marked superseded (it stays
    browsable in the archive). The audit log records who published what.

    Raises
    ------
    PublishingError
        When the assessment is not a draft.
    """
    with transaction.atomic():
        locked = PublishedAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != AssessmentStatus.DRAFT:
            raise PublishingError(
                f"assessment {locked.pk} is {locked.get_status_display().lower()}, not a draft; "
                "only drafts can be published"
            )
        superseded = list(
            PublishedAssessment.objects.select_for_update()
            .filter(area_code=locked.area_code, status=AssessmentStatus.PUBLISHED)
            .values_list("pk", flat=True)
        )
        PublishedAssessment.objects.filter(pk__in=superseded).update(
            status=AssessmentStatus.SUPERSEDED
        )
        locked.status = AssessmentStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = user
        locked.save(update_fields=["status", "published_at", "published_by"])
        replaced = f"; superseded {', '.join(map(str, superseded))}" if superseded else ""
        record_event(
            request=request,
            action=AuditAction.PUBLISHED,
            subject=locked,
            user=user,
            username="" if user else "command line",
            detail=f"published assessment {locked.pk}: {locked.area_name} ({locked.area_code}) "
            f"{locked.period} from {locked.source_directory}{replaced}",
        )
    assessment.refresh_from_db()
    return assessment
