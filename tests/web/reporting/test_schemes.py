"""The business crime scheme's services: members, agreement versions, acceptance, alerts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image
from web_accounts import make_organisation, make_user
from web_schemes import SchemeWorld, jpeg_with_location, png_bytes, scheme_world

from safecity_web.accounts.models import AuditAction, AuditEvent, OrganisationKind, Role
from safecity_web.encryption import Purpose, decrypt_bytes, decrypt_text
from safecity_web.reporting.models import AgreementAcceptance, BusinessAlert
from safecity_web.reporting.schemes import (
    SchemeError,
    accept_agreement,
    alert_schemes_visible_to,
    clean_alert_image,
    create_alert,
    invite_member,
    may_see_alert,
    publish_agreement,
    standings,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SchemeWorld:
    return scheme_world()


def test_only_businesses_can_be_invited_and_only_once(world: SchemeWorld) -> None:
    with pytest.raises(SchemeError, match="Centre A is not a business") as refused:
        invite_member(scheme=world.scheme, organisation=world.centre_a, by=world.manager)
    assert refused.value.field_name == "organisation"
    with pytest.raises(SchemeError, match="already a member"):
        invite_member(scheme=world.scheme, organisation=world.business_a, by=world.manager)
    invited = AuditEvent.objects.filter(
        action=AuditAction.CREATED, detail="Shop A invited into Smallton Business Crime Partnership"
    )
    assert invited.count() == 1
    assert invited.get().user == world.manager


def test_acceptance_is_recorded_with_its_time_and_audited(world: SchemeWorld) -> None:
    moment = timezone.now()
    acceptance = accept_agreement(agreement=world.agreement, user=world.member_b, now=moment)
    assert AgreementAcceptance.objects.get(pk=acceptance.pk).accepted_at == moment
    event = AuditEvent.objects.get(
        object_type="reporting.AgreementAcceptance",
        object_id=str(acceptance.pk),
        action=AuditAction.CREATED,
    )
    assert event.user == world.member_b
    assert "version 1.0" in event.detail
    # Accepting again changes nothing and logs nothing more.
    again = accept_agreement(agreement=world.agreement, user=world.member_b)
    assert again.pk == acceptance.pk
    assert AgreementAcceptance.objects.filter(user=world.member_b).count() == 1
    assert AuditEvent.objects.filter(object_type="reporting.AgreementAcceptance").count() == 2


def test_a_new_version_must_be_accepted_again_before_alerts_show(world: SchemeWorld) -> None:
    assert [s.may_see_alerts for s in standings(user=world.member_a)] == [True]
    assert may_see_alert(user=world.member_a, alert=world.alert)
    version_two = publish_agreement(
        scheme=world.scheme, version="2.0", text="New terms.", by=world.manager
    )
    (standing,) = standings(user=world.member_a)
    assert standing.agreement == version_two
    assert standing.accepted_at is None
    assert not may_see_alert(user=world.member_a, alert=world.alert)
    with pytest.raises(SchemeError, match="not the scheme's current agreement"):
        accept_agreement(agreement=world.agreement, user=world.member_a)
    accept_agreement(agreement=version_two, user=world.member_a)
    assert may_see_alert(user=world.member_a, alert=world.alert)


def test_publishing_checks_the_version(world: SchemeWorld) -> None:
    with pytest.raises(SchemeError, match="already been published") as refused:
        publish_agreement(scheme=world.scheme, version="1.0", text="x", by=world.manager)
    assert refused.value.field_name == "version"
    with pytest.raises(SchemeError, match="Enter the agreement's text"):
        publish_agreement(scheme=world.scheme, version="3", text="  ", by=world.manager)


def test_non_members_and_other_roles_cannot_accept(world: SchemeWorld) -> None:
    with pytest.raises(SchemeError, match="not a member of this scheme"):
        accept_agreement(agreement=world.agreement, user=world.member_c)
    with pytest.raises(SchemeError, match="only business members"):
        accept_agreement(agreement=world.agreement, user=world.worker_a)
    assert (
        AgreementAcceptance.objects.filter(user__in=[world.member_c, world.worker_a]).count() == 0
    )


def test_who_may_read_an_alert(world: SchemeWorld) -> None:
    allowed = {
        user.username
        for user in (
            world.member_a,
            world.member_b,
            world.member_c,
            world.worker_a,
            world.manager,
            world.administrator,
        )
        if may_see_alert(user=user, alert=world.alert)
    }
    assert allowed == {"member-a", "bcm", "admin"}
    assert not may_see_alert(user=world.member_a, alert=world.other_alert)
    assert alert_schemes_visible_to(user=world.manager) is None
    assert alert_schemes_visible_to(user=world.member_a) == [world.scheme]
    assert alert_schemes_visible_to(user=world.member_b) == []


def test_an_alert_is_encrypted_at_rest_and_kept_for_the_configured_days(
    world: SchemeWorld,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT encrypted_body, encrypted_offender_description, encrypted_image "
            "FROM reporting_businessalert WHERE id = %s",
            [world.alert.pk],
        )
        body, offender, image = cursor.fetchone()
    assert "Razor" not in body
    assert "red cap" not in offender
    assert b"PNG" not in bytes(image)
    assert decrypt_text(body, purpose=Purpose.PERSONAL_DATA).startswith("Razor blades")
    assert decrypt_bytes(bytes(image), purpose=Purpose.PERSONAL_DATA).startswith(b"\x89PNG")
    stored = BusinessAlert.objects.get(pk=world.alert.pk)
    assert stored.retain_until - stored.created_at == datetime.timedelta(days=365)
    assert stored.image_content_type == "image/png"


def test_only_managers_and_administrators_write_alerts(world: SchemeWorld) -> None:
    officer = make_user(username="officer", role=Role.PARTNER_OFFICER, organisation=world.council)
    for author in (officer, world.member_a, world.worker_a):
        with pytest.raises(SchemeError, match="only business crime managers"):
            create_alert(scheme=world.scheme, title="t", body="b", by=author)
    assert BusinessAlert.objects.count() == 2


def test_an_image_loses_its_location_and_keeps_its_pixels() -> None:
    original = jpeg_with_location()
    with Image.open(io.BytesIO(original)) as before:
        assert 0x8825 in before.getexif()
    cleaned = clean_alert_image(data=original)
    assert cleaned.content_type == "image/jpeg"
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert dict(after.getexif()) == {}
        assert after.size == (16, 16)
        red, green, blue = after.convert("RGB").getpixel((8, 8))  # type: ignore[misc]
        assert abs(red - 10) < 8
        assert abs(green - 120) < 8
        assert abs(blue - 200) < 8
    assert b"PhoneMaker" not in cleaned.data


def test_an_image_type_is_sniffed_not_trusted() -> None:
    with pytest.raises(SchemeError, match="not a photo we can take"):
        clean_alert_image(data=b"<html>not a picture</html>")
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(SchemeError, match="must be a JPEG, PNG or WebP"):
        clean_alert_image(data=gif.getvalue())
    assert clean_alert_image(data=png_bytes()).content_type == "image/png"


def test_an_image_over_the_size_limit_is_refused() -> None:
    with pytest.raises(SchemeError, match="larger than 5 MB"):
        clean_alert_image(data=b"\x89PNG" + b"0" * 5_242_880)


def test_a_business_outside_every_scheme_has_no_standing() -> None:
    shop = make_organisation(name="Lonely shop", kind=OrganisationKind.BUSINESS)
    member = make_user(username="lonely", role=Role.BUSINESS_MEMBER, organisation=shop)
    assert standings(user=member) == []
    assert alert_schemes_visible_to(user=member) == []


def test_an_image_claiming_huge_dimensions_is_refused_before_decoding() -> None:
    huge = io.BytesIO()
    Image.new("1", (8000, 6000)).save(huge, format="PNG")
    assert len(huge.getvalue()) < 100_000
    with pytest.raises(SchemeError, match=r"too many pixels \(8000 × 6000\)"):
        clean_alert_image(data=huge.getvalue())
