"""A reporting-centre worker and a business member sign in and use their own areas.

The accounts, the scheme and the reports are created in the running site's database with
``manage.py shell`` (the site's own code: ``submit_report`` and the scheme services). The worker
sees their centre's report and not another centre's; the business member is sent to the
information-sharing agreement, accepts it, and then reads the scheme's alert with its image.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from web_server import RunningSite, manage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

_SEED = """
import datetime, io, json, os
from django.utils import timezone
from PIL import Image
from safecity_web.accounts.models import Organisation, OrganisationKind, Role, User
from safecity_web.reporting.models import Channel, TriageDuty
from safecity_web.reporting.schemes import (
    accept_agreement, clean_alert_image, create_alert, create_scheme, invite_member,
    publish_agreement,
)
from safecity_web.reporting.submission import ReportDraft, submit_report

given = json.loads(os.environ["SAFECITY_TEST_PARTNERS"])
def user(name, role, organisation):
    account = User(username=name, role=role, organisation=organisation,
                   email=name + "@example.org")
    account.set_password(given["password"])
    account.save()
    return account

CENTRE = OrganisationKind.REPORTING_CENTRE
centre = Organisation.objects.create(name="Browser Centre A", kind=CENTRE)
other = Organisation.objects.create(name="Browser Centre B", kind=CENTRE)
shop = Organisation.objects.create(name="Browser Bakery", kind=OrganisationKind.BUSINESS)
council = Organisation.objects.get_or_create(
    name="Southampton City Council", defaults={"kind": OrganisationKind.COUNCIL})[0]
worker = user(given["worker"], Role.REPORTING_CENTRE_WORKER, centre)
other_worker = user(given["worker"] + "-b", Role.REPORTING_CENTRE_WORKER, other)
member = user(given["member"], Role.BUSINESS_MEMBER, shop)
manager = user(given["member"] + "-bcm", Role.PARTNER_OFFICER, council)
TriageDuty.objects.create(user=manager, duty="business_crime_manager")

day = timezone.localdate() - datetime.timedelta(days=2)
def report(by, organisation, text):
    draft = ReportDraft(kind="hate", category="harassment", strands=("disability",),
                        occurred_from=day, occurred_to=day, online=True, description=text)
    return submit_report(draft=draft, channel=Channel.REPORTING_CENTRE, submitted_by=by,
                         organisation=organisation).report.reference

scheme = create_scheme(name="Browser Business Crime Partnership", by=manager)
invite_member(scheme=scheme, organisation=shop, by=manager)
publish_agreement(scheme=scheme, version="1.0", text="Keep alerts within your business.",
                  by=manager, now=timezone.now() - datetime.timedelta(minutes=1))
picture = io.BytesIO()
Image.new("RGB", (40, 30), (30, 90, 160)).save(picture, format="PNG")
create_alert(scheme=scheme, title="Counterfeit notes in use", body="Fake twenty-pound notes.",
             offender_description="Two adults, one with a blue umbrella",
             image=clean_alert_image(data=picture.getvalue()), by=manager)
print(json.dumps({"own": report(worker, centre, "Own centre"),
                  "other": report(other_worker, other, "Other centre")}))
"""


@dataclass(frozen=True)
class Partners:
    worker: str
    member: str
    password: str
    own_reference: str
    other_reference: str


@pytest.fixture(scope="module")
def partners(site: RunningSite) -> Partners:
    given = {
        "worker": "centre-worker-" + secrets.token_hex(3),
        "member": "bakery-member-" + secrets.token_hex(3),
        "password": "pw-" + secrets.token_urlsafe(18),
    }
    output = manage(
        "shell",
        "-c",
        _SEED,
        environment={**site.environment, "SAFECITY_TEST_PARTNERS": json.dumps(given)},
        folder=site.folder,
    )
    references = json.loads(output.strip().splitlines()[-1])
    return Partners(
        worker=given["worker"],
        member=given["member"],
        password=given["password"],
        own_reference=references["own"],
        other_reference=references["other"],
    )


def _sign_in(guarded, *, username: str, password: str, landing: str) -> None:
    page = guarded.page
    guarded.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(guarded.site.url(landing))


def test_a_centre_worker_sees_their_centres_reports(
    guarded, assert_accessible, partners: Partners
) -> None:
    page = guarded.page
    _sign_in(
        guarded, username=partners.worker, password=partners.password, landing="/report/centre/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Your centre's reports")
    own = page.get_by_role("link", name=partners.own_reference)
    expect(own.first).to_be_visible()
    expect(page.get_by_text(partners.other_reference)).to_have_count(0)
    expect(page.get_by_text("Own centre")).to_have_count(0)  # no description shown
    assert_accessible(page)

    page.get_by_role("table").get_by_role("link", name=partners.own_reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report {partners.own_reference}")
    expect(page.get_by_text("We have received your report.")).to_be_visible()
    assert_accessible(page)
    guarded.assert_clean()


def test_a_business_member_accepts_the_agreement_then_reads_alerts(
    guarded, assert_accessible, partners: Partners
) -> None:
    page = guarded.page
    _sign_in(
        guarded, username=partners.member, password=partners.password, landing="/report/business/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Your business's reports")
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Alerts").click()
    expect(page).to_have_url(guarded.site.url("/report/business/agreement/"))
    expect(page.get_by_text("Keep alerts within your business.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Accept version 1\.0")).click()

    expect(page).to_have_url(guarded.site.url("/report/business/alerts/"))
    expect(page.get_by_text("You accepted the Browser Business Crime Partnership")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Counterfeit notes in use").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Counterfeit notes in use")
    expect(page.get_by_text("Two adults, one with a blue umbrella")).to_be_visible()
    image = page.get_by_role("img", name=re.compile("Image shared with the alert"))
    expect(image).to_be_visible()
    assert image.evaluate("element => element.naturalWidth") == 40
    assert_accessible(page)
    guarded.assert_clean()
