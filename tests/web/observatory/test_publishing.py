"""Publishing an Assessment artefact into the read model: equal to the public tables, atomic,
drafts hidden until published, publishing supersedes, broken artefacts leave nothing behind."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from artefact_files import record_hashes
from django.core.management import call_command
from django.core.management.base import CommandError
from web_observatory import copy_artefact

from safecity.assess.partner_intelligence_tables import public_manifest
from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction, AuditEvent, Role
from safecity_web.observatory import publishing
from safecity_web.observatory.models import (
    Area,
    AreaLevel,
    AssessmentStatus,
    Finding,
    Indicator,
    IndicatorValue,
    Polarity,
    PublishedAssessment,
    PublishedRow,
    PublishedTable,
)
from safecity_web.observatory.publishing import PublishingError, load_draft, publish

LIGHT_TABLES = ("indicators", "findings", "hotspots_lsoa")
"""Tables of the light artefact copies the publishing tests load (fast to load)."""


def missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def same(stored: Any, artefact: Any) -> bool:
    """Whether a stored value equals the artefact's (missing equals missing; floats exactly)."""
    if missing(stored) or missing(artefact):
        return missing(stored) and missing(artefact)
    if isinstance(artefact, bool) or isinstance(stored, bool):
        return bool(stored) == bool(artefact)
    if isinstance(artefact, (int, float)) and not isinstance(artefact, bool):
        if isinstance(stored, str):
            return stored == ("Infinity" if artefact > 0 else "-Infinity") and math.isinf(artefact)
        return float(stored) == float(artefact)
    return str(stored) == str(artefact)


