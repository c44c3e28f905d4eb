"""The de-identified export (issue 13): the contract's CSV, counts equal to the reports made."""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from web_accounts import create_portal_people
from web_reporting import CSP_CODE, EAST_WARD, LSOAS, WEST_WARD, publish_small_area
from web_triage import WEST_SOUTH, make_report

from safecity_web.accounts.models import AuditAction, AuditEvent, Role
from safecity_web.reporting.anonymising import AnonymisingReason, anonymise_report
from safecity_web.reporting.export import COLUMNS
from safecity_web.reporting.models import Channel, CommunityReport, Moderation

pytestmark = pytest.mark.django_db

HEADER = "area_code,month,kind,category,strands,channel,ward_code,lsoa_code,reports,losses_pounds"
MARCH = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
# 23:30 on 31 March in UTC is 00:30 on 1 April in London (summer time began on 29 March).
LATE_MARCH_UTC = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)
MAY = datetime.datetime(2026, 5, 2, 8, tzinfo=datetime.UTC)


def _reports() -> list[CommunityReport]:
    made = [
        make_report(strands=("religion", "race"), now=MARCH, description="a"),
        make_report(strands=("race", "religion"), now=MARCH, description="b"),
        make_report(strands=("race",), now=MARCH, description="c"),
        make_report(strands=("race",), now=MARCH, channel=Channel.OPEN311, description="d"),
        make_report(strands=("disability",), now=LATE_MARCH_UTC, point=None, description="e"),
        make_report(kind="concern", category="asb", now=MAY, point=WEST_SOUTH, description="f"),
        make_report(
            kind="business",
            category="theft",
            channel=Channel.BUSINESS,
            losses_pounds=Decimal("10.10"),
            now=MAY,
            description="g",
        ),
        make_report(
            kind="business",
            category="theft",
            channel=Channel.BUSINESS,
            losses_pounds=Decimal("5.005"),
            now=MAY,
            description="h",
        ),
        make_report(
            kind="business", category="theft", channel=Channel.BUSINESS, now=MAY, description="i"
        ),
        make_report(
            kind="business",
            category="criminal_damage",
            channel=Channel.BUSINESS,
            now=MAY,
            description="j",
        ),
    ]
    duplicate = make_report(strands=("race",), now=MARCH, description="c")
    rejected = make_report(strands=("race",), now=MARCH, description="spam")
    assert duplicate.moderation == Moderation.DUPLICATE
    CommunityReport.objects.filter(pk=rejected.pk).update(moderation=Moderation.REJECTED)
    anonymise_report(report=made[0], reason=AnonymisingReason.ERASURE_REQUEST)
    return made


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _expected_counts(reports: list[CommunityReport]) -> Counter[tuple[str, ...]]:
    counts: Counter[tuple[str, ...]] = Counter()
    for report in reports:
        report.refresh_from_db()
        counts[
            (
                report.kind,
                report.category,
                ";".join(sorted(report.strands)),
                report.channel,
                report.ward_code,
                report.lsoa_code,
            )
        ] += 1
    return counts


def test_the_command_writes_the_contract_csv(tmp_path: Path) -> None:
    publish_small_area()
    made = _reports()
    out = tmp_path / "community-reports.csv"
    call_command("export_community_reports", out=out)
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    assert tuple(HEADER.split(",")) == COLUMNS
    rows = _read(text)
    exported = Counter[tuple[str, ...]]()
    for row in rows:
        exported[
            (
                row["kind"],
                row["category"],
                row["strands"],
                row["channel"],
                row["ward_code"],
                row["lsoa_code"],
            )
        ] += int(row["reports"])
    assert exported == _expected_counts(made)
    assert sum(int(row["reports"]) for row in rows) == 10
    assert {row["area_code"] for row in rows} == {CSP_CODE}

    east_north = LSOAS[("east", "north")]
    by_key = {
        (row["month"], row["kind"], row["category"], row["strands"], row["channel"]): row
        for row in rows
    }
    two_strands = by_key[("2026-03", "hate", "verbal_abuse", "race;religion", "public_form")]
    assert (two_strands["reports"], two_strands["ward_code"], two_strands["lsoa_code"]) == (
        "2",
        EAST_WARD,
        east_north,
    )
    assert two_strands["losses_pounds"] == ""
    assert by_key[("2026-03", "hate", "verbal_abuse", "race", "public_form")]["reports"] == "1"
    assert by_key[("2026-03", "hate", "verbal_abuse", "race", "open311")]["reports"] == "1"
    online = by_key[("2026-04", "hate", "verbal_abuse", "disability", "public_form")]
    assert (online["ward_code"], online["lsoa_code"], online["reports"]) == ("", "", "1")
    concern = by_key[("2026-05", "concern", "asb", "", "public_form")]
    assert concern["ward_code"] == WEST_WARD
    theft = by_key[("2026-05", "business", "theft", "", "business")]
    assert (theft["reports"], theft["losses_pounds"]) == ("3", "15.11")
    damage = by_key[("2026-05", "business", "criminal_damage", "", "business")]
    assert (damage["reports"], damage["losses_pounds"]) == ("1", "")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORTED).count() == 1


