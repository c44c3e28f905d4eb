"""Sanitised copies never contain a field removed from them (issue 14), property-style.

A submission is planted with a distinctive value in every field (what is known, how the
submitter knows it, the place words, the point, the dates and every field of a person, a
vehicle, premises and a place). For many random choices of the fields to keep (and, for the
free-text fields, random rewrites), a receiver makes a sanitised copy through the page; the
stored copy (decrypted) and both exports (CSV and JSON, downloaded through the page) must hold
every kept value as written and no value of any removed field, ``removed_fields`` must name
exactly the fields left out, and the original must not change.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_intelligence import designate, make_submission, organisation, staff
from web_reporting import publish_small_area

from safecity_web.accounts.models import OrganisationKind, Role
from safecity_web.intelligence.handling import original_content
from safecity_web.intelligence.models import IntelligenceSubmission, SanitisedCopy
from safecity_web.intelligence.sanitising import copy_content
from safecity_web.intelligence.submission import SubjectDraft

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
LATITUDE, LONGITUDE = 50.93127, -1.37461
FIRST_DAY, LAST_DAY = datetime.date(2025, 11, 3), datetime.date(2025, 11, 17)
CONDITIONS = "KX98Qconditions: police only"
SUBJECT_FIELDS = {
    "person": ("name", "nickname", "age_or_date_of_birth", "description", "phone_or_online"),
    "vehicle": ("registration", "make_and_model", "colour", "description"),
    "premises": ("name", "address", "postcode", "description"),
    "place": ("name", "description"),
}


def _planted(index: int, field_id: str) -> str:
    """A value found nowhere else: ``KX07Qcolour``."""
    return f"KX{index:02d}Q{field_id}"


@dataclass(frozen=True)
class Field:
    """A field of the planted original: its name in ``removed_fields``, the form's key, the
    values that must never leak when it is removed, and whether its text may be rewritten."""

    name: str
    key: str
    values: tuple[str, ...]
    editable: bool


def _fields() -> list[Field]:
    fields = [
        Field("what_is_known", "what_is_known", (_planted(1, "known"),), True),
        Field("provenance", "provenance", (_planted(2, "provenance"),), False),
        Field("place_words", "place_words", (_planted(3, "place"),), True),
        Field("point", "point", (str(LATITUDE), str(LONGITUDE)), False),
        Field("dates", "dates", (FIRST_DAY.isoformat(), LAST_DAY.isoformat()), False),
    ]
    index = 10
    for position, (_kind, names) in enumerate(SUBJECT_FIELDS.items()):
        for name in names:
            fields.append(
                Field(
                    f"subjects[{position}].{name}",
                    f"subject_{position}_{name}",
                    (_planted(index, name),),
                    True,
                )
            )
            index += 1
    return fields


FIELDS = _fields()
EDITABLE = [item.name for item in FIELDS if item.editable]
REWRITE = st.text(
    alphabet=st.characters(codec="ascii", categories=("Lu", "Ll", "Nd", "Zs")),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip() and "KX" not in text.upper())


@pytest.fixture
def planted() -> tuple[IntelligenceSubmission, Client]:
    """The planted submission and a client signed in as a receiver it is routed to."""
    publish_small_area()
    submitter = staff("submitter", role=Role.PARTNER_OFFICER)
    receiver = staff("receiver", at=organisation("Constabulary", OrganisationKind.POLICE))
    designate(receiver, "police_intelligence")
    index = 10
    subjects = []
    for kind, names in SUBJECT_FIELDS.items():
        details = {}
        for name in names:
            details[name] = _planted(index, name)
            index += 1
        subjects.append(SubjectDraft(kind=kind, details=details))
    submission = make_submission(
        submitted_by=submitter,
        what_is_known=_planted(1, "known"),
        provenance="other",
        provenance_detail=_planted(2, "provenance"),
        place_words=_planted(3, "place"),
        point=(LATITUDE, LONGITUDE),
        occurred_from=FIRST_DAY,
        occurred_to=LAST_DAY,
        grading="2BC",
        handling_conditions=CONDITIONS,
        subjects=tuple(subjects),
        now=NOW,
    )
    client = Client()
    client.force_login(receiver)
    return submission, client


def _csv_values(text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["field", "value"]
    return dict(rows[1:])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kept=st.sets(st.sampled_from([item.name for item in FIELDS])),
    rewrites=st.dictionaries(st.sampled_from(EDITABLE), REWRITE, max_size=6),
)
def test_a_copy_and_its_exports_never_hold_a_removed_field(
    planted: tuple[IntelligenceSubmission, Client], kept: set[str], rewrites: dict[str, str]
) -> None:
    submission, client = planted
    before = original_content(submission=submission)
    data: dict[str, str] = {}
    expected_text: dict[str, str] = {}
    for item in FIELDS:
        if item.editable:
            text = rewrites.get(item.name, item.values[0])
            data[f"sanitise-{item.key}"] = text
            expected_text[item.name] = text.strip()
        if item.name in kept:
            data[f"sanitise-keep_{item.key}"] = "on"
    response = client.post(
        reverse("intelligence:sanitise", kwargs={"reference": submission.reference}), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    copy = SanitisedCopy.objects.filter(submission=submission).order_by("-id").first()
    assert copy is not None
    removed = {item.name for item in FIELDS} - kept
    assert set(copy.removed_fields) == removed
    assert len(copy.removed_fields) == len(removed)

    stored = SanitisedCopy.objects.get(pk=copy.pk)
    stored_text = json.dumps(copy_content(copy=stored), ensure_ascii=False)
    exports = {}
    for export_format in ("csv", "json"):
        download = client.get(
            reverse(
                "intelligence:sanitised-export",
                kwargs={
                    "reference": submission.reference,
                    "copy_id": copy.pk,
                    "export_format": export_format,
                },
            )
        )
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment; ")
        exports[export_format] = download.content.decode()
    document = json.loads(exports["json"])
    rows = _csv_values(exports["csv"])

    for text in (stored_text, exports["csv"], exports["json"], repr(copy.removed_fields)):
        for item in FIELDS:
            if item.name in removed:
                for value in item.values:
                    assert value not in text, f"{item.name} was removed but {value!r} is there"
        assert "Another way" not in text or "provenance" in kept
    # What was kept is there, as the receiver wrote it; what every copy carries is there.
    for carried in (submission.reference, "county_lines", "2026-03", "E05900002", CONDITIONS):
        assert carried in stored_text
        assert carried in exports["csv"]
        assert carried in exports["json"]
    assert (document["source_evaluation"], document["handling_code"]) == ("2", "C")
    if "what_is_known" in kept:
        assert document["what_is_known"] == expected_text["what_is_known"]
        assert rows["what_is_known"] == expected_text["what_is_known"]
    if "place_words" in kept:
        assert rows["place_words"] == expected_text["place_words"]
    if "point" in kept:
        assert (document["latitude"], document["longitude"]) == (LATITUDE, LONGITUDE)
        assert (rows["latitude"], rows["longitude"]) == (str(LATITUDE), str(LONGITUDE))
    if "dates" in kept:
        assert (rows["occurred_from"], rows["occurred_to"]) == ("2025-11-03", "2025-11-17")
    if "provenance" in kept:
        assert document["provenance_detail"] == _planted(2, "provenance")
    kept_subject_texts = sorted(
        expected_text[name] for name in kept if name.startswith("subjects[")
    )
    exported_subject_texts = sorted(
        text for subject in document.get("subjects", []) for text in subject["details"].values()
    )
    assert exported_subject_texts == kept_subject_texts
    assert sorted(
        value for key, value in rows.items() if key.startswith("subjects[") and "kind" not in key
    ) == sorted(kept_subject_texts)
    # The original never changes.
    assert original_content(submission=IntelligenceSubmission.objects.get(pk=submission.pk)) == (
        before
    )
