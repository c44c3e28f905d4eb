"""Sanitised copies of a submission: what a receiver decides may be shared further, and exports.

A receiver chooses which of the original's fields to keep (rewriting the free text where they
keep it); the copy holds ONLY those fields, plus what every copy carries so that it can be
handled properly downstream: the reference, topic, month of submission, ward, the grading in
force and the handling code with its conditions. ``removed_fields`` names what was left out.
The original is never changed. An export of a copy (CSV or JSON, for a police intelligence
system) is made from the copy alone, so it can never contain a field the copy left out.

As a safety net, a copy is refused when a text kept in it (the rewritten "what is known", the
place words, a subject's field, the handling conditions) still contains, word for word, the
text of a field that was left out (texts of three characters or more; case is ignored).

References
----------
College of Policing, Authorised Professional Practice "Intelligence management" (sanitisation
before dissemination; handling codes and conditions travel with the intelligence).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from safecity_web import core_gateway
from safecity_web.accounts.models import AuditAction
from safecity_web.intelligence.access import record_intelligence_event
from safecity_web.intelligence.boundary_places import ward_names
from safecity_web.intelligence.handling import (
    HandlingError,
    OriginalContent,
    check_handleable,
    mark_in_progress,
    original_content,
)
from safecity_web.intelligence.models import IntelligenceSubmission, SanitisedCopy
from safecity_web.intelligence.submission import (
    MAX_FIELD_CHARACTERS,
    MAX_TEXT_CHARACTERS,
    decrypt_json,
    encrypt_json,
)

EXPORT_FORMAT = "safecity-sanitised-intelligence"
EXPORT_VERSION = 1
SHORTEST_CHECKED_TEXT = 3
"""Left-out texts shorter than this are not searched for in the kept texts."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WHAT_IS_KNOWN = "what_is_known"
PROVENANCE = "provenance"
PLACE_WORDS = "place_words"
POINT = "point"
DATES = "dates"


def subject_field_name(*, position: int, field_id: str) -> str:
    """How a subject's field is named in ``removed_fields`` and errors: ``subjects[0].name``."""
    return f"subjects[{position}].{field_id}"