def public_table(artefact: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(artefact / "public" / f"{name}.parquet")


def counts() -> tuple[int, ...]:
    return (
        PublishedAssessment.objects.count(),
        IndicatorValue.objects.count(),
        Finding.objects.count(),
        PublishedTable.objects.count(),
        PublishedRow.objects.count(),
    )


@pytest.fixture
def light_artefact(demo_artefact: Path, tmp_path: Path) -> Path:
    return copy_artefact(demo_artefact, tmp_path / "light", tables=LIGHT_TABLES)


@pytest.mark.django_db
def test_read_model_equals_the_public_indicators_table_row_for_row(
    published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    expected = public_table(demo_artefact, "indicators")
    stored = {row.row_id: row for row in published_demo.indicator_values.all()}
    assert len(stored) == len(expected) == 6012
    columns = core_gateway.indicator_columns()
    assert columns[0] == "row_id"
    assert "change_test" in columns
    assert "suppressed" in columns
    mismatches = []
    for record in expected.to_dict("records"):
        row = stored[record["row_id"]]
        for column in columns:
            if not same(getattr(row, column), record[column]):
                mismatches.append((record["row_id"], column, getattr(row, column), record[column]))
    assert mismatches == []
    suppressed = expected[expected["suppressed"]]
    assert (
        len(suppressed)
        == IndicatorValue.objects.filter(assessment=published_demo, suppressed=True).count()
        > 0
    )
    # withheld figures stay missing (None), never 0; no count under 5 reaches the read model
    withheld = expected[expected["suppressed"] & expected["numerator"].isna()]
    assert (
        len(withheld)
        == IndicatorValue.objects.filter(
            assessment=published_demo, suppressed=True, numerator__isnull=True, value__isnull=True
        ).count()
        > 0
    )
    # protected (force extract) counts under 5 never reach it; police.uk counts are published
    # whole, as data.police.uk publishes every record (methods.md §0.2a)
    assert not IndicatorValue.objects.filter(
        assessment=published_demo, numerator__gt=0, numerator__lt=5, source="extract"
    ).exists()
    assert IndicatorValue.objects.filter(
        assessment=published_demo, numerator__gt=0, numerator__lt=5, source="police_uk"
    ).exists()


@pytest.mark.django_db
def test_findings_and_other_public_tables_equal_the_artefact(
    published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    findings = public_table(demo_artefact, "findings")
    stored = list(published_demo.findings.all())
    assert [finding.finding_id for finding in stored] == list(findings["finding_id"])
    for finding, record in zip(stored, findings.to_dict("records"), strict=True):
        assert finding.sentence == record["sentence"]
        assert finding.topic == record["topic"]
        assert finding.significant == bool(record["significant"])
        assert finding.row_ids == record["row_ids"].split(";")
    manifest = json.loads((demo_artefact / "manifest.json").read_text(encoding="utf-8"))
    tables = {table.name: table for table in published_demo.tables.all()}
    assert set(tables) == set(manifest["public_tables"]) - {"indicators", "findings"}
    assert "monthly_series" not in tables or "monthly_series" in manifest["public_tables"]
    for name, table in tables.items():
        frame = public_table(demo_artefact, name)
        assert table.columns == list(frame.columns), name
        assert table.row_count == len(frame) == table.rows.count(), name
    for name in ("hotspots_lsoa", "deprivation_rates", "deprivation_gaps", "priority_top"):
        frame = public_table(demo_artefact, name)
        rows = list(tables[name].rows.order_by("position").values_list("values", flat=True))
        for values, record in zip(rows, frame.to_dict("records"), strict=True):
            assert all(same(values[column], record[column]) for column in frame.columns), name
    hotspots = tables["hotspots_lsoa"].rows.filter(group_key="all_crime")
    assert hotspots.count() == 150
    lsoa_codes = set(public_table(demo_artefact, "hotspots_lsoa")["lsoa_code"])
    assert len(lsoa_codes) == 150
    assert set(hotspots.values_list("area_code", flat=True)) == lsoa_codes


@pytest.mark.django_db
def test_areas_indicators_and_provenance_are_loaded(
    published_demo: PublishedAssessment, demo_artefact: Path
) -> None:
    manifest = json.loads((demo_artefact / "manifest.json").read_text(encoding="utf-8"))
    # The observatory keeps the manifest public readers see: without the partner-only
    # partner-intelligence family (issue 14), which the demo artefact holds.
    assert "partner_intelligence" in manifest["families"]
    assert published_demo.manifest == public_manifest(manifest)
    assert "partner_intelligence" not in json.dumps(published_demo.manifest)
    assert (published_demo.area_code, published_demo.area_name) == ("E22900001", "Demoton")
    assert (published_demo.period, published_demo.baseline) == ("2024/25", "2023/24")
    assert published_demo.source_directory == str(demo_artefact.resolve())
    boundaries = demo_artefact / "public" / "boundaries.geojson"
    if boundaries.is_file():
        assert published_demo.boundaries == json.loads(boundaries.read_text(encoding="utf-8"))
    else:
        assert published_demo.boundaries is None
    csp = Area.objects.get(gss_code="E22900001")
    wards = Area.objects.filter(level=AreaLevel.WARD, indicator_values__assessment=published_demo)
    assert wards.distinct().count() == manifest["area"]["wards"] == 16
    assert set(wards.values_list("parent", flat=True)) == {csp.pk}
    assert Area.objects.get(gss_code="E05900002").vintage == str(manifest["vintages"]["ward"])
    lookup = public_table(demo_artefact, "hotspots_lsoa")[
        ["lsoa_code", "ward_code"]
    ].drop_duplicates()
    lsoas = {
        area.gss_code: area
        for area in Area.objects.filter(level=AreaLevel.LSOA).select_related("parent")
    }
    assert len(lookup) == manifest["area"]["lsoas"] == 150
    for lsoa_code, ward_code in lookup.itertuples(index=False):
        assert lsoas[lsoa_code].parent.gss_code == ward_code
    all_crime = Indicator.objects.get(indicator_id="all_crime")
    assert all_crime.name == "All police recorded crime (excluding ASB)"
    assert all_crime.polarity == Polarity.LOW_IS_GOOD
    assert all_crime.headline
    assert all_crime.multiplier == 1000
    assert all_crime.denominator_type == "residents"
    assert all_crime.method == (
        "A rate per 1,000 residents (the count divided by the number of residents, times "
        "1,000), with its 95% confidence interval. Change against the baseline period is "
        "tested with an exact test comparing the two rates. Wards and neighbourhoods are "
        "compared with Demoton: an area is higher or lower when its 95% confidence interval "
        "lies wholly above or below the Demoton rate, and similar otherwise."
    )
    assert Indicator.objects.get(indicator_id="drugs").polarity == Polarity.NO_JUDGEMENT
    assert Indicator.objects.get(indicator_id="residential_burglary").denominator_type == (
        "households"
    )


@pytest.mark.django_db
def test_a_draft_is_hidden_until_published_then_supersedes(
    published_demo: PublishedAssessment, light_artefact: Path, client: Any, user_with_role: Any
) -> None:
    draft = load_draft(directory=light_artefact)
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.published_at is None
    assert draft.indicator_values.count() == 6012
    # the public sees only the published assessment; the draft's pages do not exist for them
    assert client.get("/").context["assessment"].pk == published_demo.pk
    assert client.get(f"/assessments/{draft.pk}/").status_code == 404
    assert client.get(f"/assessments/{draft.pk}/indicators/all_crime/data.csv").status_code == 404
    response = client.get(f"/preview/{draft.pk}/")
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]
    client.force_login(user_with_role(Role.PARTNER_OFFICER))
    assert client.get(f"/preview/{draft.pk}/").status_code == 403
    assert client.post(f"/preview/{draft.pk}/publish/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT

    analyst = user_with_role(Role.ANALYST)
    client.force_login(analyst)
    preview = client.get(f"/preview/{draft.pk}/")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Publish this assessment" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'action="/preview/{draft.pk}/publish/"' in html
    # every page of the draft previews under /preview/<id>/; tables the light copy lacks say why
    indicator = client.get(f"/preview/{draft.pk}/indicators/all_crime/").content.decode()
    assert f'href="/preview/{draft.pk}/indicators/all_crime/data.csv"' in indicator
    assert "No monthly trend: this assessment did not publish a public monthly series" in indicator
    assert "No deprivation gradient: this assessment published no rates" in indicator
    hotspots = client.get(f"/preview/{draft.pk}/hotspots/").content.decode()
    assert "No grid hot spots for this crime group" in hotspots
    assert client.get(f"/preview/{draft.pk}/areas/E05900002/").status_code == 200
    assert client.get(f"/preview/{draft.pk}/publish/").status_code == 405

    response = client.post(f"/preview/{draft.pk}/publish/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    draft.refresh_from_db()
    published_demo.refresh_from_db()
    assert draft.status == AssessmentStatus.PUBLISHED
    assert draft.published_by == analyst
    assert published_demo.status == AssessmentStatus.SUPERSEDED
    assert client.get("/").context["assessment"].pk == draft.pk
    archived = client.get(f"/assessments/{published_demo.pk}/")
    assert archived.status_code == 200
    assert "archived assessment" in archived.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.PUBLISHED, object_id=str(draft.pk))
    assert event.user == analyst
    assert f"superseded {published_demo.pk}" in event.detail
    archive = client.get("/assessments/").content.decode()
    assert f'href="/assessments/{draft.pk}/"' in archive
    assert f'href="/assessments/{published_demo.pk}/"' in archive


@pytest.mark.django_db
def test_publishing_is_atomic(
    published_demo: PublishedAssessment, light_artefact: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = load_draft(directory=light_artefact)

    def failing_audit(**_: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(publishing, "record_event", failing_audit)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        publish(draft, user=None)
    draft.refresh_from_db()
    published_demo.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.published_at is None
    assert published_demo.status == AssessmentStatus.PUBLISHED
    monkeypatch.undo()
    publish(draft, user=None)
    with pytest.raises(PublishingError, match="is published, not a draft"):
        publish(draft, user=None)


@pytest.mark.django_db
def test_missing_indicators_table_is_a_clear_error_and_writes_nothing(
    published_demo: PublishedAssessment, light_artefact: Path
) -> None:
    before = counts()
    (light_artefact / "public" / "indicators.parquet").unlink()
    with pytest.raises(PublishingError, match=r"indicators\.parquet.*missing"):
        load_draft(directory=light_artefact)
    assert counts() == before


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.write_text("{not json", encoding="utf-8"), "not valid JSON"),
        (
            lambda path: path.write_text(json.dumps({"kind": "something-else"}), encoding="utf-8"),
            "not an assessment manifest",
        ),
        (lambda path: path.unlink(), "no manifest.json"),
        (
            lambda path: path.write_text(
                json.dumps({**json.loads(path.read_text(encoding="utf-8")), "public_tables": {}}),
                encoding="utf-8",
            ),
            "no public 'indicators' table",
        ),
    ],
    ids=["invalid-json", "wrong-kind", "no-manifest", "no-public-indicators"],
)
@pytest.mark.django_db
def test_bad_manifest_is_a_clear_error_and_writes_nothing(
    light_artefact: Path, damage: Any, message: str
) -> None:
    before = counts()
    damage(light_artefact / "manifest.json")
    with pytest.raises(PublishingError, match=message) as error:
        load_draft(directory=light_artefact)
    assert str(light_artefact) in str(error.value)
    assert counts() == before


@pytest.mark.django_db
def test_an_indicators_table_without_a_column_is_refused(light_artefact: Path) -> None:
    path = light_artefact / "public" / "indicators.parquet"
    pd.read_parquet(path).drop(columns=["change_test"]).to_parquet(path)
    record_hashes(light_artefact)
    before = counts()
    with pytest.raises(PublishingError, match="missing columns change_test"):
        load_draft(directory=light_artefact)
    assert counts() == before


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_behind(
    light_artefact: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_tables(*_: Any, assessment: PublishedAssessment) -> None:
        assert assessment.indicator_values.count() == 6012  # written, then rolled back
        raise OSError("disk full")

    before = counts()
    monkeypatch.setattr(publishing, "_load_tables", failing_tables)
    with pytest.raises(OSError, match="disk full"):
        load_draft(directory=light_artefact)
    assert counts() == before
    assert not PublishedAssessment.objects.filter(status=AssessmentStatus.DRAFT).exists()


@pytest.mark.django_db
def test_publish_assessment_command(
    published_demo: PublishedAssessment,
    light_artefact: Path,
    user_with_role: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("publish_assessment", "--assessment", str(light_artefact))
    draft = PublishedAssessment.objects.get(status=AssessmentStatus.DRAFT)
    output = capsys.readouterr().out
    assert f"Loaded draft assessment {draft.pk}: Demoton (E22900001) 2024/25" in output
    assert f"Preview: /preview/{draft.pk}/" in output

    analyst = user_with_role(Role.ANALYST)
    call_command(
        "publish_assessment",
        "--assessment",
        str(light_artefact),
        "--publish",
        "--user",
        analyst.username,
    )
    output = capsys.readouterr().out
    published = PublishedAssessment.objects.get(status=AssessmentStatus.PUBLISHED)
    assert f"Published assessment {published.pk}: /assessments/{published.pk}/" in output
    assert published.published_by == analyst
    assert (
        PublishedAssessment.objects.get(pk=published_demo.pk).status == AssessmentStatus.SUPERSEDED
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.PUBLISHED, object_id=str(published.pk)
    ).exists()

    with pytest.raises(CommandError, match="no such user"):
        call_command("publish_assessment", "--assessment", str(light_artefact), "--user", "nobody")
    with pytest.raises(CommandError, match="no such folder"):
        call_command("publish_assessment", "--assessment", str(light_artefact / "absent"))
