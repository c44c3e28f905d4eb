"""Published demo data for the API tests: the demo artefact built once, published per module.

``demo_artefact`` builds the demo city's Assessment artefact with the core once per session
(``web_server.build_demo_assessment``). ``api_artefact`` is a copy whose manifest leaves out
the three public grid tables (``hotspots_grid``, ``hotspot_classes``, ``kde_grid``: some
150,000 rows the API never serves and that take most of a load's time); every table the API
serves is the demo's own. ``published_demo`` loads it through the observatory's publishing
code three times (an assessment published and then superseded, the current
published one, and a draft) and adds, in the draft only, an area and an indicator that nothing
public mentions. The rows are committed for the module's tests and deleted afterwards, with the
audit events publishing wrote, so other test modules see an empty read model.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from web_server import build_demo_assessment

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


@pytest.fixture(scope="session")
def demo_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city's Assessment artefact, built by the core once per test session."""
    return build_demo_assessment(tmp_path_factory.mktemp("api-demo"))


@pytest.fixture(scope="session")
def api_artefact(demo_artefact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo artefact without the grid tables the API does not serve."""
    copy = tmp_path_factory.mktemp("api-artefact") / "assessment"
    shutil.copytree(demo_artefact, copy)
    manifest_path = copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name in GRID_TABLES:
        manifest["public_tables"].pop(name, None)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def published_demo(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, api_artefact: Path
) -> Iterator[PublishedDemo]:
    """The demo artefact published twice (the first superseded) and loaded once as a draft."""
    from safecity_web.accounts.models import AuditEvent
    from safecity_web.observatory.models import (
        Area,
        AreaLevel,
        Indicator,
        IndicatorValue,
        PublishedAssessment,
    )
    from safecity_web.observatory.publishing import load_draft, publish

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        superseded = publish(load_draft(directory=api_artefact), user=None)
        current = publish(load_draft(directory=api_artefact), user=None)
        draft = load_draft(directory=api_artefact)
        area = Area.objects.create(
            gss_code=DRAFT_ONLY_AREA, vintage="2020", level=AreaLevel.WARD, name="Draftville"
        )
        indicator = Indicator.objects.create(
            indicator_id=DRAFT_ONLY_INDICATOR, name="Only in a draft"
        )
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
        try:
            yield PublishedDemo(
                superseded_id=superseded.pk,
                current_id=current.pk,
                draft_id=draft.pk,
                area_code=current.area_code,
                period=current.period,
                indicators=pd.read_parquet(api_artefact / "public" / "indicators.parquet"),
                findings=pd.read_parquet(api_artefact / "public" / "findings.parquet"),
            )
        finally:
            PublishedAssessment.objects.all().delete()
            Area.objects.all().delete()
            Indicator.objects.all().delete()
            AuditEvent.objects.filter(pk__gt=last_event).delete()