@dataclass(frozen=True, slots=True)
class SanitisedChoice:
    """What a receiver keeps in a copy; everything else of the original is left out.

    ``what_is_known`` and ``place_words`` hold the text to keep (as the receiver wrote it) or
    ``None`` to leave them out; ``subjects`` maps a subject's position to the fields kept and
    their text.
    """

    what_is_known: str | None = None
    provenance: bool = False
    place_words: str | None = None
    point: bool = False
    dates: bool = False
    subjects: Mapping[int, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemovableField:
    """A field of the original a copy may leave out: its name, label and its texts."""

    name: str
    label: str
    texts: tuple[str, ...]


def removable_fields(original: OriginalContent) -> dict[str, RemovableField]:
    """The fields of ``original`` that a copy may keep or leave out (only those it has)."""
    fields = {
        WHAT_IS_KNOWN: RemovableField(WHAT_IS_KNOWN, "what is known", (original.what_is_known,)),
        PROVENANCE: RemovableField(
            PROVENANCE,
            "how the submitter knows it",
            (original.provenance_detail,) if original.provenance_detail else (),
        ),
    }
    if original.place_words:
        fields[PLACE_WORDS] = RemovableField(
            PLACE_WORDS, "the place in words", (original.place_words,)
        )
    if original.latitude is not None and original.longitude is not None:
        fields[POINT] = RemovableField(POINT, "the point (latitude and longitude)", ())
    if original.occurred_from is not None or original.occurred_to is not None:
        fields[DATES] = RemovableField(DATES, "the dates", ())
    for subject in original.subjects:
        for item in subject.fields:
            name = subject_field_name(position=subject.position, field_id=item.id)
            label = (
                f"subject {subject.position + 1} ({subject.kind_label.lower()}): "
                f"{item.label.lower()}"
            )
            fields[name] = RemovableField(name, label, (item.value,))
    return fields


def _checked_text(name: str, text: str, *, limit: int) -> str:
    kept = text.strip()
    if not kept:
        raise HandlingError(name, "write the text to keep, or do not keep it")
    if len(kept) > limit:
        raise HandlingError(name, f"must be at most {limit:,} characters")
    return kept


def _kept_content(
    original: OriginalContent, choice: SanitisedChoice, removable: Mapping[str, RemovableField]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The optional fields kept, and the kept texts by field name (for the leak check)."""
    content: dict[str, Any] = {}
    texts: dict[str, str] = {}
    if choice.what_is_known is not None:
        texts[WHAT_IS_KNOWN] = content[WHAT_IS_KNOWN] = _checked_text(
            WHAT_IS_KNOWN, choice.what_is_known, limit=MAX_TEXT_CHARACTERS
        )
    if choice.provenance:
        content[PROVENANCE] = original.provenance
        content["provenance_label"] = original.provenance_label
        if original.provenance_detail:
            content["provenance_detail"] = original.provenance_detail
    if choice.place_words is not None:
        if PLACE_WORDS not in removable:
            raise HandlingError(PLACE_WORDS, "the original has no place in words")
        texts[PLACE_WORDS] = content[PLACE_WORDS] = _checked_text(
            PLACE_WORDS, choice.place_words, limit=MAX_FIELD_CHARACTERS
        )
    if choice.point:
        if POINT not in removable:
            raise HandlingError(POINT, "the original has no point")
        content["latitude"], content["longitude"] = original.latitude, original.longitude
    if choice.dates:
        if DATES not in removable:
            raise HandlingError(DATES, "the original has no dates")
        content["occurred_from"] = _iso(original.occurred_from)
        content["occurred_to"] = _iso(original.occurred_to)
    subjects = []
    by_position = {subject.position: subject for subject in original.subjects}
    for position in sorted(choice.subjects):
        kept_fields = choice.subjects[position]
        subject = by_position.get(position)
        if subject is None:
            raise HandlingError(f"subjects[{position}]", "the original has no such subject")
        details = {}
        for item in subject.fields:
            if item.id not in kept_fields:
                continue
            name = subject_field_name(position=position, field_id=item.id)
            texts[name] = details[item.id] = _checked_text(
                name, kept_fields[item.id], limit=MAX_FIELD_CHARACTERS
            )
        unknown = sorted(set(kept_fields) - {item.id for item in subject.fields})
        if unknown:
            raise HandlingError(
                subject_field_name(position=position, field_id=unknown[0]),
                "the original has no such field",
            )
        if details:
            subjects.append(
                {"kind": subject.kind, "kind_label": subject.kind_label, "details": details}
            )
    if subjects:
        content["subjects"] = subjects
    return content, texts


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day is not None else ""


def _kept_names(choice: SanitisedChoice) -> set[str]:
    kept = {
        name
        for name, chosen in (
            (WHAT_IS_KNOWN, choice.what_is_known is not None),
            (PROVENANCE, choice.provenance),
            (PLACE_WORDS, choice.place_words is not None),
            (POINT, choice.point),
            (DATES, choice.dates),
        )
        if chosen
    }
    for position, fields in choice.subjects.items():
        kept |= {subject_field_name(position=position, field_id=name) for name in fields}
    return kept


def _check_no_leak(
    *, kept_texts: Mapping[str, str], removed: list[RemovableField], conditions: str
) -> None:
    """Refuse a copy whose kept texts still hold a left-out field's text word for word."""
    searched = {**kept_texts, "handling_conditions": conditions}
    for left_out in removed:
        for text in left_out.texts:
            needle = text.strip().casefold()
            if len(needle) < SHORTEST_CHECKED_TEXT:
                continue
            for name, kept in searched.items():
                if needle in kept.casefold():
                    where = (
                        "re-grade with conditions that do not repeat it, or keep that field"
                        if name == "handling_conditions"
                        else "rewrite it, or keep that field"
                    )
                    raise HandlingError(
                        name, f"it still contains {left_out.label}, which you left out: {where}"
                    )


def _month(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


def make_sanitised_copy(
    *,
    submission: IntelligenceSubmission,
    choice: SanitisedChoice,
    by: Any,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> SanitisedCopy:
    """Make a sanitised copy of ``submission`` holding only what ``choice`` keeps.

    Every copy carries the reference, topic, month of submission, ward, the grading in force
    and the handling code with its conditions; the original is not changed.

    Parameters
    ----------
    submission
        The submission (not deleted).
    choice
        The fields to keep and the text kept for each free-text field.
    by
        The receiver making the copy.
    request
        The request, for the audit event.
    now
        When (default: now).

    Returns
    -------
    SanitisedCopy

    Raises
    ------
    HandlingError
        When a kept text is empty or too long, a field is not in the original, or a kept text
        still contains a left-out field's text.
    """
    check_handleable(submission=submission)
    original = original_content(submission=submission)
    removable = removable_fields(original)
    optional, kept_texts = _kept_content(original, choice, removable)
    kept = _kept_names(choice)
    removed = [item for name, item in removable.items() if name not in kept]
    _check_no_leak(kept_texts=kept_texts, removed=removed, conditions=original.handling_conditions)
    topic = core_gateway.intelligence_config().topic(submission.topic)
    content = {
        "reference": submission.reference,
        "topic": submission.topic,
        "topic_label": topic.label,
        "month": _month(submission.submitted_at),
        "ward_code": submission.ward_code,
        "ward_name": ward_names().get(submission.ward_code, ""),
        "source_evaluation": submission.source_evaluation,
        "intelligence_assessment": submission.intelligence_assessment,
        "handling_code": submission.handling_code,
        "handling_conditions": original.handling_conditions,
        **optional,
    }
    removed_names = [item.name for item in removed]
    with transaction.atomic():
        copy = SanitisedCopy.objects.create(
            submission=submission,
            created_by=by,
            created_at=now or timezone.now(),
            encrypted_content=encrypt_json(content),
            removed_fields=removed_names,
        )
        mark_in_progress(submission=submission)
        record_intelligence_event(
            request=request,
            action=AuditAction.EDITED,
            submission=submission,
            detail=f"made sanitised copy {copy.pk} leaving out "
            f"{', '.join(removed_names) if removed_names else 'nothing'}",
            user=by,
        )
    return copy


def copy_content(*, copy: SanitisedCopy) -> dict[str, Any]:
    """The fields a sanitised copy holds, decrypted."""
    content = decrypt_json(copy.encrypted_content)
    return dict(content) if isinstance(content, dict) else {}


def copy_rows(*, copy: SanitisedCopy) -> list[tuple[str, str]]:
    """The copy as ``(field, value)`` rows, subjects flattened as ``subjects[0].name``."""
    content = copy_content(copy=copy)
    rows: list[tuple[str, str]] = [
        ("format", EXPORT_FORMAT),
        ("version", str(EXPORT_VERSION)),
        ("copy_id", str(copy.pk)),
        ("copy_made", timezone.localtime(copy.created_at).date().isoformat()),
    ]
    for key, value in content.items():
        if key == "subjects":
            for index, subject in enumerate(value):
                rows.append((f"subjects[{index}].kind", str(subject["kind"])))
                rows.append((f"subjects[{index}].kind_label", str(subject["kind_label"])))
                rows.extend(
                    (f"subjects[{index}].{name}", str(text))
                    for name, text in subject["details"].items()
                )
        else:
            rows.append((key, "" if value is None else str(value)))
    return rows


def _spreadsheet_safe(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    if value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def export_csv(*, copy: SanitisedCopy) -> str:
    """The copy as CSV: a header ``field,value`` and one row per field it holds.

    Texts a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``) are
    prefixed with ``'``; numbers are written as they are.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("field", "value"))
    writer.writerows((name, _spreadsheet_safe(value)) for name, value in copy_rows(copy=copy))
    return buffer.getvalue()


def export_json(*, copy: SanitisedCopy) -> str:
    """The copy as a JSON object: the format, version, copy id and date, and its fields."""
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "copy_id": copy.pk,
        "copy_made": timezone.localtime(copy.created_at).date().isoformat(),
        **copy_content(copy=copy),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
