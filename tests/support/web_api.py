"""Published demo data for the API tests (``tests/web/api``).

``api_copy`` copies an Assessment artefact leaving out of its manifest the three public grid
tables (``hotspots_grid``, ``hotspot_classes``, ``kde_grid``: some 150,000 rows the API never
serves, which take most of a load's time); every table the API serves is the artefact's own.

``publish_demo`` loads an artefact through the observatory's publishing code three times (an
assessment published and then superseded, the current published one, and a draft) and adds,
in the draft only, an area and an indicator that nothing public mentions. ``remove_published``
deletes the read model and the audit events publishing wrote.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditEvent
from safecity_web.observatory.models import (
    Area,
    AreaLevel,
    Indicator,
    IndicatorValue,
    PublishedAssessment,
)
from safecity_web.observatory.publishing import load_draft, publish

DRAFT_ONLY_AREA = "E05999998"
DRAFT_ONLY_INDICATOR = "draft_only_indicator"
GRID_TABLES = ("hotspots_grid", "hotspot_classes", "kde_grid")


@dataclass(frozen=True)
class PublishedDemo:
    """Ids of the demo assessments in the read model, and the artefact's public tables."""

    superseded_id: int
    current_id: int
    draft_id: int
    area_code: str
    period: str
    indicators: pd.DataFrame
    findings: pd.DataFrame


def api_copy(artefact: Path, folder: Path) -> Path:
    """A copy of ``artefact`` in ``folder`` without the grid tables the API does not serve."""
    copy = folder / "assessment"
    shutil.copytree(artefact, copy)
    manifest_path = copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name in GRID_TABLES:
        manifest["public_tables"].pop(name, None)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return copy


def publish_demo(artefact: Path) -> PublishedDemo:
    """Publish ``artefact`` twice (the first is superseded) and load it once more as a draft."""
    superseded = publish(load_draft(directory=artefact), user=None)
    current = publish(load_draft(directory=artefact), user=None)
    draft = load_draft(directory=artefact)
    area = Area.objects.create(
        gss_code=DRAFT_ONLY_AREA, vintage="2020", level=AreaLevel.WARD, name="Draftville"
    )
    indicator = Indicator.objects.create(indicator_id=DRAFT_ONLY_INDICATOR, name="Only in a draft")
    IndicatorValue.objects.create(
        assessment=draft,
        indicator=indicator,
        area=area,
        row_id=f"{DRAFT_ONLY_INDICATOR}:{DRAFT_ONLY_AREA}:2024/25",
        indicator_name="Only in a draft",
        area_code=DRAFT_ONLY_AREA,
        area_name="Draftville",
        area_level=AreaLevel.WARD,
        period="2024/25",
        numerator=12.0,
        value=1.5,
    )
    return PublishedDemo(
        superseded_id=superseded.pk,
        current_id=current.pk,
        draft_id=draft.pk,
        area_code=current.area_code,
        period=current.period,
        indicators=pd.read_parquet(artefact / "public" / "indicators.parquet")[
            core_gateway.indicator_columns()
        ],
        findings=pd.read_parquet(artefact / "public" / "findings.parquet"),
    )


def remove_published(*, audit_events_after: int) -> None:
    """Delete every assessment, area and indicator, and the audit events after the given id."""
    PublishedAssessment.objects.all().delete()
    Area.objects.all().delete()
    Indicator.objects.all().delete()
    AuditEvent.objects.filter(pk__gt=audit_events_after).delete()
