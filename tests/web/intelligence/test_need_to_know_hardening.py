"""Need to know under change (issue 14, from a review before go-live): lost designations and
changed roles, what administrators read in the audit log, sanitised copies and the submitter's
own words, handling after deletion, designating by username, and the retention job racing a
receiver's decision."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from web_intelligence import PERSON_NAME, designate, make_submission, staff
from web_reporting import publish_small_area

from safecity_web.accounts.models import AuditEvent, Role
from safecity_web.alerts.generation import run_generation
from safecity_web.alerts.services import WITHHELD_TITLE
from safecity_web.intelligence.deletion import delete_submission
from safecity_web.intelligence.designations import DesignationError, designate_receiver
from safecity_web.intelligence.handling import HandlingError, link_place, record_outcome, regrade
from safecity_web.intelligence.models import (
    DeletionReason,
    IntelligenceSubmission,
    ReceiverDesignation,
)
from safecity_web.intelligence.retention import run_retention
from safecity_web.intelligence.sanitising import SanitisedChoice, make_sanitised_copy
from safecity_web.intelligence.submission import decrypt

pytestmark = pytest.mark.django_db


def test_a_receiver_who_loses_the_designation_or_role_loses_the_submission_and_its_alerts() -> None:
    publish_small_area()
    submitter = staff("submitter")
    receiver = staff("receiver")
    designate(receiver, "prevent_lead")
    submission = make_submission(submitted_by=submitter, topic="radicalisation")
    run_generation(timezone.now())
    client = Client()
    client.force_login(receiver)
    url = reverse("intelligence:submission", kwargs={"reference": submission.reference})
    alerts = reverse("alerts:list")
    assert client.get(url).status_code == 200
    assert submission.reference in client.get(alerts).content.decode()

    receiver.role = Role.BOARD_MEMBER
    receiver.save()
    assert client.get(url).status_code == 403

    receiver.role = Role.PARTNER_OFFICER
    receiver.save()
    ReceiverDesignation.objects.filter(user=receiver).delete()
    assert client.get(url).status_code == 403
    page = client.get(alerts).content.decode()
    assert submission.reference not in page
    assert "Radicalisation" not in page
    assert WITHHELD_TITLE in page

    receiver.is_active = False
    receiver.save()
    assert client.get(url).status_code == 302  # signed out

    own = Client()
    own.force_login(submitter)
    assert own.get(url).status_code == 200
    submitter.role = Role.BOARD_MEMBER
    submitter.save()
    assert own.get(url).status_code == 403


def test_the_administrators_audit_log_names_no_topic_place_grade_or_outcome() -> None:
    publish_small_area()
    submitter = staff("submitter")
    receiver = staff("receiver")
    designate(receiver, "prevent_lead")
    administrator = staff("administrator", role=Role.ADMINISTRATOR)
    submission = make_submission(submitted_by=submitter, topic="radicalisation")
    link_place(submission=submission, area_code="E01900001", by=receiver)
    record_outcome(submission=submission, outcome="safeguarding_referral", note="", by=receiver)
    regrade(
        submission=submission,
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="P",
        handling_conditions="",
        reason="Corroborated",
        by=receiver,
    )
    client = Client()
    client.force_login(administrator)
    assert (
        client.get(
            reverse("intelligence:submission", kwargs={"reference": submission.reference})
        ).status_code
        == 403
    )
    page = client.get(reverse("accounts:audit-log")).content.decode()
    assert submission.reference in page  # who did what to which reference stays visible
    for secret in ("radicalisation", "Radicalisation", "E01900001", "safeguarding", "1A", "2BC"):
        assert secret not in page, secret
    details = " ".join(AuditEvent.objects.values_list("detail", flat=True))
    assert "radicalisation" not in details
    assert "E01900001" not in details


def test_a_copy_keeping_the_submitters_words_that_name_a_removed_subject_is_refused() -> None:
    publish_small_area()
    submitter = staff("submitter")
    receiver = staff("receiver")
    designate(receiver, "police_intelligence")
    submission = make_submission(
        submitted_by=submitter,
        provenance="other",
        provenance_detail=f"{PERSON_NAME}'s neighbour told me",
    )
    with pytest.raises(HandlingError) as caught:
        make_sanitised_copy(
            submission=submission,
            choice=SanitisedChoice(what_is_known="A flat is used for dealing.", provenance=True),
            by=receiver,
        )
    assert caught.value.field_name == "provenance"
    assert not submission.sanitised_copies.exists()


def test_handling_a_submission_deleted_since_it_was_loaded_writes_nothing_back() -> None:
    publish_small_area()
    submitter = staff("submitter")
    receiver = staff("receiver")
    designate(receiver, "police_intelligence")
    loaded = make_submission(submitted_by=submitter)
    stale = IntelligenceSubmission.objects.get(pk=loaded.pk)
    delete_submission(submission=loaded, reason=DeletionReason.REVIEW_DECISION, by=receiver)
    attempts = [
        lambda: record_outcome(
            submission=stale,
            outcome="passed_to_police",
            note=f"{PERSON_NAME} arrested",
            by=receiver,
        ),
        lambda: regrade(
            submission=stale,
            source_evaluation="1",
            intelligence_assessment="A",
            handling_code="P",
            handling_conditions="",
            reason=f"{PERSON_NAME} confirmed",
            by=receiver,
        ),
        lambda: make_sanitised_copy(
            submission=stale, choice=SanitisedChoice(what_is_known="x y z"), by=receiver
        ),
        lambda: link_place(submission=stale, area_code="E01900001", by=receiver),
    ]
    for attempt in attempts:
        with pytest.raises(HandlingError):
            attempt()
    after = IntelligenceSubmission.objects.get(pk=loaded.pk)
    assert after.status == "deleted"
    assert after.outcome == ""
    assert after.encrypted_outcome_note == ""
    assert list(after.gradings.values_list("encrypted_reason", flat=True)) == [""]
    assert not after.sanitised_copies.exists()
    assert not after.place_links.exists()


def test_designating_by_username_matches_exactly_and_nobody_designates_themselves() -> None:
    administrator = staff("administrator", role=Role.ADMINISTRATOR)
    upper = staff("JSmith")
    lower = staff("jsmith")
    client = Client()
    client.force_login(administrator)
    url = reverse("intelligence:receivers")
    assert client.post(url, {"username": "jsmith", "receiver": "prevent_lead"}).status_code == 302
    assert list(ReceiverDesignation.objects.values_list("user", flat=True)) == [lower.pk]
    response = client.post(url, {"username": "JSMITH", "receiver": "prevent_lead"})
    assert response.status_code == 400
    assert "type it exactly" in response.content.decode()
    assert upper.receiver_designations.count() == 0
    response = client.post(url, {"username": "administrator", "receiver": "prevent_lead"})
    assert response.status_code == 400
    assert "cannot designate yourself" in response.content.decode()
    with pytest.raises(DesignationError):
        designate_receiver(user=administrator, receiver="prevent_lead", by=administrator)
    assert not administrator.receiver_designations.exists()


def test_the_retention_job_does_not_delete_a_submission_kept_at_review_meanwhile() -> None:
    publish_small_area()
    submitter = staff("submitter")
    submitted = datetime.datetime(2025, 1, 6, 12, 0, tzinfo=datetime.UTC)
    submission = make_submission(
        submitted_by=submitter, topic="anti_social_behaviour", now=submitted
    )
    rule_due = submission.review_due
    # A receiver kept it (the next review moved on) after the job chose it but before it locked.
    assert not delete_submission(
        submission=submission,
        reason=DeletionReason.RETENTION_EXPIRED,
        review_due_by=rule_due - datetime.timedelta(days=1),
    )
    assert IntelligenceSubmission.objects.get(pk=submission.pk).deleted_at is None
    # Past the rule (review due + 60 days for anti-social behaviour) the job deletes it.
    late = datetime.datetime.combine(
        rule_due + datetime.timedelta(days=60), datetime.time(12), tzinfo=datetime.UTC
    )
    assert run_retention(late)["deleted"] == 1
    assert (
        decrypt(IntelligenceSubmission.objects.get(pk=submission.pk).encrypted_what_is_known) == ""
    )
