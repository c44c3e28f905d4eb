"""The Community Partnership Intelligence form as steps, and the draft kept between them.

The form is a short series of question pages (``forms_submit.py``): topic, what is known, about
whom or what (people, vehicles, premises, places: added and removed one at a time by server
round trips, no JavaScript), where, when, how the submitter knows, and their 3x5x2 grading;
then check answers and submit. The answers so far are a draft kept in the signed-in user's
session, **encrypted** under the intelligence keys (:func:`store_draft`): the session table is
in the database, and a draft can name people, so it is never held there in the clear. Nothing
of it travels in hidden form fields or URLs; the only hidden field is the draft's random id,
which makes submitting the same draft twice (a double click, the back button) a no-op.

References
----------
GOV.UK Service Manual, "Structuring forms" (one thing per page, check answers):
https://www.gov.uk/service-manual/design/form-structure ; GOV.UK Design System, "Add multiple
things" pattern (add another without JavaScript).
"""

from __future__ import annotations

import datetime
import enum
import secrets
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from safecity_web.intelligence.submission import (
    IntelligenceDraft,
    SubjectDraft,
    decrypt_json,
    encrypt_json,
)

Draft = dict[str, Any]
DRAFT_SESSION_KEY = "intelligence-draft"
REJECTION_SESSION_KEY = "intelligence-draft-rejected"
SUBMITTED_SESSION_KEY = "intelligence-submitted"
"""Draft id -> reference of each draft this session submitted (the guard against twice)."""
DONE_SESSION_KEY = "intelligence-done"
"""The reference the confirmation page shows."""
SUBMITTED_KEPT = 20


class StepSlug(enum.StrEnum):
    """The question pages, in the order the form asks them (also their URL slugs)."""

    TOPIC = "topic"
    WHAT = "what-is-known"
    SUBJECTS = "about"
    WHERE = "where"
    WHEN = "when"
    PROVENANCE = "how-you-know"
    GRADING = "grading"


STEPS = tuple(StepSlug)
FORM_STEPS = tuple(slug for slug in STEPS if slug is not StepSlug.SUBJECTS)
"""Steps that are one form each (the subjects step is a list with its own pages)."""


class WhereMode(enum.StrEnum):
    """How the submitter says where: a ward chosen by name, a point, or not about a place."""

    WARD = "ward"
    POINT = "point"
    NONE = "none"


REJECTED_FIELD_STEPS = {
    "topic": StepSlug.TOPIC,
    "what_is_known": StepSlug.WHAT,
    "subjects": StepSlug.SUBJECTS,
    "location": StepSlug.WHERE,
    "ward_code": StepSlug.WHERE,
    "place_words": StepSlug.WHERE,
    "occurred": StepSlug.WHEN,
    "provenance": StepSlug.PROVENANCE,
    "provenance_detail": StepSlug.PROVENANCE,
    "source_evaluation": StepSlug.GRADING,
    "intelligence_assessment": StepSlug.GRADING,
    "handling_code": StepSlug.GRADING,
    "handling_conditions": StepSlug.GRADING,
}
"""``IntelligenceRejectedError.field_name`` (its part before ``[``) -> the step asking it."""

REJECTED_FIELD_INPUTS = {
    "topic": "id_topic",
    "what_is_known": "id_what_is_known",
    "subjects": "subjects",
    "location": "id_where",
    "ward_code": "id_ward_code",
    "place_words": "id_place_words",
    "occurred": "id_from_day",
    "provenance": "id_provenance",
    "provenance_detail": "id_provenance_detail",
    "source_evaluation": "id_source_evaluation",
    "intelligence_assessment": "id_intelligence_assessment",
    "handling_code": "id_handling_code",
    "handling_conditions": "id_handling_conditions",
}
"""``IntelligenceRejectedError.field_name`` -> the id of the input its error summary links to."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refusal of the submission service, shown on the page that asks the field."""

    step: StepSlug
    input_id: str
    message: str


