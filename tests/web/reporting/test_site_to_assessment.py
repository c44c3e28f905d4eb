"""From a report on the site to the Assessment artefact (issue 13, point 8).

Reports are submitted through the site's one submission service (every channel), some marked a
duplicate or rejected in triage; ``export_community_reports --warehouse`` writes the
de-identified export and loads it with the core's loader into a real warehouse; the
community-reports family then counts exactly the reports the partnership accepted — by kind and
channel, by strand, by ward and with the business losses.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from community_reports_inputs import family_inputs, small_study_area
from django.core.management import call_command
from web_reporting import CSP_CODE, EAST_WARD, LSOAS, WEST_WARD, publish_small_area

from safecity.assess.families.community_reports import community_reports
from safecity.data.warehouse import Warehouse
from safecity_web.reporting.models import Channel, CommunityReport, Moderation
from safecity_web.reporting.submission import ReportDraft, submit_report

pytestmark = pytest.mark.django_db

WEST_POINT = (50.905, -1.395)
EAST_POINT = (50.935, -1.365)


def _submit(
    *,
    kind: str,
    category: str,
    channel: Channel,
    received: datetime.datetime,
    point: tuple[float, float] | None,
    strands: tuple[str, ...] = (),
    description: str = "",
    losses: str | None = None,
) -> CommunityReport:
    day = received.date()
    draft = ReportDraft(
        kind=kind,
        category=category,
        strands=strands,
        occurred_from=day,
        occurred_to=day,
        latitude=None if point is None else point[0],
        longitude=None if point is None else point[1],
        online=point is None,
        description=description,
        losses_pounds=None if losses is None else Decimal(losses),
    )
    return submit_report(draft=draft, channel=channel, now=received).report


def test_reports_accepted_on_the_site_are_what_the_family_counts(tmp_path: Path) -> None:
    publish_small_area()
    assessed = [datetime.datetime(2024, month, 10, 12, tzinfo=datetime.UTC) for month in (1, 2)]
    previous = datetime.datetime(2023, 2, 10, 12, tzinfo=datetime.UTC)
    submitted = []
    for when in assessed:
        for number in range(3):
            submitted.append(
                _submit(
                    kind="hate",
                    category="verbal_abuse",
                    channel=Channel.PUBLIC_FORM,
                    received=when,
                    point=WEST_POINT,
                    strands=("race",),
                    description=f"report {number}",
                )
            )
        submitted.append(
            _submit(
                kind="hate",
                category="online",
                channel=Channel.OPEN311,
                received=when,
                point=None,
                strands=("disability", "religion"),
            )
        )
        submitted.append(
            _submit(
                kind="concern",
                category="drug_dealing",
                channel=Channel.REPORTING_CENTRE,
                received=when,
                point=EAST_POINT,
            )
        )
        submitted.append(
            _submit(
                kind="business",
                category="theft",
                channel=Channel.BUSINESS,
                received=when,
                point=EAST_POINT,
                losses="40.25",
            )
        )
    submitted.append(
        _submit(
            kind="concern",
            category="asb",
            channel=Channel.PUBLIC_FORM,
            received=previous,
            point=WEST_POINT,
        )
    )
    duplicate = _submit(
        kind="hate",
        category="verbal_abuse",
        channel=Channel.PUBLIC_FORM,
        received=assessed[0] + datetime.timedelta(minutes=5),
        point=WEST_POINT,
        strands=("race",),
        description="report 0",
    )
    assert duplicate.moderation == Moderation.DUPLICATE
    rejected = submitted[0]
    rejected.moderation = Moderation.REJECTED
    rejected.save()
    counted = [report for report in submitted if report is not rejected]

    warehouse_path = tmp_path / "safecity.duckdb"
    call_command("export_community_reports", out=tmp_path / "export.csv", warehouse=warehouse_path)
    with Warehouse(warehouse_path) as warehouse:
        output = community_reports(
            family_inputs(
                warehouse,
                area=small_study_area(
                    area_code=CSP_CODE,
                    wards={
                        WEST_WARD: (LSOAS[("west", "south")], LSOAS[("west", "north")]),
                        EAST_WARD: (LSOAS[("east", "south")], LSOAS[("east", "north")]),
                    },
                ),
                period="2023/24",
            )
        )

    summary = output.tables["community_reports_summary"].set_index(["kind", "channel"])
    in_period = Counter(
        (report.kind, report.channel) for report in counted if report.received_at.year == 2024
    )
    for (kind, channel), count in in_period.items():
        assert summary.loc[(kind, channel), "reports"] == count
    assert summary.loc[("hate", "all"), "reports"] == 2 * 3 + 2 - 1
    assert summary.loc[("all", "all"), "reports"] == sum(in_period.values()) == 11
    assert summary.loc[("business", "all"), "losses_pounds"] == pytest.approx(80.50)

    strands = output.tables["community_reports_strand"].set_index("strand")
    assert strands.loc["race", "community_reports"] == 5
    assert strands.loc["disability", "community_reports"] == 2
    assert strands.loc["religion", "community_reports"] == 2

    wards = output.tables["community_reports_ward"]
    west = wards[(wards["ward_code"] == WEST_WARD) & (wards["kind"] == "hate")]
    assert west["reports"].tolist() == [5]