def test_months_select_reports_received_in_london_months(tmp_path: Path) -> None:
    publish_small_area()
    _reports()
    out = tmp_path / "april.csv"
    call_command("export_community_reports", out=out, from_month="2026-04", to_month="2026-04")
    rows = _read(out.read_text(encoding="utf-8"))
    assert [(row["month"], row["strands"], row["reports"]) for row in rows] == [
        ("2026-04", "disability", "1")
    ]
    call_command("export_community_reports", out=out, from_month="2026-05")
    assert {row["month"] for row in _read(out.read_text(encoding="utf-8"))} == {"2026-05"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"from_month": "2026-13"}, "--from must be a month written YYYY-MM, got '2026-13'"),
        ({"to_month": "March"}, "--to must be a month written YYYY-MM, got 'March'"),
        ({"from_month": "2026-05", "to_month": "2026-04"}, "is before --from"),
    ],
)
def test_bad_months_are_refused_and_nothing_is_written(
    tmp_path: Path, options: dict[str, str], message: str
) -> None:
    out = tmp_path / "never.csv"
    with pytest.raises(CommandError, match=message):
        call_command("export_community_reports", out=out, **options)
    assert not out.exists()


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_community_reports", out=tmp_path / "nowhere" / "file.csv")


def test_the_portal_download_for_analysts_is_the_same_csv(tmp_path: Path) -> None:
    publish_small_area()
    _reports()
    people = create_portal_people()
    client = Client()
    client.force_login(people.user(Role.ANALYST))
    response = client.get(reverse("reporting:export-csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="community-reports.csv"'
    out = tmp_path / "command.csv"
    call_command("export_community_reports", out=out)
    assert response.content.decode("utf-8") == out.read_text(encoding="utf-8")
    event = AuditEvent.objects.filter(action=AuditAction.EXPORTED, username="analyst-own").get()
    assert event.object_type == "community_reports_export"
    assert "victim" not in response.content.decode()

    wrong = client.get(reverse("reporting:export-csv"), {"from": "2026-99"})
    assert wrong.status_code == 400
    assert "from must be a month written YYYY-MM" in wrong.content.decode()


def test_with_a_warehouse_the_written_file_is_handed_to_the_core_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_small_area()
    _reports()
    handed: list[tuple[Path, Path, str]] = []

    def loader(*, path: Path, warehouse: Path) -> dict[str, int]:
        text = path.read_text(encoding="utf-8")
        handed.append((path, warehouse, text))
        return {"rows": len(text.splitlines()) - 1}

    monkeypatch.setattr("safecity_web.core_gateway.load_community_reports", loader)
    out = tmp_path / "community-reports.csv"
    warehouse = tmp_path / "safecity.duckdb"
    call_command("export_community_reports", out=out, warehouse=warehouse)
    assert [(path, place) for path, place, _ in handed] == [(out, warehouse)]
    assert handed[0][2] == out.read_text(encoding="utf-8")
    rows = len(_read(handed[0][2]))
    assert f"loaded into {warehouse}: rows={rows}" in capsys.readouterr().out


def test_a_failing_load_says_the_file_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def loader(*, path: Path, warehouse: Path) -> dict[str, int]:
        raise ValueError(f"{path.name}: line 2: month '2026-13' is not a month")

    monkeypatch.setattr("safecity_web.core_gateway.load_community_reports", loader)
    out = tmp_path / "community-reports.csv"
    with pytest.raises(CommandError, match=r"was written to .* but loading it into .* failed"):
        call_command("export_community_reports", out=out, warehouse=tmp_path / "w.duckdb")
    assert out.read_text(encoding="utf-8").splitlines() == [HEADER]