def rejection_for(*, field_name: str, message: str) -> Rejection | None:
    """Where a refusal naming ``field_name`` is shown (None: on the check-answers page)."""
    base = field_name.split("[", 1)[0].split(".", 1)[0]
    step = REJECTED_FIELD_STEPS.get(base)
    if step is None:
        return None
    text = message[:1].upper() + message[1:]
    return Rejection(step=step, input_id=REJECTED_FIELD_INPUTS[base], message=text)


def new_draft() -> Draft:
    """An empty draft with a fresh random id."""
    return {"id": secrets.token_hex(16), "done": [], "subjects": []}


def load_draft(request: HttpRequest) -> Draft:
    """The user's draft from the session (decrypted), or a new one."""
    token = request.session.get(DRAFT_SESSION_KEY)
    if isinstance(token, str) and token:
        stored = decrypt_json(token)
        if isinstance(stored, dict) and stored.get("id"):
            return stored
    return new_draft()


def has_draft(request: HttpRequest) -> bool:
    """Whether the session holds a draft with at least one answer."""
    return bool(load_draft(request).get("done"))


def store_draft(request: HttpRequest, *, draft: Draft) -> None:
    """Keep ``draft`` in the session, encrypted under the intelligence keys."""
    request.session[DRAFT_SESSION_KEY] = encrypt_json(draft)


def forget_draft(request: HttpRequest) -> None:
    """Drop the draft (after submitting it, or to start again)."""
    request.session.pop(DRAFT_SESSION_KEY, None)
    request.session.pop(REJECTION_SESSION_KEY, None)


def mark_answered(draft: Draft, *, slug: StepSlug) -> None:
    """Record that step ``slug`` has been answered."""
    done = [answered for answered in draft.get("done", []) if answered != slug.value]
    draft["done"] = [*done, slug.value]


def first_unanswered(draft: Draft) -> StepSlug | None:
    """The first step not yet answered (None: ready to check)."""
    done = set(draft.get("done", []))
    return next((slug for slug in STEPS if slug.value not in done), None)


def step_after(slug: StepSlug) -> StepSlug | None:
    """The step after ``slug`` (None: the check-answers page)."""
    index = STEPS.index(slug)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def step_before(slug: StepSlug) -> StepSlug | None:
    """The step before ``slug`` (None: the start page)."""
    index = STEPS.index(slug)
    return STEPS[index - 1] if index > 0 else None


def _date(text: Any) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if isinstance(text, str) and text else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def intelligence_draft(draft: Draft) -> IntelligenceDraft:
    """The :class:`IntelligenceDraft` the answers make (checked again by the service)."""
    where = draft.get("where", WhereMode.NONE.value)
    return IntelligenceDraft(
        topic=str(draft.get("topic", "")),
        what_is_known=str(draft.get("what_is_known", "")),
        provenance=str(draft.get("provenance", "")),
        provenance_detail=str(draft.get("provenance_detail", "")),
        source_evaluation=str(draft.get("source_evaluation", "")),
        intelligence_assessment=str(draft.get("intelligence_assessment", "")),
        handling_code=str(draft.get("handling_code", "")),
        handling_conditions=str(draft.get("handling_conditions", "")),
        subjects=tuple(
            SubjectDraft(kind=str(subject["kind"]), details=dict(subject["details"]))
            for subject in draft.get("subjects", [])
        ),
        place_words=str(draft.get("place_words", "")),
        latitude=_number(draft.get("latitude")) if where == WhereMode.POINT else None,
        longitude=_number(draft.get("longitude")) if where == WhereMode.POINT else None,
        ward_code=str(draft.get("ward_code", "")) if where == WhereMode.WARD else "",
        occurred_from=_date(draft.get("occurred_from")),
        occurred_to=_date(draft.get("occurred_to")),
    )


def remember_submitted(session: Any, *, draft_id: str, reference: str) -> dict[str, str]:
    """The session's record of submitted drafts with ``draft_id`` -> ``reference`` added."""
    submitted = dict(session.get(SUBMITTED_SESSION_KEY) or {})
    submitted[draft_id] = reference
    return dict(list(submitted.items())[-SUBMITTED_KEPT:])
